//! Destinations: where deliveries go. A destination belongs to one tenant and holds the
//! request it receives (URL, method, headers, timeout, auth), its retry schedule, its
//! circuit-breaker settings, how many requests may be in flight to it at once, and the
//! secret its requests are signed with (Standard Webhooks).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The default retry schedule, in seconds.
pub const DEFAULT_RETRY_INTERVALS_S: [f64; 5] = [30.0, 300.0, 1800.0, 7200.0, 86400.0];

/// How a destination authenticates the gateway's requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DestinationAuth {
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
    /// `Authorization: Basic base64(username:password)`.
    Basic { username: String, password: String },
}

/// How the waits between attempts grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The intervals as listed: attempt N waits `intervals[min(N-1, len-1)]`.
    #[default]
    Exponential,
    /// Attempt N waits `N × intervals[0]`.
    Linear,
    /// Every attempt waits `intervals[0]`.
    Fixed,
}

/// When failed attempts are tried again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1–10); after the last the delivery is
    /// dead-lettered.
    pub max_attempts: u32,
    pub backoff: Backoff,
    /// Seconds (fractions allowed).
    pub intervals: Vec<f64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            backoff: Backoff::Exponential,
            intervals: DEFAULT_RETRY_INTERVALS_S.to_vec(),
        }
    }
}

impl RetryPolicy {
    /// Milliseconds to wait after failed attempt `attempt` (1-based) before the next.
    pub fn wait_ms(&self, attempt: u32) -> i64 {
        let n = attempt.max(1) as usize;
        let first = self.intervals.first().copied().unwrap_or(0.0);
        let seconds = match self.backoff {
            Backoff::Exponential => {
                let last = self.intervals.len().saturating_sub(1);
                self.intervals
                    .get((n - 1).min(last))
                    .copied()
                    .unwrap_or(0.0)
            }
            Backoff::Linear => first * n as f64,
            Backoff::Fixed => first,
        };
        (seconds * 1000.0).round() as i64
    }
}

/// When a destination's circuit opens and how long it stays open before a probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakerSettings {
    /// Consecutive failed attempts that open the circuit.
    pub failure_threshold: u32,
    /// Seconds the circuit stays open before one probe (fractions allowed).
    pub cooldown: f64,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cooldown: 60.0,
        }
    }
}

/// The request a destination receives, and how it is retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DestinationSettings {
    pub url: String,
    pub method: String,
    /// Extra request headers.
    pub headers: BTreeMap<String, String>,
    /// Seconds a request may take (fractions allowed).
    pub timeout: f64,
    pub auth: DestinationAuth,
    pub retry: RetryPolicy,
    pub circuit_breaker: BreakerSettings,
    /// Requests in flight to the destination at once.
    pub max_concurrency: u32,
}

/// A destination as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Destination {
    /// `dst_` + a time-ordered id.
    pub id: String,
    pub tenant: String,
    pub name: String,
    #[serde(flatten)]
    pub settings: DestinationSettings,
    /// `whsec_…`: signs every request (Standard Webhooks).
    pub signing_secret: String,
    /// Set when the destination answered 410 Gone: nothing more is sent to it until a
    /// `PATCH` with `"enabled": true`.
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What creating a destination takes.
#[derive(Debug, Clone)]
pub struct NewDestination {
    pub tenant: String,
    pub name: String,
    pub settings: DestinationSettings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_n_waits_the_nth_interval_then_the_last_one() {
        let policy = RetryPolicy::default();
        let waits: Vec<i64> = (1..=7).map(|n| policy.wait_ms(n)).collect();
        assert_eq!(
            waits,
            [30_000, 300_000, 1_800_000, 7_200_000, 86_400_000, 86_400_000, 86_400_000]
        );
    }

    #[test]
    fn linear_and_fixed_grow_from_the_first_interval() {
        let linear = RetryPolicy {
            backoff: Backoff::Linear,
            intervals: vec![0.5, 99.0],
            ..RetryPolicy::default()
        };
        assert_eq!([linear.wait_ms(1), linear.wait_ms(3)], [500, 1_500]);
        let fixed = RetryPolicy {
            backoff: Backoff::Fixed,
            intervals: vec![0.25],
            ..RetryPolicy::default()
        };
        assert_eq!([fixed.wait_ms(1), fixed.wait_ms(4)], [250, 250]);
    }
}
