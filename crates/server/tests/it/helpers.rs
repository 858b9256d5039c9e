//! Spawning a server for one test, and the events and requests tests send.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clickwire_server::{Config, Server};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// The keys the first start writes to `bootstrap-credentials.json`.
#[derive(Debug, Deserialize)]
pub struct Keys {
    /// The operator key: manages every tenant.
    pub operator: String,
    /// The admin key of tenant `default`: manages that tenant only.
    pub admin: String,
    pub website: String,
    pub mobile: String,
    pub server: String,
    pub pipeline: String,
}

#[derive(Debug, Deserialize)]
struct Credentials {
    /// The pipeline source the pipeline key belongs to.
    source: String,
    keys: Keys,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub keys: Keys,
    /// The bootstrap pipeline source (`keys.pipeline` belongs to it).
    pub source: String,
    pub client: reqwest::Client,
    pub data: PathBuf,
    _dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Starts a server with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after `customise` has changed its configuration.
pub async fn spawn_app_with(customise: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.store.data = dir.path().to_owned();
    // Many servers share this test process's cores: delivery threads at the lowest CPU
    // priority would wait behind every other test (bench-deliveries.sh measures that mode).
    config.deliveries.low_priority = false;
    customise(&mut config);
    let (server, addr, stop, task) = start(config).await;
    let file = server.expect("first start bootstraps");
    let credentials: Credentials =
        serde_json::from_slice(&std::fs::read(file).expect("credentials")).expect("json");
    TestApp {
        addr,
        keys: credentials.keys,
        source: credentials.source,
        client: reqwest::Client::new(),
        data: dir.path().to_owned(),
        _dir: dir,
        stop: Some(stop),
        task: Some(task),
    }
}

/// Starts a server on `config`; returns the bootstrap file it wrote, if any.
async fn start(
    config: Config,
) -> (
    Option<PathBuf>,
    SocketAddr,
    oneshot::Sender<()>,
    JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = Server::with_listener(config, listener)
        .await
        .expect("server");
    let addr = server.local_addr().expect("addr");
    let file = server.bootstrap_file().map(ToOwned::to_owned);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(async move {
        server
            .run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .expect("server ran");
    });
    (file, addr, stop, task)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path` with `key` in `X-API-Key`.
    pub async fn get(&self, path: &str, key: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("X-API-Key", key)
            .send()
            .await
            .expect("request")
    }

    /// `POST path` with a JSON body and `key` in `X-API-Key`.
    pub async fn post_json(&self, path: &str, key: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("X-API-Key", key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// `POST /v1/events` with `key` in `X-API-Key`.
    pub async fn post_events(&self, key: &str, body: &Value) -> reqwest::Response {
        self.post_json("/v1/events", key, body).await
    }

    /// `GET /v1/events?<query>` with the server key; the parsed body.
    /// The `/metrics` page as text.
    pub async fn metrics_text(&self) -> String {
        let response = self.client.get(self.url("/metrics")).send().await;
        response.expect("request").text().await.expect("text")
    }

    pub async fn read_events(&self, query: &str) -> Value {
        let response = self
            .get(&format!("/v1/events?{query}"), &self.keys.server)
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// Creates a tenant and a key of `kind` through the admin API; returns the key.
    pub async fn create_key(
        &self,
        tenant: &str,
        tier: &str,
        kind: &str,
        origins: &[&str],
    ) -> String {
        self.create_key_with_id(tenant, tier, kind, origins).await.0
    }

    /// As [`TestApp::create_key`]; returns the key and its id.
    pub async fn create_key_with_id(
        &self,
        tenant: &str,
        tier: &str,
        kind: &str,
        origins: &[&str],
    ) -> (String, String) {
        let created = self
            .post_json(
                "/v1/admin/tenants",
                &self.keys.operator,
                &json!({ "name": tenant, "tier": tier }),
            )
            .await;
        assert!(
            created.status() == 201 || created.status() == 409,
            "{}",
            created.status()
        );
        let body = json!({ "tenant": tenant, "kind": kind, "origins": origins });
        let created = self
            .post_json("/v1/admin/keys", &self.keys.operator, &body)
            .await;
        assert_eq!(created.status(), 201);
        let key: Value = created.json().await.expect("json");
        let text = |field: &str| key[field].as_str().expect("in answer").to_owned();
        (text("key"), text("id"))
    }

    /// The id of `key`, from the operator's key listing (matched by display prefix).
    pub async fn key_id(&self, key: &str) -> String {
        let list: Value = self
            .get("/v1/admin/keys", &self.keys.operator)
            .await
            .json()
            .await
            .expect("json");
        let prefix = &key[..16];
        list["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["prefix"].as_str().is_some_and(|p| p.starts_with(prefix)))
            .and_then(|k| k["id"].as_str())
            .expect("the key is listed")
            .to_owned()
    }

    /// `DELETE /v1/admin/keys/{id}` with `admin_key`.
    pub async fn revoke(&self, admin_key: &str, id: &str) -> reqwest::Response {
        self.client
            .delete(self.url(&format!("/v1/admin/keys/{id}")))
            .header("X-API-Key", admin_key)
            .send()
            .await
            .expect("request")
    }

    /// Until `/metrics` shows `depth` events waiting for the log.
    pub async fn wait_for_queue_depth(&self, depth: usize) {
        let expected = format!("clickwire_ingest_queue_depth {depth}");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            let metrics = self.metrics_text().await;
            if metrics.lines().any(|line| line == expected) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the queue never reached depth {depth}");
    }

    /// Stops the server gracefully and starts it again on the same data directory.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// [`TestApp::restart`] with `customise` applied to the configuration.
    pub async fn restart_with(mut self, customise: impl FnOnce(&mut Config)) -> TestApp {
        self.halt().await;
        let mut config = Config::default();
        config.store.data = self.data.clone();
        customise(&mut config);
        let (file, addr, stop, task) = start(config).await;
        assert!(file.is_none(), "a restart creates no credentials");
        self.addr = addr;
        self.stop = Some(stop);
        self.task = Some(task);
        self
    }

    /// Stops the server gracefully and waits until it has drained.
    pub async fn stop(mut self) {
        self.halt().await;
    }

    /// As [`TestApp::stop`], handing back the data directory so the test can look at it.
    pub async fn stop_keeping_data(mut self) -> tempfile::TempDir {
        self.halt().await;
        self._dir
    }

    async fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .expect("server stops")
                .expect("server task");
        }
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

/// A valid web pageview of `visitor`.
pub fn pageview(visitor: &str) -> Value {
    json!({
        "type": "pageview",
        "visitorId": visitor,
        "sessionId": format!("sess_{visitor}"),
        "timestamp": now_ms(),
        "page": { "url": "https://example.com/pricing", "path": "/pricing", "title": "Pricing" },
        "device": {
            "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "viewport": { "width": 1280, "height": 800 }
        }
    })
}

/// A valid web click of `visitor`.
pub fn click(visitor: &str) -> Value {
    let mut event = pageview(visitor);
    event["type"] = json!("click");
    event["element"] = json!({ "selector": "#buy", "text": "Buy", "x": 10, "y": 20 });
    event
}

/// `{"events": [...]}`.
pub fn batch(events: Vec<Value>) -> Value {
    json!({ "events": events })
}
