//! [`LiveKeys`]: the data keys as the running server holds them, reloaded when the keyring
//! file changes (after `clickwire key rotate-data-key`), so new events are sealed with a
//! rotated key without a restart.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, RwLock},
    time::{Duration, SystemTime},
};

use tokio::sync::watch;

use super::{keyring::DataKeys, secret::Secret, PrivacyError, KEYRING_FILE};

/// What the keyring file looked like when it was last read.
type Stamp = Option<(SystemTime, u64)>;

/// The current data keys and where they come from.
pub struct LiveKeys {
    dir: PathBuf,
    configured: Option<Secret>,
    retired: Vec<Secret>,
    keys: RwLock<Arc<DataKeys>>,
    stamp: Mutex<Stamp>,
}

impl std::fmt::Debug for LiveKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveKeys")
            .field("keys", &self.current())
            .finish_non_exhaustive()
    }
}

impl LiveKeys {
    /// Loads the keys once (creating the keyring file when nothing is configured).
    pub fn load(
        dir: &Path,
        configured: Option<&Secret>,
        retired: &[Secret],
    ) -> Result<Self, PrivacyError> {
        // Stamped before reading, so a change made while reading is seen at the next check;
        // a keyring this load created is stamped after it.
        let before = stamp(dir);
        let keys = DataKeys::load(dir, configured, retired)?;
        let stamp = before.or_else(|| stamp(dir));
        Ok(Self {
            dir: dir.to_owned(),
            configured: configured.cloned(),
            retired: retired.to_vec(),
            keys: RwLock::new(Arc::new(keys)),
            stamp: Mutex::new(stamp),
        })
    }

    /// The keys in force now.
    pub fn current(&self) -> Arc<DataKeys> {
        match self.keys.read() {
            Ok(keys) => Arc::clone(&keys),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the keyring again if its file changed; true when the keys were replaced.
    pub fn reload_if_changed(&self) -> Result<bool, PrivacyError> {
        let now = stamp(&self.dir);
        let mut seen = self.stamp.lock().unwrap_or_else(|p| p.into_inner());
        if now == *seen {
            return Ok(false);
        }
        let keys = DataKeys::load(&self.dir, self.configured.as_ref(), &self.retired)?;
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys);
        *seen = now;
        Ok(true)
    }

    /// Checks the keyring file every `every` until `stop` turns true.
    pub async fn run_reloader(self: Arc<Self>, every: Duration, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = tick.tick() => match self.reload_if_changed() {
                    Ok(true) => tracing::info!(current = self.current().current().0, "data keys reloaded"),
                    Ok(false) => {}
                    Err(err) => tracing::warn!(error = %err, "could not reload the data keys; keeping the loaded ones"),
                },
                _ = stop.changed() => return,
            }
        }
    }
}

/// The keyring file's modification time and length, `None` when it does not exist.
fn stamp(dir: &Path) -> Stamp {
    let meta = std::fs::metadata(dir.join(KEYRING_FILE)).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::rotate_data_key;

    #[test]
    fn a_rotation_is_picked_up_and_an_unchanged_file_is_not_reread() {
        let dir = tempfile::tempdir().expect("dir");
        let live = LiveKeys::load(dir.path(), None, &[]).expect("loaded");
        assert!(!live.reload_if_changed().expect("checked"));
        rotate_data_key(dir.path()).expect("rotated");
        assert!(live.reload_if_changed().expect("reloaded"));
        assert_eq!(live.current().current().0, "k2");
        assert!(live.current().get("k1").is_some());
    }
}
