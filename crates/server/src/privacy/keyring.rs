//! The data keys: every key that may have sealed a stored value, by key id, and the current
//! one new values are sealed with.
//!
//! Where they come from, at start-up:
//! - `security.data_key` (config or `CLICKWIRE_SECURITY__DATA_KEY`), when set, is the
//!   current key, with the id `cfg-` + the first 8 hex digits of its SHA-256;
//!   `security.retired_data_keys` keep values sealed under earlier configured keys readable;
//! - the keyring file `<data>/data-keys.json` (mode 0600): `{"current":"k2","keys":
//!   {"k1":"<base64>","k2":"<base64>"}}`. Without a configured key the first start creates
//!   it with one key; [`rotate_data_key`] adds a new current key and keeps the old ones.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{secret::Secret, PrivacyError};
use crate::private_file::{create_private, write_private};

/// The keyring file inside a data directory.
pub const KEYRING_FILE: &str = "data-keys.json";

/// The keyring file as stored (keys in base64).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringFile {
    current: String,
    keys: BTreeMap<String, String>,
}

/// Every known data key and the current one.
pub struct DataKeys {
    current: String,
    keys: BTreeMap<String, Secret>,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeys")
            .field("current", &self.current)
            .field("ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl DataKeys {
    /// The keys of `dir`'s keyring plus the configured ones; creates the keyring file with
    /// a fresh key when there is neither.
    pub fn load(
        dir: &Path,
        configured: Option<&Secret>,
        retired: &[Secret],
    ) -> Result<Self, PrivacyError> {
        let path = dir.join(KEYRING_FILE);
        let file = match (read_keyring(&path)?, configured) {
            (Some(file), _) => Some(file),
            (None, Some(_)) => None,
            (None, None) => Some(create_keyring(&path)?),
        };
        let mut keys = DataKeys {
            current: String::new(),
            keys: BTreeMap::new(),
        };
        if let Some(file) = file {
            keys.current = file.current.clone();
            keys.keys = decode_keys(&path, &file)?;
        }
        for key in retired {
            keys.keys.insert(configured_id(key), key.clone());
        }
        if let Some(key) = configured {
            keys.current = configured_id(key);
            keys.keys.insert(keys.current.clone(), key.clone());
        }
        if !keys.keys.contains_key(&keys.current) {
            return Err(PrivacyError::BadKeyFile(
                path,
                "its current key is missing".into(),
            ));
        }
        Ok(keys)
    }

    /// The id and key new values are sealed with.
    pub fn current(&self) -> (&str, &Secret) {
        let key = &self.keys[&self.current];
        (&self.current, key)
    }

    /// The key with id `kid`, if known.
    pub fn get(&self, kid: &str) -> Option<&Secret> {
        self.keys.get(kid)
    }
}

/// Adds a new current key to `dir`'s keyring (creating it if needed); the old keys stay,
/// so everything sealed before remains readable. Returns the new key's id. A running server
/// picks it up within `auth.key_refresh` (see [`super::live`]).
pub fn rotate_data_key(dir: &Path) -> Result<String, PrivacyError> {
    let path = dir.join(KEYRING_FILE);
    let mut file = read_keyring(&path)?.unwrap_or(KeyringFile {
        current: String::new(),
        keys: BTreeMap::new(),
    });
    let kid = next_id(&file);
    file.keys.insert(kid.clone(), Secret::random().to_base64());
    file.current = kid.clone();
    let json = Zeroizing::new(to_json(&file)?);
    write_private(&path, &json).map_err(|err| PrivacyError::Io(path, err))?;
    Ok(kid)
}

/// `k<n+1>` after the highest `k<n>` of the file.
fn next_id(file: &KeyringFile) -> String {
    let highest = file
        .keys
        .keys()
        .filter_map(|kid| kid.strip_prefix('k')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("k{}", highest + 1)
}

/// The id of a configured key: a fingerprint, so the same key always has the same id.
fn configured_id(key: &Secret) -> String {
    let digest = Sha256::digest(key.expose());
    format!("cfg-{}", &hex::encode(digest)[..8])
}

fn read_keyring(path: &Path) -> Result<Option<KeyringFile>, PrivacyError> {
    let text = match std::fs::read(path) {
        Ok(text) => Zeroizing::new(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(PrivacyError::Io(path.to_owned(), err)),
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|err| PrivacyError::BadKeyFile(path.to_owned(), err.to_string()))
}

/// Creates the keyring with one key; reads the one another process created first.
fn create_keyring(path: &Path) -> Result<KeyringFile, PrivacyError> {
    let file = KeyringFile {
        current: "k1".into(),
        keys: BTreeMap::from([("k1".to_owned(), Secret::random().to_base64())]),
    };
    let json = Zeroizing::new(to_json(&file)?);
    if create_private(path, &json).map_err(|err| PrivacyError::Io(path.to_owned(), err))? {
        return Ok(file);
    }
    read_keyring(path)?.ok_or_else(|| PrivacyError::BadKeyFile(path.to_owned(), "vanished".into()))
}

fn decode_keys(path: &Path, file: &KeyringFile) -> Result<BTreeMap<String, Secret>, PrivacyError> {
    file.keys
        .iter()
        .map(|(kid, text)| {
            let key = Secret::parse(text)
                .map_err(|why| PrivacyError::BadKeyFile(path.to_owned(), format!("{kid} {why}")))?;
            Ok((kid.clone(), key))
        })
        .collect()
}

fn to_json(file: &KeyringFile) -> Result<Vec<u8>, PrivacyError> {
    let mut json = serde_json::to_vec_pretty(file)
        .map_err(|err| PrivacyError::BadKeyFile(PathBuf::from(KEYRING_FILE), err.to_string()))?;
    json.push(b'\n');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_adds_a_current_key_and_keeps_the_old_ones() {
        let dir = tempfile::tempdir().expect("dir");
        let first = DataKeys::load(dir.path(), None, &[]).expect("created");
        assert_eq!(first.current().0, "k1");
        assert_eq!(rotate_data_key(dir.path()).expect("rotated"), "k2");
        let after = DataKeys::load(dir.path(), None, &[]).expect("reloaded");
        assert_eq!(after.current().0, "k2");
        assert_eq!(after.get("k1"), first.get("k1"));
    }

    #[test]
    fn a_configured_key_is_current_and_creates_no_file() {
        let dir = tempfile::tempdir().expect("dir");
        let key = Secret::random();
        let keys = DataKeys::load(dir.path(), Some(&key), &[]).expect("loaded");
        assert!(keys.current().0.starts_with("cfg-"));
        assert_eq!(keys.current().1, &key);
        assert!(!dir.path().join(KEYRING_FILE).exists());
    }

    #[test]
    fn retired_configured_keys_stay_readable() {
        let dir = tempfile::tempdir().expect("dir");
        let (old, new) = (Secret::random(), Secret::random());
        let keys =
            DataKeys::load(dir.path(), Some(&new), std::slice::from_ref(&old)).expect("loaded");
        assert_eq!(keys.get(&configured_id(&old)), Some(&old));
        assert_eq!(keys.current().1, &new);
    }
}
