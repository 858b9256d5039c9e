//! FNV-1a, 64 bits: how page paths and form ids are remembered without keeping (and
//! allocating) their strings. Collisions only blur circular-navigation and form tracking.

/// FNV-1a 64-bit offset basis (from the FNV specification).
const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime (from the FNV specification).
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// The FNV-1a hash of `text`'s bytes.
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes()
        .fold(OFFSET_BASIS, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::fnv1a;

    #[test]
    fn matches_the_published_test_vectors() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
