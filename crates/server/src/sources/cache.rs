//! The sources the ingest routes use, cached by id with what enforcing them needs: the
//! parsed IP allowlist and the source's own rate limiter (a token per request, the
//! source's `rate_limit` per second, one second of burst). An entry is re-read after
//! `ttl` (so changes made by the CLI take effect within it) and dropped at once when this
//! process changes or deletes the source.

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use clickwire_store::{Source, Sources};
use governor::{clock::Clock, DefaultDirectRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::{error::ApiError, limits::RateLimited};

/// A source with its limiter.
pub struct SourceEntry {
    pub source: Source,
    ip_allow: Vec<IpNet>,
    ip_deny: Vec<IpNet>,
    /// Shared with the entry this one replaced when the rate did not change, so a re-read
    /// does not hand out a fresh burst.
    limiter: Arc<DefaultDirectRateLimiter>,
    loaded: Instant,
}

impl SourceEntry {
    fn new(source: Source, previous: Option<&SourceEntry>) -> Self {
        let parse = |cidrs: &[String]| cidrs.iter().filter_map(|c| parse_cidr(c)).collect();
        let ip_allow = parse(&source.ip_allow);
        let ip_deny = parse(&source.ip_deny);
        let limiter = match previous {
            Some(old) if old.source.rate_limit == source.rate_limit => Arc::clone(&old.limiter),
            _ => {
                let rate = NonZeroU32::new(source.rate_limit).unwrap_or(NonZeroU32::MIN);
                Arc::new(RateLimiter::direct(Quota::per_second(rate)))
            }
        };
        Self {
            ip_allow,
            ip_deny,
            limiter,
            loaded: Instant::now(),
            source,
        }
    }

    /// Takes one request from the source's rate limit, or says how long to wait.
    pub fn check_rate(&self) -> Result<(), RateLimited> {
        self.limiter.check().map_err(|not_until| RateLimited {
            limit: self.source.rate_limit,
            retry_after: not_until.wait_time_from(governor::clock::DefaultClock::default().now()),
        })
    }

    /// True when `ip` may send server-side requests: not in the denylist, and in the
    /// allowlist unless that is empty.
    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        !self.ip_deny.iter().any(|net| net.contains(&ip))
            && (self.ip_allow.is_empty() || self.ip_allow.iter().any(|net| net.contains(&ip)))
    }
}

/// A CIDR block, or a single address as its own block.
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Sources by id.
pub struct SourceCache {
    store: Arc<dyn Sources>,
    entries: RwLock<HashMap<String, Arc<SourceEntry>>>,
    /// Every pipeline source's origins, with when they were read.
    origins: RwLock<Option<(Instant, Arc<Vec<String>>)>>,
    ttl: Duration,
}

impl SourceCache {
    pub fn new(store: Arc<dyn Sources>, ttl: Duration) -> Self {
        Self {
            store,
            entries: RwLock::new(HashMap::new()),
            origins: RwLock::new(None),
            ttl,
        }
    }

    /// The live source `id`, if there is one.
    pub async fn get(&self, id: &str) -> Result<Option<Arc<SourceEntry>>, ApiError> {
        let cached = self.entries.read().ok().and_then(|e| e.get(id).cloned());
        if let Some(entry) = cached.as_ref().filter(|e| e.loaded.elapsed() < self.ttl) {
            return Ok(Some(Arc::clone(entry)));
        }
        let Some(source) = self.store.get_source(id, None).await? else {
            self.forget(id);
            return Ok(None);
        };
        let entry = Arc::new(SourceEntry::new(source, cached.as_deref()));
        if let Ok(mut entries) = self.entries.write() {
            entries.insert(id.to_owned(), Arc::clone(&entry));
        }
        Ok(Some(entry))
    }

    /// Drops the cached copy of `id` (after this process created, changed or deleted it).
    pub fn forget(&self, id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(id);
        }
        if let Ok(mut origins) = self.origins.write() {
            *origins = None;
        }
    }

    /// The allowed origins of every pipeline source (re-read after `ttl`).
    pub async fn all_origins(&self) -> Result<Arc<Vec<String>>, ApiError> {
        let cached = self.origins.read().ok().and_then(|o| o.clone());
        if let Some((_, origins)) = cached.filter(|(at, _)| at.elapsed() < self.ttl) {
            return Ok(origins);
        }
        let origins = Arc::new(self.store.all_origins().await?);
        if let Ok(mut cached) = self.origins.write() {
            *cached = Some((Instant::now(), Arc::clone(&origins)));
        }
        Ok(origins)
    }
}
