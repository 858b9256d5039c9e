//! Per-key ingest rate limits: a token bucket per key (GCRA, by `governor`) whose rate is
//! the key's tier limit in events per second and whose burst is `burst_factor` times that.
//! A batch takes one token per event.

use std::{
    collections::HashMap,
    num::NonZeroU32,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use clickwire_store::{AuthKey, Tier};
use governor::{
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
    Quota, RateLimiter,
};

use crate::config::RateLimitConfig;

type KeyedLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// The limiters of every tier (or none when limits are disabled).
pub struct RateLimits {
    tiers: Option<HashMap<Tier, TierLimiter>>,
    clock: DefaultClock,
}

struct TierLimiter {
    per_second: u32,
    burst: u32,
    limiter: KeyedLimiter,
}

/// A request that was let through, and what is left.
#[derive(Debug, Clone, Copy)]
pub struct Allowed {
    pub limit: u32,
    pub remaining: u32,
}

/// A request that was refused, and when to come back.
#[derive(Debug, Clone, Copy)]
pub struct RateLimited {
    pub limit: u32,
    pub retry_after: Duration,
}

impl Allowed {
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(LIMIT, HeaderValue::from(self.limit));
        headers.insert(REMAINING, HeaderValue::from(self.remaining));
    }
}

impl RateLimited {
    /// `Retry-After` in whole seconds (at least 1), the limit, nothing remaining, and
    /// `X-RateLimit-Reset` as the Unix time (seconds) at which to retry.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let wait = self.retry_after.as_secs_f64().ceil().max(1.0) as u64;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        headers.insert(axum::http::header::RETRY_AFTER, HeaderValue::from(wait));
        headers.insert(LIMIT, HeaderValue::from(self.limit));
        headers.insert(REMAINING, HeaderValue::from(0u32));
        headers.insert(RESET, HeaderValue::from(now + wait));
    }
}

impl RateLimits {
    pub fn new(config: &RateLimitConfig) -> Self {
        let tiers = config.enabled.then(|| {
            Tier::ALL
                .into_iter()
                .map(|tier| (tier, TierLimiter::new(config, tier)))
                .collect()
        });
        Self {
            tiers,
            clock: DefaultClock::default(),
        }
    }

    /// Takes `events` tokens from the key's bucket.
    pub fn check(&self, key: &AuthKey, events: usize) -> Result<Option<Allowed>, RateLimited> {
        let Some(tiers) = &self.tiers else {
            return Ok(None);
        };
        let Some(tier) = tiers.get(&key.tier) else {
            return Ok(None);
        };
        let n =
            NonZeroU32::new(events.clamp(1, u32::MAX as usize) as u32).unwrap_or(NonZeroU32::MIN);
        let refused = |retry_after| RateLimited {
            limit: tier.per_second,
            retry_after,
        };
        match tier.limiter.check_key_n(&key.id, n) {
            Ok(Ok(snapshot)) => Ok(Some(Allowed {
                limit: tier.per_second,
                remaining: snapshot.remaining_burst_capacity(),
            })),
            Ok(Err(not_until)) => Err(refused(not_until.wait_time_from(self.clock.now()))),
            // A batch larger than the whole burst can never pass: wait a full refill.
            Err(_) => Err(refused(Duration::from_secs_f64(
                f64::from(tier.burst) / f64::from(tier.per_second),
            ))),
        }
    }
}

impl TierLimiter {
    fn new(config: &RateLimitConfig, tier: Tier) -> Self {
        let per_second = config.per_second(tier).max(1);
        let burst = per_second.saturating_mul(config.burst_factor.max(1));
        let quota = Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        Self {
            per_second,
            burst,
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
        }
    }
}
