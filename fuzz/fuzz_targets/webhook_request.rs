//! Coverage-guided fuzzing of `clickwire_fuzzing::webhook_request` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::webhook_request(data));
