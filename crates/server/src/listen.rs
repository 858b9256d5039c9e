//! The accept loop: every connection is served by hyper with a header read timeout (a
//! client that does not finish its request head in time is disconnected; one that sends
//! nothing, or too little to tell HTTP/1 from HTTP/2, is dropped after the same time),
//! `TCP_NODELAY`,
//! the peer address for [`ConnectInfo`], and HTTP upgrades (the feed's WebSocket). When
//! `shutdown` resolves, accepting stops and every connection is asked to finish its
//! in-flight request and close; [`serve`] returns once all have.

use std::{future::Future, net::SocketAddr, pin::pin, time::Duration};

use axum::{body::Body, extract::ConnectInfo, Router};
use hyper::{body::Incoming, Request};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::mpsc,
};
use tower::ServiceExt;

use crate::telemetry::Counted;

/// Pause after a failed accept (e.g. out of file descriptors) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// What an HTTP/2 client sends first; anything else is HTTP/1.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// How often a connection that sent part of the HTTP/2 preface is looked at again.
const PREFACE_POLL: Duration = Duration::from_millis(10);

/// Serves `router` on `listener` until `shutdown`, then drains. A connection is handed
/// to hyper (and to the drain) once it has spoken; one still silent at shutdown is dropped.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    let (spoke_tx, mut spoke) = mpsc::unbounded_channel::<Spoken>();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    let spoke_tx = spoke_tx.clone();
                    tokio::spawn(async move {
                        // Counted until it closes or is upgraded (a WebSocket counts in its own gauge).
                        let open = Counted::new(metrics::gauge!("clickwire_http_connections"));
                        match tokio::time::timeout(header_timeout, spoken(&tcp)).await {
                            Ok(Ok(true)) => {
                                let _ = spoke_tx.send(Spoken { tcp, peer, open });
                            }
                            _ => metrics::counter!("clickwire_http_connections_silent_total")
                                .increment(1),
                        }
                    });
                }
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(Spoken { tcp, peer, open }) = spoke.recv() => {
                let watcher = graceful.watcher();
                let connection = connection(tcp, peer, router.clone(), header_timeout);
                tokio::spawn(async move {
                    let _open = open;
                    if let Err(err) = watcher.watch(connection).await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    graceful.shutdown().await;
}

/// A connection whose client has sent its first bytes.
struct Spoken {
    tcp: TcpStream,
    peer: SocketAddr,
    open: Counted,
}

/// Resolves once the client has sent enough to tell its protocol (false: it closed first).
/// hyper's header timeout only starts once it knows; until then this one counts.
async fn spoken(tcp: &TcpStream) -> std::io::Result<bool> {
    let mut first = [0u8; 24];
    loop {
        let n = tcp.peek(&mut first).await?;
        if n == 0 {
            return Ok(false);
        }
        if n >= H2_PREFACE.len() || first[..n] != H2_PREFACE[..n] {
            return Ok(true);
        }
        // A prefix of the HTTP/2 preface: peek would answer again at once.
        tokio::time::sleep(PREFACE_POLL).await;
    }
}

/// One connection, ready to be driven.
fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
) -> auto::UpgradeableConnection<
    'static,
    TokioIo<TcpStream>,
    impl hyper::service::Service<
            Request<Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future: Send,
        > + Send,
    TokioExecutor,
> {
    // Small answers and feed frames must not wait for Nagle + delayed ACK (~40 ms).
    let _ = tcp.set_nodelay(true);
    let service = router.map_request(move |request: Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder
        .serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service))
        .into_owned()
}
