//! Coverage-guided fuzzing of `clickwire_fuzzing::stream_control` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::stream_control(data));
