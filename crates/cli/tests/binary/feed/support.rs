//! What the feed tests share: subscriber processes whose output lines are awaited, the
//! Node tools, posting marked events, the contract's frame fields, and a relay that keeps
//! one address while the server behind it restarts on another port.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::mpsc,
};

use crate::process::{event, Running};

/// How long any one expected line or exit may take.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A subscriber process; its stdout and stderr lines arrive on channels. Killed on drop,
/// so a failing test leaves nothing running.
pub struct Watched {
    child: Child,
    pub stdout: Lines,
    pub stderr: Lines,
}

/// The lines of one stream of a child, kept once read so a failure can show them.
pub struct Lines {
    name: &'static str,
    rx: mpsc::UnboundedReceiver<String>,
    pub seen: Vec<String>,
}

impl Lines {
    fn spawn(name: &'static str, stream: impl std::io::Read + Send + 'static) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(stream)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            name,
            rx,
            seen: Vec::new(),
        }
    }

    /// The next line that satisfies `wanted` (earlier ones are kept in `seen`).
    pub async fn until(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let wait = async {
            while let Some(line) = self.rx.recv().await {
                self.seen.push(line.clone());
                if wanted(&line) {
                    return Some(line);
                }
            }
            None
        };
        match tokio::time::timeout(PATIENCE, wait).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("{} ended before {what}: {:#?}", self.name, self.seen),
            Err(_) => panic!(
                "no {what} on {} in {PATIENCE:?}: {:#?}",
                self.name, self.seen
            ),
        }
    }

    /// Every line until the stream ends.
    pub async fn rest(&mut self) -> &[String] {
        while let Ok(Some(line)) = tokio::time::timeout(PATIENCE, self.rx.recv()).await {
            self.seen.push(line);
        }
        &self.seen
    }
}

impl Watched {
    /// Spawns `command` with piped stdio; stdin stays open until the process ends.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
        let stdout = Lines::spawn("stdout", child.stdout.take().expect("stdout"));
        let stderr = Lines::spawn("stderr", child.stderr.take().expect("stderr"));
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// Waits for the process to exit by itself.
    pub async fn exit(&mut self) -> ExitStatus {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "still running after {PATIENCE:?}; stderr so far: {:#?}",
                self.stderr.seen
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGTERM, then waits for the exit.
    pub async fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        self.exit().await
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `clickwire subscribe` against `url` with `key` and extra flags.
pub fn subscribe(url: &str, key: &str, flags: &[&str]) -> Watched {
    let mut command = crate::process::clickwire();
    command
        .args(["subscribe", "--url", url])
        .args(flags)
        .env("CS_API_KEY", key);
    Watched::spawn(command)
}

/// The feed URL of a running server, `ws://…/v1/signals/stream`.
pub fn stream_url(server: &Running) -> String {
    server.url("/v1/signals/stream").replacen("http", "ws", 1)
}

/// Posts one event whose visitor id is `marker`; it must be accepted.
pub async fn post(client: &reqwest::Client, server: &Running, key: &str, marker: &str) {
    let response = client
        .post(server.url("/v1/events"))
        .header("X-API-Key", key)
        .json(&event(marker))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 202, "{marker}");
}

/// A printed frame as JSON.
pub fn json(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// The frame is a contract event frame for the event `process::event(marker)` posts.
pub fn assert_contract_frame(frame: &Value, marker: &str) {
    assert_eq!(frame["type"], "event", "{frame}");
    assert!(
        frame["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("evt_")),
        "{frame}"
    );
    assert!(frame["seq"].as_i64().is_some_and(|s| s > 0), "{frame}");
    assert!(
        frame["ts"].as_i64().is_some_and(|t| t > 1_600_000_000_000),
        "{frame}"
    );
    assert_eq!(frame["visitorId"], marker, "{frame}");
    assert_eq!(frame["sessionId"], "sess", "{frame}");
    assert_eq!(frame["eventType"], "custom", "{frame}");
    assert_eq!(frame["page"], "orders/create", "{frame}");
    assert!(frame["bot"]["isBot"].is_boolean(), "{frame}");
    assert!(frame["bot"]["score"].is_number(), "{frame}");
    let class = frame["behavioralClass"].as_str().unwrap_or_default();
    assert!(
        ["human", "suspicious", "likely_bot", "bot"].contains(&class),
        "{frame}"
    );
    assert!(frame["device"]["type"].is_string(), "{frame}");
    assert!(frame["device"]["isMobile"].is_boolean(), "{frame}");
    assert!(
        frame["scores"].is_null() || frame["scores"]["intent"].is_number(),
        "{frame}"
    );
    assert!(frame["hasIdentified"].is_boolean(), "{frame}");
}

/// The visitor ids of printed frames, after checking their seqs strictly increase.
pub fn markers_in_seq_order(lines: &[String]) -> Vec<String> {
    let frames: Vec<Value> = lines.iter().map(|l| json(l)).collect();
    let seqs: Vec<i64> = frames
        .iter()
        .map(|f| f["seq"].as_i64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "seqs not strictly increasing: {seqs:?}"
    );
    frames
        .iter()
        .map(|f| f["visitorId"].as_str().expect("visitorId").to_owned())
        .collect()
}

/// The workspace root, where `examples/` and `tests/js/` are.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Fails `test` with what to run when `program --version` does not run: a test never
/// skips for a missing tool (scripts/test.sh installs what the tests need).
pub fn require(program: &str, test: &str) {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{test} needs `{program}`, which is not installed: run scripts/install-test-clients.sh \
         (scripts/test.sh does; it needs Node.js 20+ with npm and Python 3)"
    );
}

/// A TCP relay on a fixed loopback port to whatever server is current, so a subscriber
/// keeps one URL across a restart (the server takes a new port each start). With no
/// server set, connections are accepted and dropped at once, like a server that is down.
pub struct Relay {
    pub addr: SocketAddr,
    upstream: Arc<Mutex<Option<String>>>,
}

impl Relay {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let addr = listener.local_addr().expect("relay addr");
        let upstream = Arc::new(Mutex::new(None::<String>));
        let current = Arc::clone(&upstream);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = current.lock().expect("lock").clone();
                tokio::spawn(async move {
                    let Some(target) = target else { return };
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { addr, upstream }
    }

    /// Sends new connections to `server`, or nowhere.
    pub fn point_at(&self, server: Option<&Running>) {
        let target = server.map(|s| s.base.trim_start_matches("http://").to_owned());
        *self.upstream.lock().expect("lock") = target;
    }

    pub fn stream_url(&self) -> String {
        format!("ws://{}/v1/signals/stream", self.addr)
    }
}
