//! The one typed configuration of the server, layered: built-in defaults → an optional TOML
//! file → environment (`CLICKWIRE_<SECTION>__<KEY>`) → command-line flags. Durations are
//! written like `"30s"` or `"60m"`. Validated once at start-up; what is refused is told in
//! [`explain`]'s words.

mod explain;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clickwire_enrich::score::ScoringConfig;
use clickwire_store::{
    sqlite::{RetentionConfig, Synchronous},
    Tier,
};
use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::privacy::Secret;

/// Every setting of `clickwire serve`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub rate_limits: RateLimitConfig,
    #[serde(default)]
    pub scoring: ScoringSettings,
    #[serde(default)]
    pub feed: FeedConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub security: SecurityConfig,
    #[serde(default)]
    pub test_sessions: TestSessionsConfig,
    #[serde(default)]
    pub dashboard: DashboardConfig,
    #[serde(default)]
    pub deliveries: DeliveriesConfig,
}

/// `[deliveries]`: routing committed events to destinations and sending them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveriesConfig {
    /// Events the router reads per page.
    pub route_page: usize,
    /// How often destinations and connections are reloaded from the store (picks up
    /// changes the CLI made).
    #[serde(with = "humantime_serde")]
    pub reload_interval: Duration,
    /// An issue without a new failure for this long resolves itself.
    #[serde(with = "humantime_serde")]
    pub issue_auto_resolve: Duration,
    /// Threads of the deliveries' own runtime.
    pub threads: usize,
    /// Run the delivery threads at nice 10 (`SCHED_BATCH`), so that on busy cores ingest is
    /// served first.
    pub low_priority: bool,
    /// While ingest has events waiting for their commit, the router reads one page per this
    /// interval (the rest waits, durably, in the log).
    #[serde(with = "humantime_serde")]
    pub busy_route_interval: Duration,
    /// While ingest has events waiting for their commit, requests in flight per destination.
    pub busy_concurrency: usize,
}

impl Default for DeliveriesConfig {
    fn default() -> Self {
        Self {
            route_page: 500,
            reload_interval: Duration::from_secs(5),
            issue_auto_resolve: Duration::from_secs(30 * 60),
            threads: 2,
            low_priority: true,
            busy_route_interval: Duration::from_millis(100),
            busy_concurrency: 1,
        }
    }
}

/// `[dashboard]`: the dashboard's sessions and its stream `GET /v1/ws` (the stream's queue,
/// pings and timeouts are the `[feed]` settings).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// Concurrent dashboard sockets per tenant; one more gets 429.
    pub max_sockets_per_tenant: usize,
    /// How long a dashboard sign-in lasts (the session cookie's lifetime).
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            max_sockets_per_tenant: 100,
            session_ttl: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// `[test_sessions]`: the ephemeral webhook addresses `POST /v1/test/sessions` hands out.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestSessionsConfig {
    /// Sessions one client address may create per hour; more get 429.
    pub per_ip_per_hour: u32,
    /// How long a session takes requests.
    #[serde(with = "humantime_serde")]
    pub lifetime: Duration,
    /// Most requests a session captures; later ones get 410 `session_expired`.
    pub request_limit: u32,
    /// Concurrent `GET /v1/ws/test/{id}` sockets per session; one more gets 429.
    pub max_sockets_per_session: usize,
}

impl Default for TestSessionsConfig {
    fn default() -> Self {
        Self {
            per_ip_per_hour: 10,
            lifetime: Duration::from_secs(14 * 24 * 60 * 60),
            request_limit: 2000,
            max_sockets_per_session: 10,
        }
    }
}

/// `[server]`: the HTTP listener.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Largest request body accepted; larger gets 413 `payload_too_large`.
    pub max_body_bytes: usize,
    /// Longest wait for in-flight requests when stopping.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// Longest time a client may take to send a request's head (line and headers); a
    /// slower connection is closed.
    #[serde(with = "humantime_serde")]
    pub header_timeout: Duration,
    /// Longest time a client may take to send a request's body (and longest pause between
    /// its chunks); slower gets 408 `request_timeout`.
    #[serde(with = "humantime_serde")]
    pub body_timeout: Duration,
    /// Reverse proxies (CIDRs) whose `X-Forwarded-For` / `Forwarded` name the client;
    /// from any other peer those headers are ignored. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Development mode: pipeline sources also accept browser origins on this machine
    /// (`localhost`, `127.0.0.1`). Off by default.
    pub development: bool,
    /// Ingest requests (ClickStream, pipeline, webhooks) handled at once; one more is
    /// answered 503 `overloaded` with `Retry-After` at once, so that under a flood the
    /// admitted requests keep their latency.
    pub max_in_flight: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 1024 * 1024,
            shutdown_grace: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            development: false,
            max_in_flight: 128,
        }
    }
}

/// `[security]`: the keys of personal data. Each is 32 bytes, written as 64 hex digits or
/// base64, and never printed or serialised; unset ones come from files of the data
/// directory, created (mode 0600) on the first start.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// The current data key (seals `rawEmail`, `rawPhone`, form `values`, file
    /// `text_excerpt`); unset: the keyring file `data-keys.json`.
    #[serde(skip_serializing)]
    pub data_key: Option<Secret>,
    /// Earlier values of `data_key`, still used to open what they sealed.
    #[serde(skip_serializing)]
    pub retired_data_keys: Vec<Secret>,
    /// The HMAC-SHA256 secret of the stored IP and identity hashes; unset: the file
    /// `hash-secret.json`.
    #[serde(skip_serializing)]
    pub hash_secret: Option<Secret>,
}

/// `[store]`: the embedded SQLite store.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The data directory (database, bootstrap credentials).
    pub data: PathBuf,
    /// `normal` survives a killed process; `full` also survives power loss, slower.
    pub synchronous: Synchronous,
    /// Events accepted but not yet committed (being scored or waiting for the writer);
    /// beyond it ingest answers 503 before doing any work on a request's events.
    pub queue_capacity: usize,
    /// Most events one group commit writes.
    pub max_batch_rows: usize,
    /// How long a write waits for a lock held by another process (e.g. the CLI).
    #[serde(with = "humantime_serde")]
    pub busy_timeout: Duration,
    /// Most read connections open at once (kept when idle).
    pub readers: usize,
    /// Events received longer ago than this are deleted; absent keeps them forever.
    #[serde(with = "humantime_serde")]
    pub retention: Option<Duration>,
    /// How often expired events are looked for (a backlog is worked off between commits).
    #[serde(with = "humantime_serde")]
    pub retention_interval: Duration,
    /// Most events one retention transaction deletes (what an append may wait behind).
    pub retention_chunk: usize,
    /// Reads that may wait for a read connection; beyond it reads answer 503 `overloaded`.
    pub read_queue: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            data: PathBuf::from("./data"),
            synchronous: Synchronous::Normal,
            queue_capacity: 16_384,
            max_batch_rows: 2000,
            busy_timeout: Duration::from_secs(5),
            readers: 4,
            retention: None,
            retention_interval: Duration::from_secs(60),
            retention_chunk: 1_000,
            read_queue: 256,
        }
    }
}

impl StoreConfig {
    /// The store's retention settings, when retention is on.
    pub fn retention_config(&self) -> Option<RetentionConfig> {
        self.retention.map(|keep| RetentionConfig {
            keep,
            interval: self.retention_interval,
            chunk_rows: self.retention_chunk,
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("store.queue_capacity", self.queue_capacity),
            ("store.max_batch_rows", self.max_batch_rows),
            ("store.retention_chunk", self.retention_chunk),
            ("store.readers", self.readers),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(ConfigError::Invalid(name, "must be greater than 0".into()));
            }
        }
        let durations = [
            ("store.retention", self.retention.unwrap_or(Duration::MAX)),
            ("store.retention_interval", self.retention_interval),
        ];
        for (name, value) in durations {
            if value.is_zero() {
                return Err(ConfigError::Invalid(name, "must be greater than 0".into()));
            }
        }
        Ok(())
    }
}

/// `[auth]`: the key cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// How often live keys are reloaded; a revoked key stops working within this time.
    #[serde(with = "humantime_serde")]
    pub key_refresh: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            key_refresh: Duration::from_secs(1),
        }
    }
}

/// `[rate_limits]`: sustained events per second per key, by tier; bursts of `burst_factor`×.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    pub enabled: bool,
    pub free: u32,
    pub builder: u32,
    pub scale: u32,
    pub network: u32,
    pub custom: u32,
    pub burst_factor: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            free: 100,
            builder: 1_000,
            scale: 5_000,
            network: 25_000,
            custom: 100_000,
            burst_factor: 2,
        }
    }
}

impl RateLimitConfig {
    /// Sustained events per second for `tier`.
    pub fn per_second(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Free => self.free,
            Tier::Builder => self.builder,
            Tier::Scale => self.scale,
            Tier::Network => self.network,
            Tier::Custom => self.custom,
        }
    }
}

/// `[scoring]`: the process stage that labels and scores events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringSettings {
    /// Off stores events without labels (for measuring what scoring costs).
    pub enabled: bool,
    /// Shard tasks holding visitor state; a visitor always goes to the same shard.
    pub shards: usize,
    /// Most visitors held in memory (least recently seen are dropped first and rebuilt
    /// from the store when they come back).
    pub max_visitors: usize,
    /// Visitors idle this long are dropped from memory.
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    /// Distinct user agents whose parse is cached.
    pub ua_cache: usize,
    /// Most stored events replayed to rebuild a visitor's session after a restart (the
    /// newest of the session).
    pub rebuild_limit: usize,
    /// Every weight, threshold and window of the scores (`[scoring.weights.intent]`, …);
    /// defaults are the values docs/SCORING.md publishes.
    pub weights: ScoringConfig,
}

impl Default for ScoringSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            shards: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_visitors: 200_000,
            session_idle: Duration::from_secs(30 * 60),
            ua_cache: 20_000,
            rebuild_limit: 1_000,
            weights: ScoringConfig::default(),
        }
    }
}

/// `[feed]`: the Signals Feed (WebSocket and Server-Sent Events). Defaults are the
/// contract's; tests shorten the timings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedConfig {
    /// How often `{"type":"ping"}` (SSE: a comment) is sent.
    #[serde(with = "humantime_serde")]
    pub ping_interval: Duration,
    /// A WebSocket subscriber that sends nothing for this long is dropped.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Every subscriber is closed after this long (`duration_limit`, close 4008).
    #[serde(with = "humantime_serde")]
    pub max_duration: Duration,
    /// Concurrent subscribers per tenant (WebSocket and SSE together); one more gets 429.
    pub max_subscribers_per_tenant: usize,
    /// Frames queued for one subscriber; a subscriber that lets it fill is closed with 1011.
    pub subscriber_queue: usize,
    /// Stored events read per page when replaying (`since`, `Last-Event-ID`, lag recovery).
    pub replay_page: usize,
    /// How long the closing frame may take to reach a subscriber that stopped reading.
    #[serde(with = "humantime_serde")]
    pub close_timeout: Duration,
    /// Once a subscriber's queue overflowed, how long its socket may still take to accept
    /// the write it is blocked on before it is closed with 1011. (A subscriber whose socket
    /// keeps up through a burst larger than the queue is caught up from the store instead.)
    #[serde(with = "humantime_serde")]
    pub slow_grace: Duration,
    /// Inbound event frames (Write) being stored at once per subscriber; further frames
    /// wait unread until one is acknowledged.
    pub write_in_flight: usize,
    /// WebSocket read buffer per connection, bytes (allocated at the upgrade).
    pub ws_read_buffer: usize,
    /// Bytes of outgoing frames collected before a write to the socket.
    pub ws_write_buffer: usize,
    /// Most bytes of outgoing frames held for a socket that does not accept writes.
    pub ws_max_write_buffer: usize,
    /// Largest inbound WebSocket message (an event frame), bytes.
    pub ws_max_message: usize,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_duration: Duration::from_secs(60 * 60),
            max_subscribers_per_tenant: 10,
            subscriber_queue: 1024,
            replay_page: 500,
            close_timeout: Duration::from_secs(5),
            slow_grace: Duration::from_secs(1),
            write_in_flight: 16,
            ws_read_buffer: 4 * 1024,
            ws_write_buffer: 4 * 1024,
            ws_max_write_buffer: 1024 * 1024,
            ws_max_message: 64 * 1024,
        }
    }
}

impl FeedConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let durations = [
            ("feed.ping_interval", self.ping_interval),
            ("feed.idle_timeout", self.idle_timeout),
            ("feed.max_duration", self.max_duration),
            ("feed.close_timeout", self.close_timeout),
        ];
        for (name, value) in durations {
            if value.is_zero() {
                return Err(ConfigError::Invalid(name, "must be greater than 0".into()));
            }
        }
        let sizes = [
            (
                "feed.max_subscribers_per_tenant",
                self.max_subscribers_per_tenant,
            ),
            ("feed.subscriber_queue", self.subscriber_queue),
            ("feed.replay_page", self.replay_page),
            ("feed.write_in_flight", self.write_in_flight),
            ("feed.ws_read_buffer", self.ws_read_buffer),
            ("feed.ws_max_message", self.ws_max_message),
        ];
        for (name, value) in sizes {
            if value == 0 {
                return Err(ConfigError::Invalid(name, "must be greater than 0".into()));
            }
        }
        if self.ws_max_write_buffer <= self.ws_write_buffer + self.ws_max_message {
            return Err(ConfigError::Invalid(
                "feed.ws_max_write_buffer",
                "must be larger than ws_write_buffer + ws_max_message".into(),
            ));
        }
        Ok(())
    }
}

/// `[log]`: structured logs on stderr.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, e.g. `info` or `clickwire_server=debug`; `RUST_LOG` wins when set.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// Values given as command-line flags: the last layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    /// Told in [`explain`]'s words alone: figment's own text is not chained after them.
    #[error("{}", explain::explain(.0))]
    Parse(Box<figment::Error>),
    #[error("invalid setting {0}: {1}")]
    Invalid(&'static str, String),
}

impl From<Box<figment::Error>> for ConfigError {
    fn from(error: Box<figment::Error>) -> Self {
        ConfigError::Parse(error)
    }
}

impl Config {
    /// Loads defaults → `file` → environment → `overrides`, then validates.
    pub fn load(file: Option<&std::path::Path>, overrides: Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::MissingFile(file.to_owned()));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed(explain::ENV_PREFIX).split(explain::ENV_SPLIT));
        if let Some(listen) = overrides.listen {
            figment = figment.merge(("server.listen", listen));
        }
        if let Some(data) = overrides.data {
            figment = figment.merge(("store.data", data));
        }
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let positive = |name, value: usize| {
            if value == 0 {
                Err(ConfigError::Invalid(name, "must be greater than 0".into()))
            } else {
                Ok(())
            }
        };
        positive("server.max_body_bytes", self.server.max_body_bytes)?;
        positive("server.max_in_flight", self.server.max_in_flight)?;
        self.store.validate()?;
        positive("scoring.shards", self.scoring.shards)?;
        positive("scoring.max_visitors", self.scoring.max_visitors)?;
        positive("scoring.ua_cache", self.scoring.ua_cache)?;
        positive("scoring.rebuild_limit", self.scoring.rebuild_limit)?;
        self.scoring
            .weights
            .validate()
            .map_err(|err| ConfigError::Invalid("scoring.weights", err.to_string()))?;
        positive(
            "rate_limits.burst_factor",
            self.rate_limits.burst_factor as usize,
        )?;
        for tier in Tier::ALL {
            if self.rate_limits.per_second(tier) == 0 {
                return Err(ConfigError::Invalid(
                    "rate_limits",
                    format!("{tier} must be greater than 0"),
                ));
            }
        }
        self.feed.validate()?;
        let durations = [
            ("server.header_timeout", self.server.header_timeout),
            ("server.body_timeout", self.server.body_timeout),
            ("dashboard.session_ttl", self.dashboard.session_ttl),
        ];
        for (name, value) in durations {
            if value.is_zero() {
                return Err(ConfigError::Invalid(name, "must be greater than 0".into()));
            }
        }
        positive("deliveries.route_page", self.deliveries.route_page)?;
        positive("deliveries.threads", self.deliveries.threads)?;
        positive(
            "deliveries.busy_concurrency",
            self.deliveries.busy_concurrency,
        )?;
        let durations = [
            (
                "deliveries.reload_interval",
                self.deliveries.reload_interval,
            ),
            (
                "deliveries.issue_auto_resolve",
                self.deliveries.issue_auto_resolve,
            ),
        ];
        for (name, value) in durations {
            if value.is_zero() {
                return Err(ConfigError::Invalid(name, "must be greater than 0".into()));
            }
        }
        if self.auth.key_refresh.is_zero() {
            return Err(ConfigError::Invalid(
                "auth.key_refresh",
                "must be greater than 0".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_toml(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("clickwire.toml");
        std::fs::write(&path, text).expect("write");
        Config::load(Some(&path), Overrides::default())
    }

    #[test]
    fn security_keys_and_trusted_proxies_are_read_and_keys_never_print() {
        let key = "3f".repeat(32);
        let config = load_toml(&format!(
            "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1/128\"]\n\
             [security]\ndata_key = \"{key}\"\nhash_secret = \"{key}\"\n"
        ))
        .expect("valid");
        assert_eq!(config.server.trusted_proxies.len(), 2);
        assert_eq!(
            config.security.data_key.as_ref().map(|k| k.expose()[0]),
            Some(0x3f)
        );
        assert!(!format!("{config:?}").contains(&key));
        let serialised = serde_json::to_string(&config).expect("json");
        assert!(!serialised.contains(&key), "{serialised}");
    }

    #[test]
    fn a_data_key_that_is_not_32_bytes_stops_the_start() {
        let err = load_toml("[security]\ndata_key = \"c2hvcnQ=\"\n").expect_err("too short");
        assert!(err.to_string().contains("32 bytes"), "{err}");
    }
}
