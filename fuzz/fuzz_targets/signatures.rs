//! Coverage-guided fuzzing of `clickwire_fuzzing::signatures` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::signatures(data));
