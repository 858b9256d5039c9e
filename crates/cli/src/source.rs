//! `clickwire source create|list`: the sources of a data directory (pipeline and webhook),
//! managed directly (the server sees a new source at once and a change within its key
//! refresh). `create` prints
//! the new source as one JSON object, as `POST /v1/sources` answers.

use anyhow::Context;
use clap::Subcommand;
use clickwire_server::sources::{
    settings::{new_source, CreateSource, DedupSettings},
    SourceView,
};
use clickwire_store::{sqlite::SqliteSources, DedupStrategy, SourceKind, Sources, Verification};

use crate::{
    admin::{invalid, parse_word},
    data::{with_store, Access, DataArg},
};

// Parsed once per process: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Create a source and print it as JSON (its id and signing secret among the fields).
    Create {
        name: String,
        /// pipeline (Datafly Signal and Segment messages) or webhook (`/v1/ingest/<id>`).
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
        /// CIDR block refused whatever --ip-allow says (repeatable; webhook sources).
        #[arg(long = "ip-deny")]
        ip_deny: Vec<String>,
        /// How long a messageId (or webhook dedup key) is remembered, e.g. `24h` (the default).
        #[arg(long)]
        dedup_window: Option<String>,
        /// Webhook dedup key: payload_hash, header_field or body_field.
        #[arg(long, value_parser = parse_strategy)]
        dedup_strategy: Option<DedupStrategy>,
        /// The header (header_field) or dot path of the JSON body (body_field).
        #[arg(long)]
        dedup_field: Option<String>,
        /// Webhook signature check: hmac_sha256 or standard_webhooks.
        #[arg(long)]
        verify: Option<String>,
        /// The secret of --verify (a whsec_… secret for standard_webhooks).
        #[arg(long)]
        verify_secret: Option<String>,
        /// The signature header of hmac_sha256, e.g. X-Hub-Signature-256.
        #[arg(long)]
        verify_header: Option<String>,
        /// What precedes the hex digest in that header, e.g. `sha256=`.
        #[arg(long)]
        verify_prefix: Option<String>,
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
            ip_deny,
            dedup_window,
            dedup_strategy,
            dedup_field,
            verify,
            verify_secret,
            verify_header,
            verify_prefix,
            data,
        } => with_sources(data, |sources| async move {
            let verification = match verify.as_deref() {
                None => None,
                Some("hmac_sha256") => Some(Verification::HmacSha256 {
                    header: verify_header.context("--verify hmac_sha256 needs --verify-header")?,
                    secret: verify_secret.context("--verify needs --verify-secret")?,
                    prefix: verify_prefix,
                }),
                Some("standard_webhooks") => Some(Verification::StandardWebhooks {
                    secret: verify_secret.context("--verify needs --verify-secret")?,
                }),
                Some(other) => {
                    anyhow::bail!("--verify {other}: expected hmac_sha256 or standard_webhooks")
                }
            };
            let request = CreateSource {
                name,
                kind,
                origins,
                rate_limit,
                ip_allow,
                ip_deny,
                verification,
                dedup: Some(DedupSettings {
                    strategy: dedup_strategy,
                    field: dedup_field,
                    window: dedup_window,
                }),
            };
            let new = new_source(tenant, request).map_err(|errors| invalid("source", &errors))?;
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

fn parse_strategy(text: &str) -> Result<DedupStrategy, String> {
    parse_word(text, "payload_hash, header_field or body_field")
}

/// Opens the sources of `data` and runs one command on them.
fn with_sources<F, Fut>(data: DataArg, command: F) -> anyhow::Result<()>
where
    F: FnOnce(SqliteSources) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    with_store(
        &data,
        Access::Existing,
        "the sources",
        SqliteSources::open,
        command,
    )
}
