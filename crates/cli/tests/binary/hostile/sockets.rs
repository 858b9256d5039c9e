//! WebSocket peers, on the Signals Feed, the dashboard stream and the inbound source
//! socket, spoken to frame by frame: a message claiming more than the size limit, close
//! frames that break the protocol (a one-byte payload, code 999, a reason that is not
//! UTF-8), an unmasked client frame, and a flood of 100,000 pings sent without reading.
//! Each ends in a protocol close (a close frame, or the connection dropped) within
//! seconds; the server keeps serving the bystander.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{Bystander, Target, RSS_GROWTH_LIMIT_KIB};

/// How long the server may take to end a socket that broke the protocol.
const CLOSE_WITHIN: Duration = Duration::from_secs(10);
/// Pings in the flood.
const PINGS: usize = 100_000;

/// A masked client frame (mask key 0: the payload goes as it is).
pub fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    match payload.len() {
        n @ 0..=125 => out.push(0x80 | n as u8),
        n @ 126..=65535 => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
    out
}

/// Opens a WebSocket on `path` by hand; returns the stream after the 101.
pub async fn open(target: &Target, path: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(target.addr()).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.expect("upgrade");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.expect("101");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{path}: {head}");
    tcp
}

/// Reads until the server closes; true when it did within [`CLOSE_WITHIN`].
async fn closed(tcp: &mut TcpStream) -> bool {
    let drain = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(CLOSE_WITHIN, drain).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abusive_websocket_peers_get_a_protocol_close() {
    let target = Target::start(&[]).await;
    let before = target.rss_kib();
    let bystander = Bystander::start(&target);
    let paths = [
        format!("/v1/signals/stream?key={}", target.server_key),
        format!("/v1/ws?token={}", target.admin),
        format!("/v1/ws/source/{}?token={}", target.webhook, target.admin),
    ];
    // A text frame header claiming 1 TiB, with nothing after it.
    let mut huge = vec![0x81, 0x80 | 127];
    huge.extend_from_slice(&(1u64 << 40).to_be_bytes());
    huge.extend_from_slice(&[0, 0, 0, 0]);
    let cases: [(&str, Vec<u8>); 5] = [
        ("a 1 TiB message", huge),
        ("a close frame with a one-byte payload", frame(0x8, &[3])),
        ("close code 999", frame(0x8, &999u16.to_be_bytes())),
        (
            "a close reason that is not UTF-8",
            frame(0x8, &[0x03, 0xe8, 0xff, 0xfe]),
        ),
        ("an unmasked frame", vec![0x81, 0x02, b'h', b'i']),
    ];
    let mut tried = 0;
    for path in &paths {
        for (name, bytes) in &cases {
            let mut tcp = open(&target, path).await;
            tcp.write_all(bytes).await.expect("write");
            assert!(
                closed(&mut tcp).await,
                "{name} on {path}: the socket stayed open"
            );
            tried += 1;
        }
        // The flood: written without reading a byte; the server answers or drops us.
        let mut tcp = open(&target, path).await;
        let ping = frame(0x9, b"p");
        let flood: Vec<u8> = ping
            .iter()
            .copied()
            .cycle()
            .take(ping.len() * PINGS)
            .collect();
        let (mut read, mut write) = tcp.split();
        let sent = tokio::time::timeout(CLOSE_WITHIN, write.write_all(&flood)).await;
        let mut buf = vec![0u8; 64 * 1024];
        // Whether the flood went through or the server stopped reading, the socket still
        // answers a close handshake (or is gone already).
        let _ = write.write_all(&frame(0x8, &1000u16.to_be_bytes())).await;
        let drained = tokio::time::timeout(CLOSE_WITHIN, async {
            while matches!(read.read(&mut buf).await, Ok(n) if n > 0) {}
        })
        .await;
        assert!(
            drained.is_ok(),
            "ping flood on {path}: no close (flood sent: {sent:?})"
        );
        tried += 1;
    }
    let (bystanders, peak) = bystander.finish().await;
    let growth = peak.saturating_sub(before);
    assert!(growth < RSS_GROWTH_LIMIT_KIB, "RSS grew by {growth} KiB");
    eprintln!(
        "websocket peers: {tried} abusive sockets on {} endpoints, each closed within \
         {CLOSE_WITHIN:?}; RSS {before} → peak {peak} KiB; the bystander got {bystanders} × 202",
        paths.len()
    );
}
