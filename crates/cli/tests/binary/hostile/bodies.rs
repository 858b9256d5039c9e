//! Bodies: every hostile body on every public route that takes one, and every field of
//! each route's valid body replaced by values of the wrong type.

use std::{collections::BTreeMap, time::Duration};

use bytes::Bytes;
use futures::stream;
use serde_json::{json, Value};

use super::{Bystander, Target, RSS_GROWTH_LIMIT_KIB};
use crate::process::event;

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth {
    None,
    Server,
    Admin,
    Operator,
    Pipeline,
}

/// A route that takes a body.
struct Route {
    method: reqwest::Method,
    path: String,
    auth: Auth,
    /// A body the route accepts.
    valid: Value,
    /// The route stores any body as it came (webhooks): only size and framing refuse.
    takes_anything: bool,
}

fn routes(target: &Target) -> Vec<Route> {
    let route = |method: reqwest::Method, path: &str, auth, valid: Value| Route {
        method,
        path: path.to_owned(),
        auth,
        valid,
        takes_anything: false,
    };
    use reqwest::Method as M;
    let track = json!({"userId": "u1", "event": "Clicked", "properties": {"n": 1}});
    vec![
        route(
            M::POST,
            "/v1/events",
            Auth::Server,
            json!({"events": [event("v")]}),
        ),
        route(M::POST, "/v1/t", Auth::Pipeline, track.clone()),
        route(M::POST, "/v1/track", Auth::Pipeline, track.clone()),
        route(
            M::POST,
            "/v1/identify",
            Auth::Pipeline,
            json!({"userId": "u1", "traits": {"plan": "pro"}}),
        ),
        route(
            M::POST,
            "/v1/batch",
            Auth::Pipeline,
            json!({"batch": [{"type": "track", "userId": "u", "event": "E"}]}),
        ),
        Route {
            takes_anything: true,
            ..route(
                M::POST,
                &format!("/v1/ingest/{}", target.webhook),
                Auth::None,
                json!({"a": 1}),
            )
        },
        route(
            M::POST,
            "/v1/sources",
            Auth::Admin,
            json!({"name": "s", "kind": "webhook"}),
        ),
        route(
            M::PATCH,
            &format!("/v1/sources/{}", target.webhook),
            Auth::Admin,
            json!({"name": "hooks"}),
        ),
        route(
            M::POST,
            "/v1/destinations",
            Auth::Admin,
            json!({"name": "d", "url": "http://127.0.0.1:9/x"}),
        ),
        route(
            M::PATCH,
            &format!("/v1/destinations/{}", target.destination),
            Auth::Admin,
            json!({"timeout": 5}),
        ),
        route(
            M::POST,
            "/v1/connections",
            Auth::Admin,
            json!({"source_id": "*", "destination_id": target.destination, "rules": [{"path": "type", "op": "eq", "value": "pageview"}]}),
        ),
        route(
            M::POST,
            "/v1/admin/tenants",
            Auth::Operator,
            json!({"name": "acme", "tier": "builder"}),
        ),
        route(
            M::POST,
            "/v1/admin/keys",
            Auth::Admin,
            json!({"kind": "server"}),
        ),
    ]
}

/// What a hostile body must get.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// A 4xx JSON error everywhere (413 on a route that takes anything, when `big`).
    Refused,
    /// A 4xx JSON error, or a 2xx where the route takes any body.
    RefusedUnlessRaw,
}

struct Case {
    name: &'static str,
    body: Bytes,
    expect: Expect,
    /// Sent without `Content-Length` (chunked).
    chunked: bool,
}

fn cases() -> Vec<Case> {
    let deep = 100_000;
    let case = |name, body: Vec<u8>, expect| Case {
        name,
        body: body.into(),
        expect,
        chunked: false,
    };
    let many_events: Vec<Value> = (0..10_000).map(|n| event(&format!("m{n}"))).collect();
    let fifty_mb = {
        let mut body = b"{\"events\":[{\"type\":\"pageview\",\"visitorId\":\"".to_vec();
        body.resize(50 << 20, b'a');
        body
    };
    vec![
        case("arrays nested 100,000 deep", [vec![b'['; deep], vec![b']'; deep]].concat(), Expect::RefusedUnlessRaw),
        case(
            "objects nested 100,000 deep",
            [b"{\"a\":".repeat(deep), b"1".to_vec(), vec![b'}'; deep]].concat(),
            Expect::RefusedUnlessRaw,
        ),
        case("50 MB with Content-Length", fifty_mb.clone(), Expect::Refused),
        Case { chunked: true, ..case("50 MB chunked, no Content-Length", fifty_mb, Expect::Refused) },
        case("invalid UTF-8 in a string", b"{\"events\":[{\"type\":\"pageview\",\"visitorId\":\"\xff\xfe\xc3\"}]}".to_vec(), Expect::RefusedUnlessRaw),
        case("a raw NUL byte in a string", b"{\"userId\":\"a\x00b\",\"event\":\"E\",\"name\":\"a\x00\"}".to_vec(), Expect::RefusedUnlessRaw),
        case("a NUL byte outside any string", b"{\"a\":1}\x00".to_vec(), Expect::RefusedUnlessRaw),
        case("1e999", b"{\"events\":1e999,\"userId\":1e999,\"name\":1e999,\"batch\":1e999,\"kind\":1e999,\"url\":1e999}".to_vec(), Expect::RefusedUnlessRaw),
        case("10,000 events where at most 100 are taken", serde_json::to_vec(&json!({"events": many_events, "batch": many_events})).expect("json"), Expect::RefusedUnlessRaw),
        case("a 10,000-element array for every field", serde_json::to_vec(&json!({"events": [vec![1; 10_000]], "name": vec!["x"; 10_000], "kind": vec![0; 10_000], "userId": vec![0; 10_000], "event": vec![0; 10_000], "url": vec![0; 10_000], "source_id": vec![0; 10_000], "destination_id": vec![0; 10_000], "batch": vec![1; 10_000]})).expect("json"), Expect::RefusedUnlessRaw),
        case("an empty body", Vec::new(), Expect::RefusedUnlessRaw),
        case("a JSON string, not an object", b"\"events\"".to_vec(), Expect::RefusedUnlessRaw),
    ]
}

/// Sends `body` to `route`; returns the status and the body text.
async fn send(target: &Target, route: &Route, body: Bytes, chunked: bool) -> (u16, String) {
    // A fresh connection each time: a connection the server closed after a refusal is
    // never reused, so a transport error is always the server's doing.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let mut request = client
        .request(route.method.clone(), target.url(&route.path))
        .header("content-type", "application/json")
        .timeout(Duration::from_secs(60));
    request = match route.auth {
        Auth::None => request,
        Auth::Server => request.header("x-api-key", &target.server_key),
        Auth::Admin => request.header("x-api-key", &target.admin),
        Auth::Operator => request.header("x-api-key", &target.operator),
        Auth::Pipeline => request.bearer_auth(&target.pipeline_key),
    };
    request = if chunked {
        let chunks: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(1 << 20)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        request.body(reqwest::Body::wrap_stream(stream::iter(chunks)))
    } else {
        request.body(body)
    };
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.text().await.unwrap_or_default())
        }
        // The server may answer 413 and close while the client still sends.
        Err(err) => (0, err.to_string()),
    }
}

/// Panics unless the answer is a 4xx JSON error (or, when `may_accept`, a 2xx).
fn check_answer(what: &str, status: u16, text: &str, may_accept: bool) {
    if may_accept && (200..300).contains(&status) {
        return;
    }
    assert!((400..500).contains(&status), "{what}: {status} {text:.300}");
    let body: Value = serde_json::from_str(text)
        .unwrap_or_else(|_| panic!("{what}: {status} is not JSON: {text:.300}"));
    assert!(
        body["error"].is_string() && body["message"].is_string(),
        "{what}: {body}"
    );
}

/// The body with the value at `path` (object keys and array indexes) replaced.
fn replaced(body: &Value, path: &[String], with: Value) -> Value {
    let mut out = body.clone();
    let mut at = &mut out;
    for step in path {
        at = match at {
            Value::Object(map) => map.get_mut(step).expect("path"),
            Value::Array(items) => &mut items[step.parse::<usize>().expect("index")],
            _ => unreachable!("paths come from the body"),
        };
    }
    *at = with;
    out
}

/// Every path to a value of `body`.
fn paths(body: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    match body {
        Value::Object(map) => {
            for (key, value) in map {
                let mut path = prefix.clone();
                path.push(key.clone());
                out.push(path.clone());
                paths(value, path, out);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let mut path = prefix.clone();
                path.push(i.to_string());
                out.push(path.clone());
                paths(value, path, out);
            }
        }
        _ => {}
    }
}

/// Fields that take any JSON by contract: event properties and traits, a rule's value
/// (compared as JSON), and the pipeline ids, which Segment's API takes as numbers too.
fn free_form(path: &[String]) -> bool {
    let first = path.first().map(String::as_str);
    let last = path.last().map(String::as_str);
    path.iter()
        .any(|step| step == "properties" || step == "traits")
        || (first == Some("rules") && last == Some("value"))
        || matches!(last, Some("userId" | "anonymousId"))
}

/// Values of another type than `value`.
fn wrong_types(value: &Value) -> Vec<Value> {
    let all = [
        json!(true),
        json!(-0.0),
        json!("x"),
        json!([1]),
        json!({"k": 1}),
    ];
    all.into_iter()
        .filter(|other| std::mem::discriminant(other) != std::mem::discriminant(value))
        .collect()
}

/// Hostile query strings and path segments on the routes that read them.
fn queries(target: &Target) -> Vec<(String, Auth)> {
    let deep_filter = vec!["scores.intent>1"; 2_000].join(",");
    let values = [
        "1e999",
        "-0",
        "-1",
        "%FF%FE",
        "%00",
        "abc",
        "99999999999999999999999",
        "",
    ];
    let mut out = Vec::new();
    for value in values {
        for path in [
            "/v1/events",
            "/v1/delivery-attempts",
            "/v1/issues",
            "/v1/sources",
        ] {
            out.push((format!("{path}?limit={value}&cursor={value}"), Auth::Admin));
        }
        out.push((
            format!("/v1/events?since={value}&type={value}&visitor_id={value}"),
            Auth::Server,
        ));
        out.push((format!("/v1/signals/{value}x"), Auth::Server));
        out.push((
            format!("/v1/admin/keys?kind={value}&tenant={value}&include_revoked={value}"),
            Auth::Admin,
        ));
        out.push((
            format!("/v1/signals/sse?filter={value}&since={value}"),
            Auth::Server,
        ));
    }
    out.push((
        format!("/v1/signals/sse?filter={deep_filter}"),
        Auth::Server,
    ));
    out.push((
        format!("/v1/signals/sse?filter={}", "(".repeat(30_000)),
        Auth::Server,
    ));
    out.push((
        format!("/v1/destinations/{}/circuit?x=%FF", target.destination),
        Auth::Admin,
    ));
    out.push(("/v1/events/%FF%FE/retry".to_owned(), Auth::Admin));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_query_strings_get_a_4xx_json_answer_or_a_page() {
    let target = Target::start(&[]).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut tried = 0;
    for (path, auth) in queries(&target) {
        let key = match auth {
            Auth::Server => &target.server_key,
            _ => &target.admin,
        };
        let method = if path.ends_with("/retry") {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let response = client
            .request(method, target.url(&path))
            .header("x-api-key", key)
            .send()
            .await;
        let what = format!("GET {:.120}", path);
        let response = response.unwrap_or_else(|err| panic!("{what}: {err:.200}"));
        let status = response.status().as_u16();
        if path.starts_with("/v1/signals/sse") && status == 200 {
            // A stream was opened: the filter was valid.
            tried += 1;
            continue;
        }
        let text = response.text().await.unwrap_or_default();
        check_answer(&what, status, &text, true);
        tried += 1;
    }
    eprintln!("hostile queries: {tried} requests, each a 4xx JSON error or a 2xx page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_body_on_every_route_gets_a_4xx_json_answer() {
    let target = Target::start(&[]).await;
    let routes = routes(&target);
    for route in &routes {
        let (status, text) = send(
            &target,
            route,
            serde_json::to_vec(&route.valid).expect("json").into(),
            false,
        )
        .await;
        assert!(
            (200..300).contains(&status),
            "the valid body of {} {}: {status} {text}",
            route.method,
            route.path
        );
    }
    let before = target.rss_kib();
    let bystander = Bystander::start(&target);
    let mut tried = 0;
    for case in cases() {
        for route in &routes {
            let what = format!("{} on {} {}", case.name, route.method, route.path);
            let (status, text) = send(&target, route, case.body.clone(), case.chunked).await;
            tried += 1;
            if case.body.len() > 1 << 20 {
                // Beyond the body limit on every route: 413, or the connection cut while
                // the client was still sending (the 413 was written first).
                assert!(status == 413 || status == 0, "{what}: {status} {text:.200}");
                if status == 413 {
                    check_answer(&what, status, &text, false);
                }
                continue;
            }
            let may_accept = route.takes_anything && case.expect == Expect::RefusedUnlessRaw;
            check_answer(&what, status, &text, may_accept);
        }
    }
    let mut accepted_wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut wrong = 0;
    for route in routes.iter().filter(|r| !r.takes_anything) {
        let mut all = Vec::new();
        paths(&route.valid, Vec::new(), &mut all);
        for path in all {
            let original = path.iter().try_fold(&route.valid, |at, step| match at {
                Value::Object(map) => map.get(step),
                Value::Array(items) => items.get(step.parse::<usize>().ok()?),
                _ => None,
            });
            let Some(original) = original else { continue };
            for with in wrong_types(original) {
                let body = replaced(&route.valid, &path, with.clone());
                let what = format!(
                    "{} {} with {} = {with}",
                    route.method,
                    route.path,
                    path.join(".")
                );
                let (status, text) = send(
                    &target,
                    route,
                    serde_json::to_vec(&body).expect("json").into(),
                    false,
                )
                .await;
                wrong += 1;
                assert!(status < 500 && status != 0, "{what}: {status} {text:.300}");
                if (200..300).contains(&status) {
                    assert!(free_form(&path), "{what}: accepted ({status})");
                    accepted_wrong
                        .entry(format!("{} {}", route.method, route.path))
                        .or_default()
                        .push(format!("{}={with}", path.join(".")));
                } else {
                    check_answer(&what, status, &text, false);
                }
            }
        }
    }
    let (bystanders, peak) = bystander.finish().await;
    let growth = peak.saturating_sub(before);
    assert!(growth < RSS_GROWTH_LIMIT_KIB, "RSS grew by {growth} KiB");
    eprintln!(
        "hostile bodies: {tried} hostile requests on {} routes, {wrong} wrong-type fields; no 5xx, \
         every refusal JSON; RSS {before} → peak {peak} KiB; the bystander got {bystanders} × 202",
        routes.len()
    );
    for (route, fields) in &accepted_wrong {
        eprintln!(
            "  free-form fields that took another type ({route}): {}",
            fields.join(", ")
        );
    }
}
