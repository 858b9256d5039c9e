//! [`Secret`]: 32 bytes of key material (a data key or the hash secret). It never prints
//! (`Debug` shows `Secret(<redacted>)`, there is no `Display`), is wiped from memory when
//! dropped, and is read from configuration as 64 hex digits or base64.

use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{aead::OsRng, KeyInit, XChaCha20Poly1305};
use serde::{Deserialize, Deserializer};
use zeroize::Zeroize;

/// Length of every secret, bytes.
pub const SECRET_LEN: usize = 32;

/// 32 bytes of key material.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; SECRET_LEN]);

impl Secret {
    /// Fresh random key material from the operating system.
    pub fn random() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = [0; SECRET_LEN];
        bytes.copy_from_slice(&key);
        Self(bytes)
    }

    /// Reads 64 hex digits or the base64 of 32 bytes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let decoded = if text.len() == 2 * SECRET_LEN {
            hex::decode(text).ok()
        } else {
            None
        };
        let mut bytes = decoded
            .or_else(|| STANDARD.decode(text).ok())
            .ok_or_else(|| "must be 32 bytes as 64 hex digits or base64".to_string())?;
        let secret = <[u8; SECRET_LEN]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| format!("must be {SECRET_LEN} bytes, not {}", bytes.len()));
        bytes.zeroize();
        secret
    }

    /// The key material, for the cipher or the MAC.
    pub fn expose(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// Base64, the form key files hold.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = zeroize::Zeroizing::new(String::deserialize(deserializer)?);
        Secret::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_base64_read_the_same_bytes() {
        let hex_text = "00".repeat(31) + "ff";
        let from_hex = Secret::parse(&hex_text).expect("hex");
        let from_b64 = Secret::parse(&from_hex.to_base64()).expect("base64");
        assert_eq!(from_hex, from_b64);
        assert_eq!(from_hex.expose()[31], 0xff);
    }

    #[test]
    fn a_secret_of_the_wrong_length_is_refused() {
        assert!(Secret::parse(&STANDARD.encode([1u8; 16])).is_err());
        assert!(Secret::parse("not a key").is_err());
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let secret = Secret::parse(&"ab".repeat(32)).expect("hex");
        let printed = format!("{secret:?}");
        assert!(!printed.contains("ab"), "{printed}");
        assert!(!printed.contains(&secret.to_base64()), "{printed}");
    }
}
