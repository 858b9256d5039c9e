//! The key cache: live keys by hash in memory, reloaded from the catalog on a timer (so a
//! revoked or expired key stops working within one refresh) and looked up in the catalog
//! on a miss (so a new key works at once).
//!
//! Unknown keys are remembered as misses for `miss_ttl` (the server passes
//! `auth.key_refresh`), at most [`MAX_MISSES`] of them, so a flood of made-up keys costs
//! one catalog read per distinct key per refresh interval rather than one per request.
//! A miss never hides a key created afterwards: keys are random (≈ 190 bits), so a key
//! cannot have been presented, and missed, before it was created; the short TTL also
//! bounds any other way a catalog could change underneath (a restored backup).
//!
//! Live connections opened with a key (the Signals Feed) hold a [`watch`] of its id: it
//! fires when the key leaves the live set — revoked through this process (at once), or
//! revoked by another process (the CLI) or expired (at the next refresh).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use clickwire_store::{keys, AuthKey, Catalog};
use quick_cache::sync::Cache;
use tokio::sync::watch;

use crate::{error::ApiError, ingest::now_ms};

/// Most unknown keys remembered at once.
pub const MAX_MISSES: usize = 10_000;

/// Live keys by SHA-256 hash, recent misses, and the revocation watches of live sockets.
pub struct KeyCache {
    catalog: Arc<dyn Catalog>,
    live: RwLock<HashMap<String, Arc<AuthKey>>>,
    /// Hashes the catalog did not know, with when it was asked.
    misses: Cache<String, Instant>,
    miss_ttl: Duration,
    /// Per key id: set to `true` once the key is no longer live.
    watches: Mutex<HashMap<String, Watch>>,
}

/// The revocation watch of one key.
struct Watch {
    hash: String,
    fire: watch::Sender<bool>,
}

impl KeyCache {
    /// An empty cache over `catalog`; unknown keys are remembered for `miss_ttl`.
    pub fn new(catalog: Arc<dyn Catalog>, miss_ttl: Duration) -> Self {
        Self {
            catalog,
            live: RwLock::new(HashMap::new()),
            misses: Cache::new(MAX_MISSES),
            miss_ttl,
            watches: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves a presented key, or `invalid_api_key`.
    pub async fn authenticate(&self, key: Option<&str>) -> Result<Arc<AuthKey>, ApiError> {
        let key = key.ok_or(ApiError::InvalidApiKey)?;
        self.authenticate_hash(&keys::hash(key)).await
    }

    /// Resolves a key by its hash (a dashboard session holds the hash, never the key), or
    /// `invalid_api_key`.
    pub async fn authenticate_hash(&self, hash: &str) -> Result<Arc<AuthKey>, ApiError> {
        let hash = hash.to_owned();
        if let Some(found) = self.live.read().ok().and_then(|m| m.get(&hash).cloned()) {
            // The refresh drops expired keys; until it runs, the expiry is checked here.
            if found.is_expired(now_ms()) {
                self.ended(&found.id);
                return Err(ApiError::InvalidApiKey);
            }
            return Ok(found);
        }
        if self
            .misses
            .get(&hash)
            .is_some_and(|at| at.elapsed() < self.miss_ttl)
        {
            return Err(ApiError::InvalidApiKey);
        }
        metrics::counter!("clickwire_auth_catalog_lookups_total").increment(1);
        let Some(found) = self.catalog.find_key(&hash).await? else {
            self.misses.insert(hash, Instant::now());
            return Err(ApiError::InvalidApiKey);
        };
        let found = Arc::new(found);
        if let Ok(mut live) = self.live.write() {
            live.insert(hash, Arc::clone(&found));
        }
        Ok(found)
    }

    /// A watch that turns `true` once `key` is revoked or expired.
    pub fn watch(&self, key: &AuthKey) -> watch::Receiver<bool> {
        match self.watches.lock() {
            Ok(mut watches) => watches
                .entry(key.id.clone())
                .or_insert_with(|| Watch {
                    hash: key.hash.clone(),
                    fire: watch::channel(false).0,
                })
                .fire
                .subscribe(),
            // A poisoned lock: a watch that never fires; the key still fails at its next use.
            Err(_) => watch::channel(false).1,
        }
    }

    /// Key `id` was revoked through this process: it stops working, and its sockets
    /// close, now rather than at the next refresh.
    pub fn revoked(&self, id: &str) {
        if let Ok(mut live) = self.live.write() {
            live.retain(|_, key| key.id != id);
        }
        self.ended(id);
    }

    /// Fires the watch of a key that is no longer live.
    fn ended(&self, id: &str) {
        let fired = self.watches.lock().ok().and_then(|mut w| w.remove(id));
        if let Some(watch) = fired {
            watch.fire.send_replace(true);
        }
    }

    /// Replaces the cache with the catalog's live keys; fires the watches of keys that
    /// left it.
    pub async fn refresh(&self) -> Result<(), ApiError> {
        let fresh: HashMap<_, _> = self
            .catalog
            .live_keys()
            .await?
            .into_iter()
            .map(|k| (k.hash.clone(), Arc::new(k)))
            .collect();
        let ids: HashSet<&str> = fresh.values().map(|k| k.id.as_str()).collect();
        let mut gone = Vec::new();
        if let Ok(mut watches) = self.watches.lock() {
            watches.retain(|_, watch| watch.fire.receiver_count() > 0);
            gone.extend(
                watches
                    .iter()
                    .filter(|(id, _)| !ids.contains(id.as_str()))
                    .map(|(id, watch)| (id.clone(), watch.hash.clone())),
            );
        }
        if let Ok(mut live) = self.live.write() {
            *live = fresh;
        }
        // A key created while the live set was being read is missing from it but live:
        // each key that seems gone is asked for once more (revocations are rare).
        for (id, hash) in gone {
            if self.catalog.find_key(&hash).await?.is_none() {
                self.ended(&id);
            }
        }
        Ok(())
    }

    /// Refreshes every `every` until `stop` changes.
    pub async fn run_refresher(self: Arc<Self>, every: Duration, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(err) = self.refresh().await {
                        tracing::warn!(error = %err, "key cache refresh failed; keeping the old keys");
                    }
                }
                _ = stop.changed() => return,
            }
        }
    }
}
