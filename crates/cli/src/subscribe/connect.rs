//! Opening one Signals Feed connection: the stream URL with its resume point and filter,
//! the key in the `Sec-WebSocket-Protocol` header (never in the URL, where proxies log
//! it), small buffers, and what a refused handshake means for the caller.
//!
//! `feedbench` opens its subscribers through here too, so both speak the same handshake.

use std::{error::Error as _, time::Duration};

use reqwest::Url;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    tungstenite::{
        self, client::IntoClientRequest, handshake::client::Response, http::HeaderValue,
        protocol::WebSocketConfig,
    },
    MaybeTlsStream, WebSocketStream,
};

/// A connected feed socket.
pub type FeedSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The first entry of `Sec-WebSocket-Protocol`; the server answers with it alone.
pub const SUBPROTOCOL: &str = "clickstream-v1";

/// Frames the feed sends are one event each, well under a KiB; anything near this is not
/// a feed frame.
const MAX_MESSAGE: usize = 1 << 20;

/// Why a connection attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server answered the handshake with a status that retrying will not change:
    /// an invalid key (401), a plan without the feed (403), a bad filter (400), a wrong
    /// path (404).
    #[error("the server refused the subscription with HTTP {status}: {body}")]
    Refused { status: u16, body: String },
    /// Worth another try later: a refused or dropped connection, 429, 5xx, a timeout.
    #[error("{message}")]
    Retryable {
        message: String,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The request cannot be built (a key that is not a header value).
    #[error("{0}")]
    Invalid(String),
}

/// Where to connect and with which key.
#[derive(Debug, Clone)]
pub struct Target {
    /// The stream URL, `ws://host:port/v1/signals/stream`, without `since`.
    url: Url,
    key: String,
    filter: Option<String>,
}

impl Target {
    /// Accepts `ws://` and, for convenience, `http://` (the same server) URLs.
    pub fn new(url: &str, key: String, filter: Option<String>) -> anyhow::Result<Self> {
        let mut url = Url::parse(url).map_err(|e| anyhow::anyhow!("--url {url:?}: {e}"))?;
        match url.scheme() {
            "ws" => {}
            "http" => url
                .set_scheme("ws")
                .map_err(|()| anyhow::anyhow!("cannot use {url} as a ws:// URL"))?,
            other => anyhow::bail!(
                "--url must be ws:// (or http://), got {other}://; TLS is left to a reverse proxy in front of clickwire"
            ),
        }
        Ok(Self { url, key, filter })
    }

    /// The URL of one attempt: resume after `since` when known, and the filter.
    pub fn url(&self, since: Option<i64>) -> Url {
        let mut url = self.url.clone();
        if since.is_some() || self.filter.is_some() {
            let mut query = url.query_pairs_mut();
            if let Some(since) = since {
                query.append_pair("since", &since.to_string());
            }
            if let Some(filter) = &self.filter {
                query.append_pair("filter", filter);
            }
        }
        url
    }
}

/// Buffers for a subscriber that reads small frames and writes only pongs: a small read
/// buffer (tungstenite allocates it up front, 128 KiB by default) and eager writes.
pub fn socket_config(read_buffer: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// Opens one connection resuming after `since`, within `timeout`.
pub async fn connect(
    target: &Target,
    since: Option<i64>,
    config: WebSocketConfig,
    timeout: Duration,
) -> Result<FeedSocket, ConnectError> {
    let mut request = target
        .url(since)
        .as_str()
        .into_client_request()
        .map_err(|e| ConnectError::Invalid(e.to_string()))?;
    let mut protocols = HeaderValue::from_str(&format!("{SUBPROTOCOL}, {}", target.key))
        .map_err(|_| ConnectError::Invalid("the key is not a valid header value".into()))?;
    protocols.set_sensitive(true);
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocols);
    let attempt = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(tungstenite::Error::Http(response))) => Err(classify(&response)),
        Ok(Err(error)) => Err(ConnectError::Retryable {
            message: describe(&error),
            retry_after: None,
        }),
        Err(_) => Err(ConnectError::Retryable {
            message: format!(
                "no handshake within {}",
                humantime::format_duration(timeout)
            ),
            retry_after: None,
        }),
    }
}

/// 4xx is final except 408 and 429; everything else may pass.
pub fn is_final(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 408 | 429)
}

/// A non-101 answer: the server's JSON body is the message a user needs.
fn classify(response: &Response) -> ConnectError {
    let status = response.status().as_u16();
    let body = response
        .body()
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default()
        .trim()
        .to_owned();
    if is_final(status) {
        return ConnectError::Refused { status, body };
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    ConnectError::Retryable {
        message: format!("HTTP {status}: {body}"),
        retry_after,
    }
}

/// The error with its causes ("IO error: Connection refused (os error 111)").
fn describe(error: &tungstenite::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(filter: Option<&str>) -> Target {
        Target::new(
            "http://127.0.0.1:9/v1/signals/stream",
            "cs_live_k".into(),
            filter.map(str::to_owned),
        )
        .expect("target")
    }

    #[test]
    fn the_url_carries_the_resume_point_and_filter_but_never_the_key() {
        let url = target(Some("behavioralClass:human,scores.intent>=70")).url(Some(42));
        assert_eq!(url.scheme(), "ws");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("since".into(), "42".into()),
                (
                    "filter".into(),
                    "behavioralClass:human,scores.intent>=70".into()
                )
            ]
        );
        assert!(!url.as_str().contains("cs_live_k"));
        assert_eq!(target(None).url(None).query(), None);
    }

    #[test]
    fn tls_urls_are_refused_with_a_reason() {
        let error =
            Target::new("wss://example.com/v1/signals/stream", "k".into(), None).expect_err("wss");
        assert!(error.to_string().contains("reverse proxy"), "{error}");
    }

    #[test]
    fn only_client_errors_other_than_timeout_and_rate_limit_are_final() {
        for status in [400, 401, 403, 404, 426] {
            assert!(is_final(status), "{status}");
        }
        for status in [408, 429, 500, 502, 503] {
            assert!(!is_final(status), "{status}");
        }
    }
}
