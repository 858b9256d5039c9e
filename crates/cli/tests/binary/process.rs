//! Starting and stopping `clickwire serve` as a child process.

use std::{
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use serde_json::{json, Value};

/// The binary under test.
pub fn clickwire() -> Command {
    Command::new(env!("CARGO_BIN_EXE_clickwire"))
}

/// A running `clickwire serve`.
pub struct Running {
    pub child: Child,
    pub base: String,
    pub stdout_lines: Vec<String>,
    stderr: Option<thread::JoinHandle<String>>,
}

/// Starts the server on a free port with `data`, plus extra args and env.
/// Runs a CLI command on `data`; returns its stdout, failing the test on a non-zero exit.
pub fn run(data: &Path, args: &[&str]) -> String {
    let output = clickwire()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run clickwire");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

pub fn start(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut command = clickwire();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("spawn clickwire serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let stderr = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let (lines_tx, lines_rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout_lines = Vec::new();
    let base = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server prints its address");
        if let Some(addr) = line.strip_prefix("listening on ") {
            break addr.to_owned();
        }
        stdout_lines.push(line);
    };
    Running {
        child,
        base,
        stdout_lines,
        stderr: Some(stderr),
    }
}

impl Drop for Running {
    /// A test that fails, or ends without stopping its server, leaves no process behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited 0, and its stderr.
    pub fn terminate(mut self) -> (bool, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = self.child.wait().expect("wait");
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        (exit.success(), stderr)
    }

    /// SIGKILL: no drain, no goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

/// The keys of `<data>/bootstrap-credentials.json`.
pub fn bootstrap_keys(data: &Path) -> Value {
    let text =
        std::fs::read_to_string(data.join("bootstrap-credentials.json")).expect("credentials");
    serde_json::from_str::<Value>(&text).expect("json")["keys"].clone()
}

pub fn key(data: &Path, kind: &str) -> String {
    bootstrap_keys(data)[kind].as_str().expect("key").to_owned()
}

/// A fresh temporary data directory.
pub fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("data");
    (dir, path)
}

/// A valid server-side event whose visitor id marks it.
pub fn event(marker: &str) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    json!({
        "type": "custom",
        "name": "checkout_step",
        "visitorId": marker,
        "sessionId": "sess",
        "timestamp": now,
        "page": { "path": "orders/create", "title": "Create order" },
        "device": { "userAgent": "acme-backend/1.0", "viewport": { "width": 0, "height": 0 }, "clientPlatform": "server" }
    })
}

/// Every stored event's visitor id, read through `GET /v1/events` page by page.
pub async fn stored_markers(client: &reqwest::Client, base: &str, key: &str) -> Vec<String> {
    stored_events(client, base, key)
        .await
        .iter()
        .map(|event| event["visitorId"].as_str().expect("marker").to_owned())
        .collect()
}

/// Every stored event (its `event` object), read through `GET /v1/events` page by page.
pub async fn stored_events(client: &reqwest::Client, base: &str, key: &str) -> Vec<Value> {
    stored_rows(client, base, key)
        .await
        .into_iter()
        .map(|mut row| row["event"].take())
        .collect()
}

/// Every stored row (`event`, `labels`, …) of the tenant, read through `GET /v1/events`
/// page by page.
pub async fn stored_rows(client: &reqwest::Client, base: &str, key: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/events?limit=1000");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: Value = client
            .get(url)
            .header("X-API-Key", key)
            .send()
            .await
            .expect("read")
            .json()
            .await
            .expect("json");
        rows.extend(page["events"].as_array().expect("events").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return rows,
        }
    }
}
