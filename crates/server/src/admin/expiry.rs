//! A new key's optional expiry: `"expires_in": "30d"` (from now) or `"expires_at"` (ms
//! since the epoch), never both, and never in the past.

use std::time::Duration;

use crate::error::ApiError;

/// The expiry instant (ms since the epoch) a request asks for, if any.
pub fn expires_at(
    now_ms: i64,
    expires_in: Option<&str>,
    expires_at: Option<i64>,
) -> Result<Option<i64>, ApiError> {
    let at = match (expires_in, expires_at) {
        (Some(_), Some(_)) => {
            return Err(ApiError::InvalidRequest(
                "give `expires_in` or `expires_at`, not both".into(),
            ))
        }
        (Some(text), None) => Some(now_ms.saturating_add(millis(parse_in(text)?))),
        (None, at) => at,
    };
    match at {
        Some(at) if at <= now_ms => Err(ApiError::InvalidRequest(
            "the expiry must be in the future".into(),
        )),
        at => Ok(at),
    }
}

fn parse_in(text: &str) -> Result<Duration, ApiError> {
    humantime::parse_duration(text).map_err(|err| {
        ApiError::InvalidRequest(format!(
            "`expires_in` must be a duration like \"30d\" or \"12h\": {err}"
        ))
    })
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_counts_from_now() {
        let day = 24 * 60 * 60 * 1000;
        assert_eq!(
            expires_at(1_000, Some("30d"), None).expect("ok"),
            Some(1_000 + 30 * day)
        );
        assert_eq!(expires_at(1_000, None, None).expect("ok"), None);
    }

    #[test]
    fn both_forms_a_past_instant_or_a_bad_duration_are_refused() {
        for (within, at) in [
            (Some("1d"), Some(5_000)),
            (None, Some(500)),
            (Some("soon"), None),
        ] {
            let err = expires_at(1_000, within, at).expect_err("refused");
            assert_eq!(err.code(), "invalid_request");
        }
    }
}
