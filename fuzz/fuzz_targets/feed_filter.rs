//! Coverage-guided fuzzing of `clickwire_fuzzing::feed_filter` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::feed_filter(data));
