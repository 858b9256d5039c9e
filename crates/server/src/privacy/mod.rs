//! Personal data at rest. Before an event is stored, its personal fields (`rawEmail`,
//! `rawPhone`, form `values`, file `text_excerpt`) are sealed with XChaCha20-Poly1305 under
//! the current data key and replaced in the payload by `{"encrypted":true}`; the
//! ciphertexts go to the row's `sealed` column, and only the audited reveal opens them. The
//! client's identity hashes and the client address are stored only as keyed hashes.
//!
//! - [`secret`]: key material that never prints;
//! - [`keyring`]: the data keys (configured, or the keyring file) and their rotation;
//! - [`live`]: the data keys of the running server, reloaded after a rotation;
//! - [`cipher`]: sealing and opening one value;
//! - [`fields`]: which fields are personal, and the placeholder rewrite;
//! - [`hash`]: HMAC-SHA256 under the hash secret.

pub mod cipher;
pub mod fields;
pub mod hash;
pub mod keyring;
pub mod live;
pub mod secret;

use std::{collections::BTreeMap, path::Path};

use clickwire_model::{identity_keys, AnalyticsExtras, Event};
use serde_json::Value;

pub use self::{
    cipher::Place,
    hash::{KeyedHasher, HASH_SECRET_FILE},
    keyring::{rotate_data_key, DataKeys, KEYRING_FILE},
    live::LiveKeys,
    secret::Secret,
};
use crate::config::SecurityConfig;

/// What can go wrong sealing, opening or loading keys. No variant carries a plaintext.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    #[error("{path}: {err}", path = .0.display(), err = .1)]
    Io(std::path::PathBuf, #[source] std::io::Error),
    #[error("key file {path}: {why}", path = .0.display(), why = .1)]
    BadKeyFile(std::path::PathBuf, String),
    #[error("a value was sealed under data key {0}, which is not in the keyring")]
    UnknownKey(String),
    #[error("a sealed value is damaged or belongs to another place")]
    Corrupt,
    #[error("sealing a value failed")]
    Seal,
    #[error("encoding a sealed value failed: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The server's keys for personal data.
#[derive(Debug)]
pub struct Privacy {
    pub data_keys: std::sync::Arc<LiveKeys>,
    pub hashes: KeyedHasher,
}

impl Privacy {
    /// The keys `config` names, else those of the data directory (created on first start).
    pub fn load(config: &SecurityConfig, dir: &Path) -> Result<Self, PrivacyError> {
        std::fs::create_dir_all(dir).map_err(|err| PrivacyError::Io(dir.to_owned(), err))?;
        Ok(Self {
            data_keys: std::sync::Arc::new(LiveKeys::load(
                dir,
                config.data_key.as_ref(),
                &config.retired_data_keys,
            )?),
            hashes: KeyedHasher::load(dir, config.hash_secret.as_ref())?,
        })
    }
}

/// What [`protect`] produced for one event.
#[derive(Debug, Default)]
pub struct Protected {
    /// The `sealed` column: field path → sealed value, as JSON; `None` without personal
    /// fields.
    pub sealed: Option<String>,
    hmac_hem: Option<String>,
    hmac_phone: Option<String>,
}

impl Protected {
    /// Puts the keyed identity hashes where the analytics mapping takes them.
    pub fn fill(&self, extras: &mut AnalyticsExtras) {
        extras.hmac_hem.clone_from(&self.hmac_hem);
        extras.hmac_phone.clone_from(&self.hmac_phone);
    }
}

/// Seals the personal fields of `tenant`'s event `event_id` (leaving placeholders in its
/// payload) and keys its identity hashes.
pub fn protect(
    privacy: &Privacy,
    tenant: &str,
    event_id: &str,
    event: &mut Event,
) -> Result<Protected, PrivacyError> {
    let identity = identity_keys(event);
    let hmac_hem = identity.hem.map(|hem| privacy.hashes.hem(hem));
    let hmac_phone = identity.phone.map(|phone| privacy.hashes.hash(phone));
    let personal = fields::take_personal(event);
    // Most events have no personal field: they never touch the keyring's lock.
    let sealed = if personal.is_empty() {
        None
    } else {
        Some(seal_all(privacy, tenant, event_id, personal)?)
    };
    Ok(Protected {
        sealed,
        hmac_hem,
        hmac_phone,
    })
}

/// The `sealed` column of an event's personal fields: field path → sealed value, as JSON.
fn seal_all(
    privacy: &Privacy,
    tenant: &str,
    event_id: &str,
    personal: Vec<(String, Value)>,
) -> Result<String, PrivacyError> {
    let keys = privacy.data_keys.current();
    let mut sealed = BTreeMap::new();
    for (field, value) in personal {
        let plaintext = zeroize::Zeroizing::new(serde_json::to_vec(&value)?);
        let place = Place {
            tenant,
            event_id,
            field: &field,
        };
        let text = cipher::seal(&keys, place, &plaintext)?;
        sealed.insert(field, text);
    }
    Ok(serde_json::to_string(&sealed)?)
}

/// The sealed value of `field` in a stored `sealed` column, if the event has one.
pub fn sealed_field(column: Option<&str>, field: &str) -> Result<Option<String>, PrivacyError> {
    let Some(column) = column else {
        return Ok(None);
    };
    let mut fields: BTreeMap<String, String> = serde_json::from_str(column)?;
    Ok(fields.remove(field))
}

/// Opens a sealed value to the JSON value the client sent.
pub fn open(privacy: &Privacy, place: Place<'_>, sealed: &str) -> Result<Value, PrivacyError> {
    let plaintext = cipher::open(&privacy.data_keys.current(), place, sealed)?;
    Ok(serde_json::from_slice(&plaintext)?)
}
