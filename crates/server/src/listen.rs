//! The accept loop: every connection is served by hyper with a header read timeout (a
//! client that does not finish its request head in time is disconnected), `TCP_NODELAY`,
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
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// Pause after a failed accept (e.g. out of file descriptors) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` until `shutdown`, then drains.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((tcp, peer)) => {
                let watcher = graceful.watcher();
                let router = router.clone();
                tokio::spawn(async move {
                    let connection = connection(tcp, peer, router, header_timeout);
                    if let Err(err) = watcher.watch(connection).await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            Err(err) => {
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
    graceful.shutdown().await;
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
