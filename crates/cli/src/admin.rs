//! `clickwire tenant …` and `clickwire key …`: the catalog of a data directory, managed
//! directly (SQLite allows it while the server runs; the server sees new keys at once and
//! revocations within its key refresh), and `clickwire key rotate-data-key`, which adds a
//! key to the data directory's keyring of personal-data keys.

use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use clickwire_server::privacy::rotate_data_key;
use clickwire_store::{sqlite::SqliteCatalog, Catalog, KeyKind, NewKey, Tier};

use crate::data::{with_store, Access, DataArg};

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant.
    Create {
        name: String,
        #[arg(long)]
        tier: Tier,
        #[command(flatten)]
        data: DataArg,
    },
    /// List tenants.
    List {
        #[command(flatten)]
        data: DataArg,
    },
}

/// `--kind`: a key kind, or `operator` (an admin key bound to no tenant).
#[derive(Debug, Clone, Copy)]
pub enum KindArg {
    Operator,
    Key(KeyKind),
}

impl std::str::FromStr for KindArg {
    type Err = clickwire_store::catalog::ParseNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(KindArg::Operator),
            other => other.parse().map(KindArg::Key),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key and print it (alone) on stdout; it is shown only this once.
    Create {
        /// The key's tenant (every kind but `operator`).
        #[arg(long)]
        tenant: Option<String>,
        /// website | mobile | server | pipeline | admin (one tenant) | operator (every tenant).
        #[arg(long)]
        kind: KindArg,
        /// Allowed browser origin of a website key (repeatable; `*.example.com` for subdomains).
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// The source a pipeline key belongs to (`src_…`, from `clickwire source create`).
        #[arg(long)]
        source: Option<String>,
        /// Mint a test key (`dk_test_…` / `cs_test_…`): the same rights as a live one.
        #[arg(long)]
        test: bool,
        /// The key stops working after this long, e.g. `30d` or `12h` (default: never).
        #[arg(long, value_parser = humantime::parse_duration)]
        expires_in: Option<Duration>,
        #[command(flatten)]
        data: DataArg,
    },
    /// List keys (prefixes only).
    List {
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoke a key by its id (`key_…`, from `key list`).
    Revoke {
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Add a new current data key to the keyring (`<data>/data-keys.json`) and print its
    /// id; older keys stay, so values sealed before remain readable. A running server seals
    /// with it within its key refresh (1 s by default).
    RotateDataKey {
        #[command(flatten)]
        data: DataArg,
    },
}

pub fn run_tenant(command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create { name, tier, data } => {
            with_catalog(data, Access::MayCreate, |catalog| async move {
                let tenant = catalog.create_tenant(&name, tier).await?;
                println!("{}\t{}", tenant.name, tenant.tier);
                Ok(())
            })
        }
        TenantCommand::List { data } => {
            with_catalog(data, Access::Existing, |catalog| async move {
                for tenant in catalog.list_tenants().await? {
                    println!("{}\t{}", tenant.name, tenant.tier);
                }
                Ok(())
            })
        }
    }
}

pub fn run_key(command: KeyCommand) -> anyhow::Result<()> {
    match command {
        KeyCommand::Create {
            tenant,
            kind,
            origins,
            source,
            test,
            expires_in,
            data,
        } => with_catalog(data, Access::MayCreate, |catalog| async move {
            let (tenant, kind) = match (kind, tenant) {
                (KindArg::Operator, None) => (None, KeyKind::Admin),
                (KindArg::Operator, Some(_)) => {
                    anyhow::bail!("an operator key belongs to no tenant; leave out --tenant")
                }
                (KindArg::Key(kind), Some(tenant)) => (Some(tenant), kind),
                (KindArg::Key(kind), None) => anyhow::bail!("a {kind} key needs --tenant"),
            };
            let expires_at = expires_in.map(|after| now_ms().saturating_add(millis(after)));
            let new = NewKey {
                tenant,
                kind,
                origins,
                source,
                expires_at,
                test,
            };
            let (_, key) = catalog.create_key(new).await?;
            println!("{key}");
            Ok(())
        }),
        KeyCommand::List { tenant, data } => {
            with_catalog(data, Access::Existing, |catalog| async move {
                for key in catalog.list_keys(tenant.as_deref()).await? {
                    let state = if key.revoked_at.is_some() {
                        "revoked"
                    } else if key.expires_at.is_some_and(|at| at <= now_ms()) {
                        "expired"
                    } else {
                        "live"
                    };
                    let (tenant, kind) = match &key.tenant {
                        None => ("-", "operator"),
                        Some(tenant) => (tenant.as_str(), key.kind.as_str()),
                    };
                    let origins = key.origins.join(",");
                    println!(
                        "{}\t{}\t{tenant}\t{kind}\t{state}\t{origins}",
                        key.id, key.prefix
                    );
                }
                Ok(())
            })
        }
        KeyCommand::Revoke { id, data } => {
            with_catalog(data, Access::Existing, |catalog| async move {
                let key = catalog.revoke_key(&id, None).await?;
                println!("revoked {} ({})", key.id, key.prefix);
                Ok(())
            })
        }
        KeyCommand::RotateDataKey { data } => {
            let dir = data.check(Access::MayCreate)?;
            let kid = rotate_data_key(dir).context("rotating the data key")?;
            println!("{kid}");
            Ok(())
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, millis)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Opens the catalog of `data` and runs one command on it.
fn with_catalog<F, Fut>(data: DataArg, access: Access, command: F) -> anyhow::Result<()>
where
    F: FnOnce(SqliteCatalog) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    with_store(&data, access, "the catalog", SqliteCatalog::open, command)
}

/// The fields a settings check refused, as one error.
pub fn invalid(what: &str, errors: &[clickwire_model::FieldError]) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    anyhow::anyhow!("invalid {what}: {}", lines.join("; "))
}

/// A word of a serde enum (`payload_hash`, `linear`, …); `expected` lists them.
pub fn parse_word<T: serde::de::DeserializeOwned>(text: &str, expected: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("expected {expected}"))
}
