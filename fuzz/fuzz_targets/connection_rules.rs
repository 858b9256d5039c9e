//! Coverage-guided fuzzing of `clickwire_fuzzing::connection_rules` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::connection_rules(data));
