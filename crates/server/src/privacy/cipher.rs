//! Sealing one value: XChaCha20-Poly1305 under the current data key with a random 192-bit
//! nonce, written `"<key id>:<base64 of nonce ‖ ciphertext>"`. The associated data binds a
//! ciphertext to its tenant, event and field, so it cannot be moved to another row or field.

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, OsRng, Payload},
    KeyInit, XChaCha20Poly1305, XNonce,
};
use zeroize::Zeroizing;

use super::{keyring::DataKeys, secret::Secret, PrivacyError};

/// Bytes of an XChaCha20 nonce.
const NONCE_LEN: usize = 24;

/// Where a sealed value belongs: the associated data of its ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub tenant: &'a str,
    pub event_id: &'a str,
    pub field: &'a str,
}

impl Place<'_> {
    fn aad(&self) -> Vec<u8> {
        format!(
            "clickwire-seal-v1\0{}\0{}\0{}",
            self.tenant, self.event_id, self.field
        )
        .into_bytes()
    }
}

/// Encrypts `plaintext` for `place` under the current key.
pub fn seal(keys: &DataKeys, place: Place<'_>, plaintext: &[u8]) -> Result<String, PrivacyError> {
    let (kid, key) = keys.current();
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = place.aad();
    let ciphertext = cipher(key)
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| PrivacyError::Seal)?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&ciphertext);
    Ok(format!("{kid}:{}", STANDARD.encode(sealed)))
}

/// Decrypts a value [`seal`] wrote for `place`, under whichever key sealed it.
pub fn open(
    keys: &DataKeys,
    place: Place<'_>,
    sealed: &str,
) -> Result<Zeroizing<Vec<u8>>, PrivacyError> {
    let (kid, body) = sealed.split_once(':').ok_or(PrivacyError::Corrupt)?;
    let key = keys
        .get(kid)
        .ok_or_else(|| PrivacyError::UnknownKey(kid.to_owned()))?;
    let bytes = STANDARD.decode(body).map_err(|_| PrivacyError::Corrupt)?;
    if bytes.len() < NONCE_LEN {
        return Err(PrivacyError::Corrupt);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    let aad = place.aad();
    cipher(key)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| PrivacyError::Corrupt)
}

/// The key id of a sealed value.
pub fn key_id(sealed: &str) -> Option<&str> {
    sealed.split_once(':').map(|(kid, _)| kid)
}

fn cipher(key: &Secret) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.expose().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (tempfile::TempDir, DataKeys) {
        let dir = tempfile::tempdir().expect("dir");
        let keys = DataKeys::load(dir.path(), None, &[]).expect("keys");
        (dir, keys)
    }

    const PLACE: Place<'static> = Place {
        tenant: "t",
        event_id: "evt_1",
        field: "rawEmail",
    };

    #[test]
    fn a_sealed_value_opens_to_the_plaintext_and_names_its_key() {
        let (_dir, keys) = keys();
        let sealed = seal(&keys, PLACE, b"a@example.com").expect("sealed");
        assert_eq!(key_id(&sealed), Some("k1"));
        assert!(!sealed.contains("example"));
        assert_eq!(
            open(&keys, PLACE, &sealed).expect("opened").as_slice(),
            b"a@example.com"
        );
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let (_dir, keys) = keys();
        assert_ne!(
            seal(&keys, PLACE, b"x").expect("one"),
            seal(&keys, PLACE, b"x").expect("two")
        );
    }

    #[test]
    fn a_ciphertext_moved_to_another_field_does_not_open() {
        let (_dir, keys) = keys();
        let sealed = seal(&keys, PLACE, b"x").expect("sealed");
        let elsewhere = Place {
            field: "rawPhone",
            ..PLACE
        };
        assert!(matches!(
            open(&keys, elsewhere, &sealed),
            Err(PrivacyError::Corrupt)
        ));
    }
}
