//! `clickwire source create|list`: the sources of a data directory, managed directly (the
//! server sees a new source at once and a change within its key refresh). `create` prints
//! the new source as one JSON object, as `POST /v1/sources` answers.

use anyhow::Context;
use clap::Subcommand;
use clickwire_server::sources::{
    settings::{new_source, CreateSource, DedupSettings},
    SourceView,
};
use clickwire_store::{sqlite::SqliteSources, SourceKind, Sources};

use crate::admin::{DataArg, BUSY_TIMEOUT};

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Create a source and print it as JSON (its id and signing secret among the fields).
    Create {
        name: String,
        /// pipeline (Datafly Signal and Segment messages).
        #[arg(long, default_value = "pipeline")]
        kind: SourceKind,
        /// The source's tenant.
        #[arg(long, default_value = "default")]
        tenant: String,
        /// Allowed browser origin (repeatable), e.g. `https://shop.example.com`.
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Requests per second (default 1000).
        #[arg(long)]
        rate_limit: Option<u32>,
        /// CIDR block server-side requests must come from (repeatable; default: any).
        #[arg(long = "ip-allow")]
        ip_allow: Vec<String>,
        /// How long a messageId is remembered, e.g. `24h` (the default).
        #[arg(long)]
        dedup_window: Option<String>,
        #[command(flatten)]
        data: DataArg,
    },
    /// List the sources of a tenant, one JSON object per line.
    List {
        #[arg(long, default_value = "default")]
        tenant: String,
        #[command(flatten)]
        data: DataArg,
    },
}

pub fn run(command: SourceCommand) -> anyhow::Result<()> {
    match command {
        SourceCommand::Create {
            name,
            kind,
            tenant,
            origins,
            rate_limit,
            ip_allow,
            dedup_window,
            data,
        } => with_sources(data, |sources| async move {
            let request = CreateSource {
                name,
                kind,
                origins,
                rate_limit,
                ip_allow,
                dedup: dedup_window.map(|window| DedupSettings { window }),
            };
            let new = new_source(tenant, request).map_err(|errors| {
                let lines: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.message))
                    .collect();
                anyhow::anyhow!("invalid source: {}", lines.join("; "))
            })?;
            let source = sources.create_source(new).await?;
            println!("{}", serde_json::to_string(&SourceView::from(source))?);
            Ok(())
        }),
        SourceCommand::List { tenant, data } => with_sources(data, |sources| async move {
            for source in sources.list_sources(&tenant).await? {
                println!("{}", serde_json::to_string(&SourceView::from(source))?);
            }
            Ok(())
        }),
    }
}

/// Opens the sources of `data` and runs one command on them.
fn with_sources<F, Fut>(data: DataArg, command: F) -> anyhow::Result<()>
where
    F: FnOnce(SqliteSources) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let sources = SqliteSources::open(&data.data, BUSY_TIMEOUT)
        .with_context(|| format!("opening the sources in {}", data.data.display()))?;
    runtime.block_on(command(sources))
}
