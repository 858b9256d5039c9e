//! Hot-path cost of ingest: `parse_events` on a realistic pageview and on a full batch, and
//! `analytics_row` on a parsed event.

use clickwire_model::{analytics_row, parse_events, AnalyticsExtras, ValidateContext};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const NOW: i64 = 1_713_797_640_000;

/// A browser pageview as the SDK sends it, about 750 bytes (UTMs in the URL, consent, performance timings).
const PAGEVIEW: &str = r#"{"type":"pageview","visitorId":"vis_01HVZ3K8Q6Y2M4N7P9R1S3T5V7","sessionId":"sess_01HVZ3M2B4C6D8E0F2G4H6J8K0","timestamp":1713797639000,"page":{"url":"https://www.example.com/docs/install?utm_source=newsletter&utm_medium=email&utm_campaign=spring_launch","path":"/docs/install","title":"Install the SDK - Example Docs","referrer":"https://www.google.com/"},"device":{"userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36","viewport":{"width":1440,"height":789},"fingerprintConfidence":92,"gpuRenderer":"ANGLE (Apple M1 Pro)","connectionType":"4g","pixelRatio":2,"language":"en-US"},"consent":{"analytics":true},"performance":{"loadTime":812,"domContentLoaded":403,"firstContentfulPaint":297}}"#;

fn ctx() -> ValidateContext {
    ValidateContext { now_ms: NOW }
}

fn batch_of_25() -> String {
    format!("{{\"events\":[{}]}}", vec![PAGEVIEW; 25].join(","))
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_events");
    group.throughput(Throughput::Elements(1));
    group.bench_function("pageview", |b| {
        b.iter(|| parse_events(black_box(PAGEVIEW.as_bytes()), ctx()))
    });
    let batch = batch_of_25();
    group.throughput(Throughput::Elements(25));
    group.bench_function("batch_of_25", |b| {
        b.iter(|| parse_events(black_box(batch.as_bytes()), ctx()))
    });
    group.finish();
}

fn bench_analytics(c: &mut Criterion) {
    let Ok(events) = parse_events(PAGEVIEW.as_bytes(), ctx()) else {
        panic!("the bench fixture must be valid");
    };
    let extras = AnalyticsExtras {
        ip_hash: Some("9f86d081884c7d659a2feaa0c55ad015".into()),
        device_type: Some("desktop".into()),
        browser: Some("Chrome".into()),
        os: Some("macOS".into()),
        country: Some("DE".into()),
        city: Some("Berlin".into()),
        is_bot: Some(false),
        bot_score: Some(4.0),
        ..AnalyticsExtras::default()
    };
    c.bench_function("analytics_row/pageview", |b| {
        b.iter(|| analytics_row("tenant_1", black_box(&events[0]), &extras))
    });
}

criterion_group!(benches, bench_parse, bench_analytics);
criterion_main!(benches);
