//! Hostile input against the real binary, over real HTTP and WebSocket: malformed and
//! enormous bodies on every public route, header floods, slow and silent connections,
//! and abusive WebSocket peers. Every HTTP case must get a 4xx JSON answer (or, where a
//! route takes any body, a 2xx; or hyper's bare 431 for a request head beyond its
//! parser's limits, before any route runs), never a 5xx; every WebSocket case a protocol
//! close. The
//! server's RSS stays bounded, and a well-behaved client on the side keeps getting 202
//! throughout. Each test prints what it tried (RELIABILITY.md quotes them).

mod bodies;
mod connections;
mod peers;
mod sockets;

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use serde_json::{json, Value};

use crate::process::{data_dir, event, key, start, Running};

/// Largest RSS growth any hostile run may cause, over the RSS before it (KiB).
pub const RSS_GROWTH_LIMIT_KIB: u64 = 256 * 1024;

/// A server with one of every kind of thing a route can name.
pub struct Target {
    pub server: Running,
    _dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub admin: String,
    pub operator: String,
    pub server_key: String,
    pub pipeline_key: String,
    pub webhook: String,
    pub destination: String,
}

impl Target {
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let (dir, data) = data_dir();
        let mut all = vec![("CLICKWIRE_RATE_LIMITS__ENABLED", "false")];
        all.extend_from_slice(env);
        let server = start(&data, &[], &all);
        let admin = key(&data, "admin");
        let operator = key(&data, "operator");
        let server_key = key(&data, "server");
        let client = reqwest::Client::new();
        let post = |path: &str, body: Value| {
            let request = client
                .post(server.url(path))
                .header("x-api-key", &admin)
                .json(&body)
                .send();
            async move {
                let response = request.await.expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                response.json::<Value>().await.expect("json")
            }
        };
        let id = |value: Value| value["id"].as_str().expect("id").to_owned();
        let pipeline = id(post("/v1/sources", json!({"name": "shop", "kind": "pipeline"})).await);
        let pipeline_key = post(
            "/v1/admin/keys",
            json!({"kind": "pipeline", "source": pipeline}),
        )
        .await["key"]
            .as_str()
            .expect("key")
            .to_owned();
        let webhook = id(post("/v1/sources", json!({"name": "hooks", "kind": "webhook"})).await);
        let destination = id(post(
            "/v1/destinations",
            json!({"name": "nowhere", "url": "http://127.0.0.1:9/hook"}),
        )
        .await);
        Self {
            server,
            _dir: dir,
            client,
            admin,
            operator,
            server_key,
            pipeline_key,
            webhook,
            destination,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// `host:port` of the server.
    pub fn addr(&self) -> String {
        self.server.base.trim_start_matches("http://").to_owned()
    }

    /// The server's resident set, KiB.
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.server.child.id())
    }

    /// The sum of the series of the server's `/metrics` whose lines start with `name`,
    /// read on a connection of its own (closed after the answer).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client")
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        text.lines()
            .filter(|line| line.starts_with(name) && !line.starts_with('#'))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// What ran beside a hostile run: a client posting one valid event at a time, and the
/// server's peak RSS.
pub struct Bystander {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<(u64, Vec<String>)>,
}

impl Bystander {
    pub fn start(target: &Target) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(target.rss_kib()));
        let url = target.url("/v1/events");
        let key = target.server_key.clone();
        let pid = target.server.child.id();
        let (done, peak) = (Arc::clone(&stop), Arc::clone(&peak_kib));
        let task = tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client");
            let failures = Mutex::new(Vec::new());
            let mut ok = 0;
            for n in 0u64.. {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                let sent = client
                    .post(&url)
                    .header("x-api-key", &key)
                    .json(&event(&format!("bystander-{n}")))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 202 => ok += 1,
                    Ok(response) => failures
                        .lock()
                        .expect("lock")
                        .push(format!("{}", response.status())),
                    Err(err) => failures.lock().expect("lock").push(err.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let failures = failures.lock().expect("lock").clone();
            (ok, failures)
        });
        Self {
            stop,
            peak_kib,
            task,
        }
    }

    /// Stops the bystander; asserts it was never refused. Returns its 202s and the peak
    /// RSS seen (KiB).
    pub async fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        let (ok, failures) = self.task.await.expect("bystander");
        assert!(
            failures.is_empty(),
            "the well-behaved client was refused {} times: {:?}",
            failures.len(),
            &failures[..failures.len().min(5)]
        );
        assert!(ok > 0, "the well-behaved client sent nothing");
        (ok, self.peak_kib.load(Ordering::Relaxed))
    }
}
