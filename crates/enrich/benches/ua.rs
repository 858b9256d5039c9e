//! User-agent parsing speed: a warm-cache hit (the common case: a site sees few distinct
//! UAs), the uncached parse (uap browser + OS regexes, device tokens and the bot
//! registry), the bot registry alone, and building the parser at start-up.
//!
//! `cargo bench -p clickwire-enrich --bench ua`

use std::hint::black_box;

use clickwire_enrich::ua::UaParser;
use criterion::{criterion_group, criterion_main, Criterion};

/// A browser mix plus the bots and tools the registry exists for.
const USER_AGENTS: [(&str, &str); 6] = [
    ("chrome_macos", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"),
    ("safari_iphone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"),
    ("chrome_android", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36"),
    ("edge_windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"),
    ("googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("curl", "curl/8.5.0"),
];

fn parser() -> UaParser {
    match UaParser::new(10_000) {
        Ok(parser) => parser,
        Err(error) => panic!("vendored data does not compile: {error}"),
    }
}

fn warm_cache(c: &mut Criterion) {
    let parser = parser();
    let mut group = c.benchmark_group("parse_warm_cache");
    for (name, ua) in USER_AGENTS {
        parser.parse(ua);
        group.bench_function(name, |b| b.iter(|| parser.parse(black_box(ua))));
    }
    group.finish();
}

fn uncached(c: &mut Criterion) {
    let parser = parser();
    let mut group = c.benchmark_group("parse_uncached");
    for (name, ua) in USER_AGENTS {
        group.bench_function(name, |b| b.iter(|| parser.parse_uncached(black_box(ua))));
    }
    group.finish();
}

fn bot_registry(c: &mut Criterion) {
    let parser = parser();
    let mut group = c.benchmark_group("bot_registry_classify");
    for (name, ua) in USER_AGENTS {
        group.bench_function(name, |b| b.iter(|| parser.bots().classify(black_box(ua))));
    }
    group.finish();
}

fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function("ua_parser_new", |b| b.iter(parser));
    group.finish();
}

criterion_group!(benches, warm_cache, uncached, bot_registry, startup);
criterion_main!(benches);
