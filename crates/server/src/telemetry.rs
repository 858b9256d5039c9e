//! Metrics: the process-wide Prometheus recorder, and the middleware that times every
//! request into a histogram and logs it in one line at info (`method`, `path`, `status`,
//! `latency_us`). Logs never carry a query string, so keys passed as `?key=` stay out of
//! them.

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    http::Method,
    middleware::Next,
    response::Response,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::Level;

/// Latency buckets in seconds: sub-millisecond to a few seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The recorder is process-wide; every server in the process (tests start many) shares it.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (an embedding program's); then this
            // handle renders only what this server records through it, which is nothing,
            // and /metrics stays valid but empty rather than failing.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Records `clickwire_http_request_duration_seconds{method, route, status}`. Labels take
/// only known values — the route's pattern (`unmatched` for none) and a fixed set of
/// methods (`other` for the rest) — so clients cannot grow the label set.
pub async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // Copied only when the line will be written: a disabled level costs nothing here.
    let path = tracing::enabled!(Level::INFO).then(|| logged_path(&request).to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    if let Some(path) = path {
        tracing::info!(
            target: "clickwire::request",
            method = %method,
            path,
            status,
            latency_us = elapsed.as_micros() as u64,
            "request"
        );
    }
    metrics::histogram!(
        "clickwire_http_request_duration_seconds",
        "method" => method,
        "route" => route,
        "status" => status.to_string()
    )
    .record(elapsed.as_secs_f64());
    response
}

/// The routes whose path carries a key: request logs show their pattern instead.
const SECRET_PATH_ROUTES: &[&str] = &[crate::web::sdk::SETTINGS_ROUTE];

/// The path a request log shows: the path only (a `?key=` must never reach the logs), or
/// the route's pattern when the path itself carries a key.
pub fn logged_path(request: &Request) -> &str {
    match request.extensions().get::<MatchedPath>() {
        Some(route) if SECRET_PATH_ROUTES.contains(&route.as_str()) => route.as_str(),
        _ => request.uri().path(),
    }
}

/// The method label: the standard methods by name, anything else `other`.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}

/// Counts something in a gauge while it lives: +1 when made, −1 when dropped (a
/// connection, a socket, a request out).
pub struct Counted(metrics::Gauge);

impl Counted {
    pub fn new(gauge: metrics::Gauge) -> Self {
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_are_labelled_other() {
        assert_eq!(method_label(&Method::POST), "POST");
        let odd = Method::from_bytes(b"XFLOOD").expect("a method");
        assert_eq!(method_label(&odd), "other");
    }
}
