//! `clickwire tenant …` and `clickwire key …`: the catalog of a data directory, managed
//! directly (SQLite allows it while the server runs; the server sees new keys at once and
//! revocations within its key refresh), and `clickwire key rotate-data-key`, which adds a
//! key to the data directory's keyring of personal-data keys.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Args, Subcommand};
use clickwire_server::privacy::rotate_data_key;
use clickwire_store::{sqlite::SqliteCatalog, Catalog, KeyKind, NewKey, Tier};

/// How long a CLI write waits for the server's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The data directory every catalog command works on.
#[derive(Debug, Args)]
pub struct DataArg {
    /// Data directory of the server.
    #[arg(long, default_value = "./data", env = "CLICKWIRE_STORE__DATA")]
    data: PathBuf,
}

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

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key and print it (alone) on stdout; it is shown only this once.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        kind: KeyKind,
        /// Allowed browser origin of a website key (repeatable; `*.example.com` for subdomains).
        #[arg(long = "origin")]
        origins: Vec<String>,
        #[arg(long)]
        source: Option<String>,
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
    /// Revoke a key by id or by the key itself.
    Revoke {
        key_or_id: String,
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
        TenantCommand::Create { name, tier, data } => with_catalog(data, |catalog| async move {
            let tenant = catalog.create_tenant(&name, tier).await?;
            println!("{}\t{}", tenant.name, tenant.tier);
            Ok(())
        }),
        TenantCommand::List { data } => with_catalog(data, |catalog| async move {
            for tenant in catalog.list_tenants().await? {
                println!("{}\t{}", tenant.name, tenant.tier);
            }
            Ok(())
        }),
    }
}

pub fn run_key(command: KeyCommand) -> anyhow::Result<()> {
    match command {
        KeyCommand::Create {
            tenant,
            kind,
            origins,
            source,
            data,
        } => with_catalog(data, |catalog| async move {
            let new = NewKey {
                tenant,
                kind,
                origins,
                source,
            };
            let (_, key) = catalog.create_key(new).await?;
            println!("{key}");
            Ok(())
        }),
        KeyCommand::List { tenant, data } => with_catalog(data, |catalog| async move {
            for key in catalog.list_keys(tenant.as_deref()).await? {
                let state = if key.revoked_at.is_some() {
                    "revoked"
                } else {
                    "live"
                };
                let origins = key.origins.join(",");
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{origins}",
                    key.id, key.prefix, key.tenant, key.kind, state
                );
            }
            Ok(())
        }),
        KeyCommand::Revoke { key_or_id, data } => with_catalog(data, |catalog| async move {
            let key = catalog.revoke_key(&key_or_id).await?;
            println!("revoked {} ({})", key.id, key.prefix);
            Ok(())
        }),
        KeyCommand::RotateDataKey { data } => {
            std::fs::create_dir_all(&data.data)
                .with_context(|| format!("creating {}", data.data.display()))?;
            let kid = rotate_data_key(&data.data).context("rotating the data key")?;
            println!("{kid}");
            Ok(())
        }
    }
}

/// Opens the catalog of `data` and runs one command on it.
fn with_catalog<F, Fut>(data: DataArg, command: F) -> anyhow::Result<()>
where
    F: FnOnce(SqliteCatalog) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let catalog = SqliteCatalog::open(&data.data, BUSY_TIMEOUT)
        .with_context(|| format!("opening the catalog in {}", data.data.display()))?;
    runtime.block_on(command(catalog))
}
