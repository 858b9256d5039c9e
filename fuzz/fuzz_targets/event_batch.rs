//! Coverage-guided fuzzing of `clickwire_fuzzing::event_batch` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::event_batch(data));
