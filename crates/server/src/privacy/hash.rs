//! Keyed hashes: HMAC-SHA256 under the server's hash secret, hex-encoded. They replace bare
//! SHA-256 wherever a hash of something guessable is stored (the client IP, the client's
//! email and phone hashes), so a leaked database cannot be reversed by hashing every IPv4
//! address or a list of emails.
//!
//! The secret is `security.hash_secret` when set; otherwise `<data>/hash-secret.json`
//! (mode 0600, a JSON string in base64), created on the first start.

use std::{net::IpAddr, path::Path};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{secret::Secret, PrivacyError};
use crate::private_file::create_private;

/// The hash secret file inside a data directory.
pub const HASH_SECRET_FILE: &str = "hash-secret.json";

/// HMAC-SHA256 under one secret.
#[derive(Debug)]
pub struct KeyedHasher {
    secret: Secret,
}

impl KeyedHasher {
    pub fn new(secret: Secret) -> Self {
        Self { secret }
    }

    /// The configured secret, else the data directory's (created when missing).
    pub fn load(dir: &Path, configured: Option<&Secret>) -> Result<Self, PrivacyError> {
        if let Some(secret) = configured {
            return Ok(Self::new(secret.clone()));
        }
        let path = dir.join(HASH_SECRET_FILE);
        let fresh = Secret::random();
        let json = Zeroizing::new(format!("\"{}\"\n", fresh.to_base64()));
        let created = create_private(&path, json.as_bytes())
            .map_err(|err| PrivacyError::Io(path.clone(), err))?;
        if created {
            return Ok(Self::new(fresh));
        }
        let text = std::fs::read(&path)
            .map(Zeroizing::new)
            .map_err(|err| PrivacyError::Io(path.clone(), err))?;
        let secret: Secret = serde_json::from_slice(&text)
            .map_err(|err| PrivacyError::BadKeyFile(path, err.to_string()))?;
        Ok(Self::new(secret))
    }

    /// Hex HMAC-SHA256 of `value`.
    pub fn hash(&self, value: &str) -> String {
        // A MAC takes a key of any length; 32 bytes never fails.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.secret.expose())
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// blob20: the keyed hash of the client address as text (`127.0.0.1`, `2001:db8::1`).
    pub fn ip(&self, ip: IpAddr) -> String {
        self.hash(&ip.to_string())
    }

    /// blob11's first part: the keyed hash of `hem`, lowercased (hem is hex of either case).
    pub fn hem(&self, hem: &str) -> String {
        self.hash(&hem.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_the_secret_and_is_not_bare_sha256() {
        let a = KeyedHasher::new(Secret::random());
        let b = KeyedHasher::new(Secret::random());
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert_ne!(a.ip(ip), b.ip(ip));
        assert_eq!(a.ip(ip), a.ip(ip));
        let bare = hex::encode(<Sha256 as sha2::Digest>::digest(b"127.0.0.1"));
        assert_ne!(a.ip(ip), bare);
    }

    #[test]
    fn the_secret_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("dir");
        let first = KeyedHasher::load(dir.path(), None).expect("created");
        let again = KeyedHasher::load(dir.path(), None).expect("read");
        assert_eq!(first.hash("x"), again.hash("x"));
    }
}
