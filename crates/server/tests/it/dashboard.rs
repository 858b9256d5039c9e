//! The dashboard: signing in (`POST /v1/dashboard/session`) and the session cookie it sets,
//! the cookie standing for the key on `/v1/ws` and the REST routes, signing out, the key's
//! revocation ending its sessions, the CSRF rule (the cookie counts only from the server's
//! own origin), and the security headers of `/dashboard` and its files.

use std::time::Duration;

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::{
    feed::{connect, refused, request, with_header, Read},
    helpers::{spawn_app, spawn_app_with, TestApp},
};

/// `POST /v1/dashboard/session {"key": key}`.
async fn sign_in_response(app: &TestApp, key: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/dashboard/session"))
        .json(&json!({ "key": key }))
        .send()
        .await
        .expect("request")
}

/// Signs in with `key`; the `Cookie` header value a browser would send back.
async fn sign_in(app: &TestApp, key: &str) -> String {
    let response = sign_in_response(app, key).await;
    assert_eq!(response.status(), 200);
    set_cookie(&response)
        .split(';')
        .next()
        .expect("name=value")
        .to_owned()
}

fn set_cookie(response: &reqwest::Response) -> String {
    response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// The server's own origin, as a browser on the dashboard page sends it.
fn own_origin(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

/// A request with only the cookie (and `origin`, when given).
async fn with_cookie(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    origin: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header(header::COOKIE, cookie);
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn signing_in_with_an_admin_or_server_key_sets_an_http_only_strict_session_cookie() {
    let app = spawn_app().await;
    let response = sign_in_response(&app, &app.keys.admin).await;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    let attributes: Vec<&str> = cookie.split("; ").collect();
    let (name, value) = attributes[0].split_once('=').expect("name=value");
    assert_eq!(name, "clickwire_session");
    assert_eq!(value.len(), 43, "32 random bytes, base64url: {value}");
    assert!(
        !cookie.contains(&app.keys.admin),
        "the cookie is not the key"
    );
    assert_eq!(
        attributes[1..],
        ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"],
        "12 hours by default, not Secure over plain http"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"tenant": "default", "kind": "admin", "expires_in": 43200})
    );

    let server = sign_in(&app, &app.keys.server).await;
    let who = with_cookie(
        &app,
        Method::GET,
        "/v1/dashboard/session",
        &server,
        None,
        None,
    )
    .await;
    assert_eq!(who.status(), 200);
    let who: Value = who.json().await.expect("json");
    assert_eq!(
        (&who["tenant"], &who["kind"]),
        (&json!("default"), &json!("server"))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_cookie_lasts_dashboard_session_ttl() {
    let app = spawn_app_with(|c| c.dashboard.session_ttl = Duration::from_secs(90)).await;
    let response = sign_in_response(&app, &app.keys.server).await;
    assert!(set_cookie(&response).ends_with("; Max-Age=90"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["expires_in"], 90);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_key_or_another_kind_of_key_does_not_sign_in() {
    let app = spawn_app().await;
    let cases = [
        ("cw_admin_made_up", 401, "invalid_api_key"),
        (app.keys.website.as_str(), 403, "forbidden"),
        (app.keys.pipeline.as_str(), 403, "forbidden"),
        (app.keys.operator.as_str(), 403, "forbidden"),
    ];
    for (key, status, code) in cases {
        let response = sign_in_response(&app, key).await;
        assert_eq!(response.status(), status, "{key}");
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], code, "{body}");
    }
    // The key goes in the body, never in the URL.
    let in_url = app
        .client
        .post(app.url(&format!("/v1/dashboard/session?key={}", app.keys.admin)))
        .send()
        .await
        .expect("request");
    assert_eq!(in_url.status(), 400);
    assert!(in_url.headers().get(header::SET_COOKIE).is_none());
    let no_cookie = app
        .client
        .get(app.url("/v1/dashboard/session"))
        .send()
        .await
        .expect("request");
    assert_eq!(no_cookie.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn the_cookie_is_secure_when_a_trusted_proxy_says_the_request_came_over_https() {
    let app =
        spawn_app_with(|c| c.server.trusted_proxies = vec!["127.0.0.0/8".parse().expect("cidr")])
            .await;
    let proxied = |app: &TestApp, proto: &str| {
        app.client
            .post(app.url("/v1/dashboard/session"))
            .header("x-forwarded-proto", proto)
            .json(&json!({ "key": app.keys.admin }))
            .send()
    };
    let https = proxied(&app, "https").await.expect("request");
    assert!(
        set_cookie(&https).ends_with("; Secure"),
        "{}",
        set_cookie(&https)
    );
    let http = proxied(&app, "http").await.expect("request");
    assert!(!set_cookie(&http).contains("Secure"));
    app.stop().await;

    let untrusted = spawn_app().await;
    let claimed = proxied(&untrusted, "https").await.expect("request");
    assert!(
        !set_cookie(&claimed).contains("Secure"),
        "only a trusted proxy is believed"
    );
    untrusted.stop().await;
}

#[tokio::test]
async fn the_cookie_alone_opens_the_dashboard_stream_and_reads_the_rest_api() {
    let app = spawn_app().await;
    let cookie = sign_in(&app, &app.keys.admin).await;
    let origin = own_origin(&app);
    let ws = with_header(request(&app, "/v1/ws"), "cookie", &cookie);
    let mut socket = connect(with_header(ws, "origin", &origin)).await;
    assert_eq!(
        socket.next_non_ping().await,
        json!({"type": "welcome", "org_id": "default"})
    );
    for path in [
        "/v1/events",
        "/v1/sources",
        "/v1/destinations",
        "/v1/issues",
    ] {
        let read = with_cookie(&app, Method::GET, path, &cookie, None, None).await;
        assert_eq!(read.status(), 200, "{path}");
    }
    let created = with_cookie(
        &app,
        Method::POST,
        "/v1/sources",
        &cookie,
        Some(&origin),
        Some(&json!({"name": "hooks", "kind": "webhook"})),
    )
    .await;
    assert_eq!(
        created.status(),
        201,
        "a change from the dashboard's own page"
    );
    app.stop().await;
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let cookie = sign_in(&app, &app.keys.admin).await;
    let origin = own_origin(&app);
    let out = with_cookie(
        &app,
        Method::DELETE,
        "/v1/dashboard/session",
        &cookie,
        Some(&origin),
        None,
    )
    .await;
    assert_eq!(out.status(), 204);
    assert_eq!(
        set_cookie(&out),
        "clickwire_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    );
    let read = with_cookie(&app, Method::GET, "/v1/events", &cookie, None, None).await;
    assert_eq!(read.status(), 401);
    let ws = with_header(request(&app, "/v1/ws"), "cookie", &cookie);
    assert_eq!(refused(ws).await.0, 401);
    app.stop().await;
}

#[tokio::test]
async fn revoking_the_key_ends_its_sessions_and_closes_their_sockets() {
    let app = spawn_app().await;
    let (key, id) = app.create_key_with_id("acme", "scale", "admin", &[]).await;
    let cookie = sign_in(&app, &key).await;
    let ws = with_header(request(&app, "/v1/ws"), "cookie", &cookie);
    let mut socket = connect(ws).await;
    assert_eq!(socket.next_non_ping().await["org_id"], "acme");
    assert_eq!(app.revoke(&app.keys.operator, &id).await.status(), 200);

    let error = socket.next_non_ping().await;
    assert_eq!(error["error"], "invalid_api_key", "{error}");
    match socket.read().await {
        Read::Closed(Some(frame)) => assert_eq!(frame.code, CloseCode::from(4001)),
        other => panic!("expected close 4001, got {other:?}"),
    }
    let read = with_cookie(&app, Method::GET, "/v1/events", &cookie, None, None).await;
    assert_eq!(read.status(), 401);
    let who = with_cookie(
        &app,
        Method::GET,
        "/v1/dashboard/session",
        &cookie,
        None,
        None,
    )
    .await;
    assert_eq!(who.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn the_cookie_counts_only_on_requests_from_the_servers_own_origin() {
    let app = spawn_app().await;
    let cookie = sign_in(&app, &app.keys.admin).await;
    let source = json!({"name": "hooks", "kind": "webhook"});
    // Another site, and a same-site page on another port (SameSite=Strict lets that one
    // send the cookie): the cookie is ignored, so the request has no credential.
    for origin in [
        "https://evil.example".to_owned(),
        format!("http://127.0.0.1:{}", app.addr.port() + 1),
        "null".to_owned(),
    ] {
        let post = with_cookie(
            &app,
            Method::POST,
            "/v1/sources",
            &cookie,
            Some(&origin),
            Some(&source),
        )
        .await;
        assert_eq!(post.status(), 401, "{origin}");
        let read = with_cookie(
            &app,
            Method::GET,
            "/v1/events",
            &cookie,
            Some(&origin),
            None,
        )
        .await;
        assert_eq!(read.status(), 401, "{origin}");
        let ws = with_header(request(&app, "/v1/ws"), "cookie", &cookie);
        assert_eq!(
            refused(with_header(ws, "origin", &origin)).await.0,
            401,
            "{origin}"
        );
    }
    // A change without any Origin (no browser sends one so) is refused too.
    let bare = with_cookie(
        &app,
        Method::POST,
        "/v1/sources",
        &cookie,
        None,
        Some(&source),
    )
    .await;
    assert_eq!(bare.status(), 401);
    // A key is not ambient: it works from anywhere.
    let keyed = app
        .client
        .post(app.url("/v1/sources"))
        .header("x-api-key", &app.keys.admin)
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .json(&source)
        .send()
        .await
        .expect("request");
    assert_eq!(keyed.status(), 201);
    // Nor may another site sign a browser in.
    let login = app
        .client
        .post(app.url("/v1/dashboard/session"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&json!({ "key": app.keys.admin }))
        .send()
        .await
        .expect("request");
    assert_eq!(login.status(), 403);
    assert!(login.headers().get(header::SET_COOKIE).is_none());
    // The session itself is untouched by the refused requests.
    let who = with_cookie(
        &app,
        Method::GET,
        "/v1/dashboard/session",
        &cookie,
        None,
        None,
    )
    .await;
    assert_eq!(who.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_dashboard_page_and_its_files_carry_the_security_headers() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(app.url("/dashboard"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let html = page.text().await.expect("html");
    assert!(html.contains("<form id=\"sign-in\""));

    let script = app
        .client
        .get(app.url("/dashboard/app.js"))
        .send()
        .await
        .expect("request");
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let etag = script.headers()[header::ETAG].clone();
    let again = app
        .client
        .get(app.url("/dashboard/app.js"))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), 304);

    let chart = app
        .client
        .get(app.url("/dashboard/uPlot-1.6.32.iife.min.js"))
        .send()
        .await
        .expect("request");
    assert_eq!(chart.status(), 200);
    assert_eq!(
        chart.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(chart.text().await.expect("js").contains("uPlot (v1.6.32)"));

    let missing = app
        .client
        .get(app.url("/dashboard/secrets.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.expect("json");
    assert_eq!(body["error"], "not_found");
    app.stop().await;
}
