//! The key cache: live keys by hash in memory, reloaded from the catalog on a timer (so a
//! revoked key stops working within one refresh) and looked up in the catalog on a miss
//! (so a new key works at once).

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use clickwire_store::{keys, AuthKey, Catalog};
use tokio::sync::watch;

use crate::error::ApiError;

/// Live keys by SHA-256 hash.
pub struct KeyCache {
    catalog: Arc<dyn Catalog>,
    live: RwLock<HashMap<String, Arc<AuthKey>>>,
}

impl KeyCache {
    pub fn new(catalog: Arc<dyn Catalog>) -> Self {
        Self {
            catalog,
            live: RwLock::new(HashMap::new()),
        }
    }

    /// Resolves a presented key, or `invalid_api_key`.
    pub async fn authenticate(&self, key: Option<&str>) -> Result<Arc<AuthKey>, ApiError> {
        let key = key.ok_or(ApiError::InvalidApiKey)?;
        let hash = keys::hash(key);
        if let Some(found) = self.live.read().ok().and_then(|m| m.get(&hash).cloned()) {
            // The refresh drops expired keys; until it runs, the expiry is checked here.
            if found.is_expired(crate::ingest::now_ms()) {
                return Err(ApiError::InvalidApiKey);
            }
            return Ok(found);
        }
        let found = self
            .catalog
            .find_key(&hash)
            .await?
            .ok_or(ApiError::InvalidApiKey)?;
        let found = Arc::new(found);
        if let Ok(mut live) = self.live.write() {
            live.insert(hash, Arc::clone(&found));
        }
        Ok(found)
    }

    /// Replaces the cache with the catalog's live keys.
    pub async fn refresh(&self) -> Result<(), ApiError> {
        let fresh: HashMap<_, _> = self
            .catalog
            .live_keys()
            .await?
            .into_iter()
            .map(|k| (k.hash.clone(), Arc::new(k)))
            .collect();
        if let Ok(mut live) = self.live.write() {
            *live = fresh;
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
