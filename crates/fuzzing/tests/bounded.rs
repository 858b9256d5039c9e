//! The bounded fuzz run of the test suite: every target replays its corpus
//! (`fuzz/corpus/<target>/`: seeds, and every input that once crashed), then takes
//! generated inputs — seeds with bytes flipped, inserted and cut, and JSON built from the
//! fields the parsers know — for a fixed number of cases. The long coverage-guided runs
//! are `scripts/fuzz.sh` (RELIABILITY.md).

use std::{fs, path::PathBuf};

use clickwire_fuzzing::TARGETS;
use proptest::{prelude::*, test_runner::TestRunner};
use serde_json::{Map, Number, Value};

/// Generated cases per target.
const CASES: u32 = 2000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| fs::read(path).expect("corpus file"))
        .collect()
}

/// A seed with up to eight edits: a byte replaced, a byte inserted, or the rest cut.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec((0..3u8, any::<prop::sample::Index>(), any::<u8>()), 0..8);
    (prop::sample::select(seeds), edits).prop_map(|(mut seed, edits)| {
        for (kind, at, byte) in edits {
            let len = seed.len();
            match kind {
                0 if len > 0 => seed[at.index(len)] = byte,
                1 => seed.insert(at.index(len + 1), byte),
                _ if len > 0 => seed.truncate(at.index(len)),
                _ => {}
            }
        }
        seed
    })
}

/// JSON whose keys are the ones the parsers look for, with values of every type.
fn json() -> impl Strategy<Value = Vec<u8>> {
    const KEYS: &[&str] = &[
        "events",
        "type",
        "visitorId",
        "sessionId",
        "timestamp",
        "page",
        "url",
        "device",
        "userAgent",
        "consent",
        "properties",
        "batch",
        "event",
        "userId",
        "anonymousId",
        "messageId",
        "sentAt",
        "context",
        "traits",
        "previousId",
        "groupId",
        "name",
        "path",
        "op",
        "value",
        "channel",
        "click",
        "scroll",
        "form",
        "writeKey",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z]{0,8}|\\PC{0,16}|2026-12-01T00:00:00Z|pageview|click|track|eq|in|gt"
            .prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    });
    value.prop_map(|v| serde_json::to_vec(&v).expect("json"))
}

#[test]
fn every_target_survives_its_corpus_and_generated_inputs() {
    for (name, target) in TARGETS {
        let seeds = corpus(name);
        assert!(!seeds.is_empty(), "fuzz/corpus/{name} holds no seed");
        for seed in &seeds {
            target(seed);
        }
        let mut runner = TestRunner::new(ProptestConfig {
            cases: CASES,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        let inputs = prop_oneof![mutated(seeds), json()];
        runner
            .run(&inputs, |input| {
                target(&input);
                Ok(())
            })
            .unwrap_or_else(|err| panic!("{name}: {err}"));
    }
}
