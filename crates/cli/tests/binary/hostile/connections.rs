//! Connections: header floods, slowloris clients (a header byte, or a body byte, at a
//! time), and 19,000 connections that never send a byte (as many as the machine's file
//! limit lets one process hold). Answers that hyper gives before
//! any route runs (a head too large) are its bare 431; everything else is JSON.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{Bystander, Target, RSS_GROWTH_LIMIT_KIB};

/// The header and body timeouts the server runs with here.
const TIMEOUT: Duration = Duration::from_secs(2);
const TIMEOUTS: [(&str, &str); 2] = [
    ("CLICKWIRE_SERVER__HEADER_TIMEOUT", "2s"),
    ("CLICKWIRE_SERVER__BODY_TIMEOUT", "2s"),
];
/// The header timeout of the silent-connections test.
const SILENT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a silent connection may stay open: its header timeout after the accept,
/// plus what it may wait in the kernel's accept queue while the machine is loaded.
const SILENT_LONGEST: Duration = Duration::from_secs(30);
/// Silent connections held open at once: the issue asks 20,000, but this machine's hard
/// limit on open files is 20,000 per process (raising it needs CAP_SYS_RESOURCE), and the
/// server needs a few for itself.
const SILENT: usize = 19_000;

/// Reads what the server sends until it closes; `None` if it has not closed by `within`.
async fn until_closed(tcp: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok()?;
    Some(got)
}

async fn connect(target: &Target) -> TcpStream {
    TcpStream::connect(target.addr()).await.expect("connect")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_floods_and_slow_clients_are_cut_off_in_time() {
    let target = Target::start(&TIMEOUTS).await;
    let bystander = Bystander::start(&target);
    let head = |extra: &str| format!("POST /v1/events HTTP/1.1\r\nHost: x\r\n{extra}");

    // 10,000 headers, and one header of 1 MiB: refused by hyper before routing.
    let many: String = (0..10_000).map(|i| format!("x-h{i}: v\r\n")).collect();
    let huge = format!("x-big: {}\r\n", "a".repeat(1 << 20));
    for (name, extra) in [("10,000 headers", many), ("a 1 MiB header", huge)] {
        let mut tcp = connect(&target).await;
        let _ = tcp.write_all(head(&extra).as_bytes()).await;
        let _ = tcp.write_all(b"\r\n").await;
        let answer = until_closed(&mut tcp, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{name}: the connection stayed open"));
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
            "{name}: {answer:.200}"
        );
    }

    // Slowloris: a header byte every 250 ms is cut off at the header timeout.
    let mut tcp = connect(&target).await;
    let started = Instant::now();
    tcp.write_all(head("").as_bytes()).await.expect("write");
    let drip = async {
        for byte in b"x-slow: ".iter().cycle() {
            if tcp.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    };
    assert!(
        tokio::time::timeout(TIMEOUT * 3, drip).await.is_ok(),
        "a slowloris client was still connected after {:?}",
        TIMEOUT * 3
    );
    let cut_after = started.elapsed();

    // A body byte every 250 ms: 408 request_timeout, JSON, at the body timeout.
    let mut tcp = connect(&target).await;
    let request = head(&format!(
        "x-api-key: {}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{",
        target.server_key
    ));
    tcp.write_all(request.as_bytes()).await.expect("write");
    let (mut read, mut write) = tcp.into_split();
    let dripping = tokio::spawn(async move {
        while write.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(TIMEOUT * 3, read.read(&mut answer))
        .await
        .expect("an answer to the slow body")
        .expect("read");
    dripping.abort();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"request_timeout\""), "{answer}");

    let (bystanders, _) = bystander.finish().await;
    eprintln!(
        "header floods: 10,000 headers and a 1 MiB header closed with 431; slowloris cut \
         after {cut_after:?} (header timeout {TIMEOUT:?}); a slow body answered 408; the \
         bystander got {bystanders} × 202"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nineteen_thousand_silent_connections_are_dropped_and_cost_little() {
    let target = Target::start(&[("CLICKWIRE_SERVER__HEADER_TIMEOUT", "10s")]).await;
    let before_rss = target.rss_kib();
    let before_open = target.metric("clickwire_http_connections ").await;
    let bystander = Bystander::start(&target);
    // The connections live in a process of their own: their descriptors must not count
    // against this test binary's, whose other tests run beside this one.
    let (host, port) = target
        .addr()
        .rsplit_once(':')
        .map(|(h, p)| (h.to_owned(), p.to_owned()))
        .expect("addr");
    let script = crate::feed::support::workspace().join("tests/py/silent_connections.py");
    let mut holder = tokio::process::Command::new("python3")
        .arg(script)
        .args([host, port, SILENT.to_string(), "120".to_owned()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3");
    let mut lines = tokio::io::BufReader::new(holder.stdout.take().expect("stdout")).lines();
    let opened = lines
        .next_line()
        .await
        .expect("read")
        .expect("the holder says open");
    let numbers: Vec<f64> = opened
        .split_whitespace()
        .skip(1)
        .filter_map(|w| w.parse().ok())
        .collect();
    let [_, open_took, still_open] = numbers[..] else {
        panic!("the holder said {opened}");
    };
    let held_rss = target.rss_kib();
    let open = target.metric("clickwire_http_connections ").await;
    let mut stdin = holder.stdin.take().expect("stdin");
    stdin.write_all(b"go\n").await.expect("go");
    let closed = lines
        .next_line()
        .await
        .expect("read")
        .expect("the holder says closed");
    let mut words = closed.split_whitespace().skip(1);
    let dropped: usize = words.next().and_then(|w| w.parse().ok()).expect("count");
    let longest: f64 = words.next().and_then(|w| w.parse().ok()).expect("longest");
    assert_eq!(
        dropped,
        SILENT,
        "{} silent connections were never dropped",
        SILENT - dropped
    );
    let after_open = target.metric("clickwire_http_connections ").await;
    let growth = held_rss.saturating_sub(before_rss);
    let (bystanders, peak) = bystander.finish().await;
    assert!(growth < RSS_GROWTH_LIMIT_KIB, "RSS grew by {growth} KiB");
    assert!(
        longest <= SILENT_LONGEST.as_secs_f64(),
        "a silent connection stayed open {longest} s (header timeout {SILENT_TIMEOUT:?})"
    );
    assert!(
        after_open <= before_open + 1.0,
        "{after_open} connections still counted (before: {before_open})"
    );
    eprintln!(
        "silent connections: {SILENT} opened in {open_took} s, {still_open} of them open at \
         once (the server counted {open}); each dropped at most {longest} s after it opened \
         (header timeout {SILENT_TIMEOUT:?}); RSS {before_rss} → {held_rss} KiB while held \
         ({:.1} KiB per connection open), peak {peak}; connections counted before/after: \
         {before_open}/{after_open}; the bystander got {bystanders} × 202",
        growth as f64 / still_open.max(1.0)
    );
}
