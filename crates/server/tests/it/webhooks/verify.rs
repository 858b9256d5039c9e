//! Signature checks: payloads signed by the Standard Webhooks reference library (PyPI
//! `standardwebhooks`, in tests/py) and by a GitHub-style HMAC.

use std::{path::PathBuf, process::Command};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::id_of;
use crate::{helpers::spawn_app, pipeline::error_code};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The headers the reference library signs `body` with.
fn reference_signature(body: &str, id: &str, timestamp: Option<i64>) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("tests/py/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/install-test-clients.sh (scripts/test.sh does)",
        python.display()
    );
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("body");
    std::fs::write(&file, body).expect("write");
    let mut command = Command::new(python);
    command
        .arg(root.join("tests/py/standard_webhooks_sign.py"))
        .args(["--secret", SECRET, "--id", id, "--body-file"])
        .arg(&file);
    if let Some(at) = timestamp {
        command.args(["--timestamp", &at.to_string()]);
    }
    let output = command.output().expect("run the signer");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("headers")
}

fn headers_of(signed: &Value) -> Vec<(String, String)> {
    ["webhook-id", "webhook-timestamp", "webhook-signature"]
        .iter()
        .map(|h| {
            (
                h.to_string(),
                signed[h].as_str().expect("header").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn standard_webhooks_signed_by_the_reference_library_verify() {
    let app = spawn_app().await;
    let source = app
        .webhook_source(json!({"verification": {"type": "standard_webhooks", "secret": SECRET}}))
        .await;
    let id = id_of(&source);
    let body = r#"{"type":"order.created","data":{"id":"ord_123","amount":4999}}"#;
    let signed = headers_of(&reference_signature(body, "msg_1", None));
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(app.post_webhook(&id, body, &headers).await.status(), 202);

    let tampered = app
        .post_webhook(&id, &body.replace("4999", "1"), &headers)
        .await;
    assert_eq!(tampered.status(), 401);
    assert_eq!(error_code(tampered).await, "invalid_signature");
    let unsigned = app.post_webhook(&id, body, &[]).await;
    assert_eq!(unsigned.status(), 401);
    let stale_at = crate::helpers::now_ms() / 1000 - 600;
    let stale = headers_of(&reference_signature(body, "msg_2", Some(stale_at)));
    let stale: Vec<(&str, &str)> = stale
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        app.post_webhook(&id, body, &stale).await.status(),
        401,
        "ten minutes old"
    );
    assert_eq!(app.stored(&format!("source_id={id}")).await.len(), 1);
}

#[tokio::test]
async fn a_github_style_hmac_header_verifies() {
    let app = spawn_app().await;
    let source = app
        .webhook_source(json!({"verification": {
            "type": "hmac_sha256", "header": "X-Hub-Signature-256", "secret": "It's a Secret to Everybody",
            "prefix": "sha256="
        }}))
        .await;
    let id = id_of(&source);
    // GitHub's documented example: this secret and body give this signature.
    let body = "Hello, World!";
    let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let mut mac = Hmac::<Sha256>::new_from_slice(b"It's a Secret to Everybody").expect("key");
    mac.update(body.as_bytes());
    assert_eq!(
        format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
        expected
    );
    let ok = app
        .post_webhook(&id, body, &[("x-hub-signature-256", expected)])
        .await;
    assert_eq!(ok.status(), 202);
    let wrong = app
        .post_webhook(&id, body, &[("x-hub-signature-256", "sha256=00")])
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(error_code(wrong).await, "invalid_signature");
    let unprefixed = app
        .post_webhook(&id, body, &[("x-hub-signature-256", &expected[7..])])
        .await;
    assert_eq!(unprefixed.status(), 401);
}
