//! `GET /sdk.js`, `GET /datafly.js` and `GET /v1/projects/{writeKey}/settings` as HTTP: the
//! headers a public script is served with (type, cache, ETag and 304, open CORS, gzip only
//! when accepted) and the settings document's key check. What the scripts do in a browser
//! is tested in Chromium (crates/cli/tests/binary/browser/).

use std::io::Read;

use flate2::read::GzDecoder;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_scripts_are_javascript_cached_with_an_etag_and_open_to_every_origin() {
    let app = spawn_app().await;
    for path in ["/sdk.js", "/datafly.js"] {
        let plain = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(plain.status(), 200, "{path}");
        let headers = plain.headers().clone();
        assert_eq!(
            headers["content-type"],
            "application/javascript; charset=utf-8"
        );
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["vary"], "Accept-Encoding");
        assert!(
            !headers.contains_key("content-encoding"),
            "{path}: not asked for gzip"
        );
        let etag = headers["etag"].to_str().expect("ascii").to_owned();
        let text = plain.text().await.expect("body");
        assert!(text.contains("(function (w, d)"), "{path}");

        let zipped = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .expect("request");
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        assert_eq!(zipped.headers()["etag"], etag.as_str());
        let bytes = zipped.bytes().await.expect("body");
        let mut unzipped = String::new();
        GzDecoder::new(&bytes[..])
            .read_to_string(&mut unzipped)
            .expect("gzip");
        assert_eq!(unzipped, text, "{path}: the same file");
        assert!(bytes.len() < text.len() / 2, "{path}: compressed");

        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("request");
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
    }
    app.stop().await;
}

#[tokio::test]
async fn the_segment_settings_name_this_host_and_need_a_live_pipeline_key() {
    let app = spawn_app().await;
    let url = app.url(&format!("/v1/projects/{}/settings", app.keys.pipeline));
    let response = app.client.get(url).send().await.expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let settings: Value = response.json().await.expect("json");
    let io = &settings["integrations"]["Segment.io"];
    assert_eq!(io["apiHost"], format!("{}/v1", app.addr));
    assert_eq!(io["protocol"], "http");
    assert_eq!(io["apiKey"], app.keys.pipeline.as_str());

    for wrong in ["dk_live_unknown", app.keys.website.as_str()] {
        let url = app.url(&format!("/v1/projects/{wrong}/settings"));
        let response = app.client.get(url).send().await.expect("request");
        assert_eq!(response.status(), 401, "{wrong}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "invalid_pipeline_key");
    }
    app.stop().await;
}
