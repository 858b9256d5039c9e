//! Signature checks of webhook sources. `hmac_sha256`: the named header holds the hex
//! HMAC-SHA256 of the body (after an optional prefix such as GitHub's `sha256=`), compared
//! in constant time. `standard_webhooks`: the `webhook-id`, `webhook-timestamp` and
//! `webhook-signature` headers, checked by the Standard Webhooks library (which also
//! refuses a timestamp more than five minutes off).

use axum::http::HeaderMap;
use clickwire_store::Verification;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{error::ApiError, ingest::now_ms};

/// How far `webhook-timestamp` may be from the server's clock (the library's tolerance).
const TOLERANCE_SECS: u64 = 5 * 60;

fn now_secs() -> i64 {
    now_ms() / 1000
}

/// Ok when the request carries a valid signature under `verification`.
pub fn check(
    verification: &Verification,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    match verification {
        Verification::HmacSha256 {
            header,
            secret,
            prefix,
        } => hmac_sha256(headers, body, header, secret, prefix.as_deref()),
        Verification::StandardWebhooks { secret } => standard(headers, body, secret),
    }
}

fn hmac_sha256(
    headers: &HeaderMap,
    body: &[u8],
    header: &str,
    secret: &str,
    prefix: Option<&str>,
) -> Result<(), ApiError> {
    let refused = |why: &str| ApiError::InvalidSignature(why.to_owned());
    let value = headers
        .get(header)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refused(&format!("the {header} header is missing")))?;
    let digest = match prefix {
        Some(prefix) => value
            .strip_prefix(prefix)
            .ok_or_else(|| refused(&format!("{header} must start with {prefix}")))?,
        None => value,
    };
    let digest =
        hex::decode(digest.trim()).map_err(|_| refused(&format!("{header} is not hex")))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    mac.update(body);
    mac.verify_slice(&digest)
        .map_err(|_| refused("the signature does not match the body"))
}

fn standard(headers: &HeaderMap, body: &[u8], secret: &str) -> Result<(), ApiError> {
    // The library computes `now - timestamp` unchecked: a timestamp near i64::MIN
    // overflows it (found by fuzzing). One that far off is refused here first.
    let timestamp = headers
        .get("webhook-timestamp")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    if let Some(timestamp) = timestamp {
        if now_secs().abs_diff(timestamp) > TOLERANCE_SECS {
            return Err(ApiError::InvalidSignature(
                "Standard Webhooks: the webhook-timestamp is more than 5 minutes off".into(),
            ));
        }
    }
    let webhook = standardwebhooks::Webhook::new(secret)
        .map_err(|err| ApiError::Internal(format!("the source's secret: {err}")))?;
    webhook
        .verify(body, headers)
        .map_err(|err| ApiError::InvalidSignature(format!("Standard Webhooks: {err}")))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn a_github_style_signature_verifies_and_a_wrong_one_does_not() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").expect("key");
        mac.update(b"{\"zen\":\"hi\"}");
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-hub-signature-256",
            HeaderValue::from_str(&signature).expect("value"),
        );
        let github = Verification::HmacSha256 {
            header: "X-Hub-Signature-256".into(),
            secret: "s3cret".into(),
            prefix: Some("sha256=".into()),
        };
        assert!(check(&github, &headers, b"{\"zen\":\"hi\"}").is_ok());
        assert!(check(&github, &headers, b"{\"zen\":\"ho\"}").is_err());
        assert!(check(&github, &HeaderMap::new(), b"{}").is_err());
    }

    #[test]
    fn standard_webhooks_timestamps_at_the_ends_of_the_range_are_refused() {
        let scheme = Verification::StandardWebhooks {
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        };
        for timestamp in ["-9223372036854775808", "9223372036854775807", "0"] {
            let mut headers = HeaderMap::new();
            headers.insert("webhook-id", HeaderValue::from_static("msg_1"));
            headers.insert("webhook-timestamp", HeaderValue::from_static(timestamp));
            headers.insert("webhook-signature", HeaderValue::from_static("v1,AAAA"));
            let refused = check(&scheme, &headers, b"{}");
            assert!(
                matches!(refused, Err(ApiError::InvalidSignature(_))),
                "{timestamp}: {refused:?}"
            );
        }
    }
}
