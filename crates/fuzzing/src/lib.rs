//! The fuzz targets: one function per parser or decoder that takes bytes from outside.
//! Each takes any input without panicking and checks what must hold of what it accepts.
//! The coverage-guided fuzzer (`fuzz/`, `scripts/fuzz.sh`) and the bounded run of the test
//! suite (`tests/bounded.rs`) call the same functions, so a crash found by one is replayed
//! by the other from `fuzz/corpus/<target>/`.
//!
//! Inputs with several parts (a header and a body, say) are split at `\n`, so a text
//! corpus file reads as the request it stands for.

mod requests;
mod texts;

pub use requests::{signatures, webhook_request};
pub use texts::{connection_rules, event_batch, feed_filter, pipeline_message, stream_control};

/// A fuzz target: takes any bytes, panics only on a bug.
pub type Target = fn(&[u8]);

/// Every target by its name (the folder of its corpus, the name of its fuzz binary).
pub const TARGETS: [(&str, Target); 7] = [
    ("event_batch", event_batch),
    ("pipeline_message", pipeline_message),
    ("feed_filter", feed_filter),
    ("connection_rules", connection_rules),
    ("stream_control", stream_control),
    ("signatures", signatures),
    ("webhook_request", webhook_request),
];

/// The first `N` parts of `data` split at `\n`; missing parts are empty, the last part
/// keeps the rest (newlines included).
fn parts<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i + 1 == N {
            *slot = rest;
            break;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => {
                *slot = &rest[..at];
                rest = &rest[at + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn parts_split_at_newlines_and_the_last_keeps_the_rest() {
        let [a, b, c] = parts::<3>(b"one\ntwo\nthree\nfour");
        assert_eq!((a, b, c), (&b"one"[..], &b"two"[..], &b"three\nfour"[..]));
        let [a, b, c] = parts::<3>(b"only");
        assert_eq!((a, b, c), (&b"only"[..], &b""[..], &b""[..]));
    }
}
