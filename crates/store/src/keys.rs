//! API key material: generation with the kind's prefix, the SHA-256 hash that is the only
//! form stored, and the short prefix shown in listings.

use rand::{distr::Alphanumeric, Rng};
use sha2::{Digest, Sha256};

use crate::KeyKind;

/// Number of random characters after the prefix (≈ 190 bits).
const SECRET_LEN: usize = 32;
/// How many characters of a key a listing shows.
const DISPLAY_LEN: usize = 16;

/// A fresh key of `kind`, e.g. `cs_live_3hX…` (`dk_test_…` for a pipeline test key).
pub fn generate(kind: KeyKind, test: bool) -> String {
    let secret: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(SECRET_LEN)
        .map(char::from)
        .collect();
    let prefix = if test {
        kind.test_prefix()
    } else {
        kind.prefix()
    };
    format!("{prefix}{secret}")
}

/// The stored form of a key: lowercase hex SHA-256.
pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The part of a key safe to show again after creation.
pub fn display_prefix(key: &str) -> String {
    let end = key
        .char_indices()
        .nth(DISPLAY_LEN)
        .map_or(key.len(), |(i, _)| i);
    format!("{}…", &key[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_carry_their_kind_prefix_and_differ() {
        let a = generate(KeyKind::Mobile, false);
        let b = generate(KeyKind::Mobile, false);
        assert!(a.starts_with("cs_mob_live_"));
        assert_eq!(a.len(), "cs_mob_live_".len() + SECRET_LEN);
        assert_ne!(a, b);
    }

    #[test]
    fn the_hash_is_stable_hex_sha256() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_display_prefix_hides_the_secret() {
        let key = "cs_live_abcdefghijklmnopqrstuvwxyz";
        assert_eq!(display_prefix(key), "cs_live_abcdefgh…");
    }
}
