//! One attempt's HTTP request and what its answer means. The body is the delivered document
//! ([`super::super::document`]); the request carries the destination's headers and auth
//! and the Standard Webhooks headers (`webhook-id` = the delivery id, the same on every
//! attempt, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>` keyed with the
//! destination's `whsec_` secret). 2xx is success; a network error, a timeout, 5xx, 408 and
//! 429 are retried (`Retry-After` on 429 and 503 is honoured, up to an hour); 410 fails the
//! delivery and disables the destination; any other 4xx fails it for good.

use std::{error::Error as _, time::Duration};

use axum::http::{header, HeaderName, HeaderValue};
use clickwire_store::deliveries::{Destination, DestinationAuth, Due};
use standardwebhooks::Webhook;

use super::super::document::document;

/// Bytes of a response body kept on the attempt.
pub const MAX_RESPONSE_BODY: usize = 4 * 1024;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER_MS: i64 = 3_600_000;

/// What an answer (or its absence) means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Success,
    /// Try again on the schedule (at least `retry_after` ms later when the receiver said).
    Retry {
        retry_after: Option<i64>,
    },
    /// Never try this delivery again.
    Permanent,
    /// 410: never try again, and stop sending to the destination.
    Gone,
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Sent {
    pub verdict: Verdict,
    pub status: Option<u16>,
    pub body: Option<String>,
    pub duration_ms: i64,
    /// For a failure: `http_5xx`, `http_4xx`, `timeout`, `connection_refused`, `dns`, `tls`,
    /// `network`, `event_missing`.
    pub error_type: Option<&'static str>,
    pub error: Option<String>,
}

/// Sends `due` to `destination`.
pub async fn send(client: &reqwest::Client, destination: &Destination, due: &Due) -> Sent {
    let started = std::time::Instant::now();
    let Some(event) = &due.event else {
        return failed(
            started,
            Verdict::Permanent,
            "event_missing",
            "the event is no longer stored (retention removed it)".into(),
        );
    };
    let body = match serde_json::to_vec(&document(event)) {
        Ok(body) => body,
        Err(err) => return failed(started, Verdict::Permanent, "internal", err.to_string()),
    };
    let request = match build(client, destination, &due.attempt.delivery_id, body) {
        Ok(request) => request,
        Err(err) => return failed(started, Verdict::Permanent, "invalid_destination", err),
    };
    match request.send().await {
        Ok(response) => answered(started, response).await,
        Err(err) => {
            let (error_type, verdict) = network_error(&err);
            failed(started, verdict, error_type, describe(&err))
        }
    }
}

fn build(
    client: &reqwest::Client,
    destination: &Destination,
    delivery_id: &str,
    body: Vec<u8>,
) -> Result<reqwest::RequestBuilder, String> {
    let settings = &destination.settings;
    let method =
        reqwest::Method::from_bytes(settings.method.as_bytes()).map_err(|err| err.to_string())?;
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let signature = Webhook::new(&destination.signing_secret)
        .and_then(|signer| signer.sign(delivery_id, timestamp, &body))
        .map_err(|err| err.to_string())?;
    let mut request = client
        .request(method, &settings.url)
        .timeout(Duration::from_secs_f64(settings.timeout))
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::USER_AGENT,
            concat!("clickwire/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in &settings.headers {
        let name = HeaderName::try_from(name.as_str()).map_err(|err| err.to_string())?;
        let value = HeaderValue::try_from(value.as_str()).map_err(|err| err.to_string())?;
        request = request.header(name, value);
    }
    request = match &settings.auth {
        DestinationAuth::None => request,
        DestinationAuth::Bearer { token } => request.bearer_auth(token),
        DestinationAuth::Basic { username, password } => {
            request.basic_auth(username, Some(password))
        }
    };
    Ok(request
        .header("webhook-id", delivery_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body))
}

async fn answered(started: std::time::Instant, response: reqwest::Response) -> Sent {
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = response.bytes().await.ok().map(|bytes| {
        let kept = &bytes[..bytes.len().min(MAX_RESPONSE_BODY)];
        String::from_utf8_lossy(kept).into_owned()
    });
    let verdict = match status {
        200..=299 => Verdict::Success,
        410 => Verdict::Gone,
        429 | 503 => Verdict::Retry { retry_after },
        408 | 500..=599 => Verdict::Retry { retry_after: None },
        _ => Verdict::Permanent,
    };
    let error_type = match status {
        200..=299 => None,
        500..=599 => Some("http_5xx"),
        _ => Some("http_4xx"),
    };
    Sent {
        verdict,
        status: Some(status),
        body,
        duration_ms: elapsed(started),
        error_type,
        error: error_type.map(|_| format!("the destination answered {status}")),
    }
}

/// `Retry-After` in seconds or as an HTTP date, in ms from now, at most an hour.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<i64> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    let ms = match value.parse::<f64>() {
        Ok(seconds) => (seconds * 1000.0) as i64,
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            let left = at
                .duration_since(std::time::SystemTime::now())
                .unwrap_or_default();
            left.as_millis() as i64
        }
    };
    Some(ms.clamp(0, MAX_RETRY_AFTER_MS))
}

/// The error type of a request that got no answer; all of them are retried.
fn network_error(err: &reqwest::Error) -> (&'static str, Verdict) {
    let retry = Verdict::Retry { retry_after: None };
    if err.is_timeout() {
        return ("timeout", retry);
    }
    let text = describe(err).to_ascii_lowercase();
    let error_type = if text.contains("dns") || text.contains("failed to lookup") {
        "dns"
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        "tls"
    } else if text.contains("connection refused") {
        "connection_refused"
    } else {
        "network"
    };
    (error_type, retry)
}

/// The error with its causes.
fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn failed(
    started: std::time::Instant,
    verdict: Verdict,
    error_type: &'static str,
    error: String,
) -> Sent {
    Sent {
        verdict,
        status: None,
        body: None,
        duration_ms: elapsed(started),
        error_type: Some(error_type),
        error: Some(error),
    }
}

fn elapsed(started: std::time::Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}
