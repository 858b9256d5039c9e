//! Coverage-guided fuzzing of `clickwire_fuzzing::pipeline_message` (see crates/fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clickwire_fuzzing::pipeline_message(data));
