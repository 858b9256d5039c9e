//! `clickwire store stats`: one JSON object per tenant and line, so scripts read it with
//! `jq` or line by line:
//! `{"tenant":"default","events":120000,"bytes":83886080,"oldest":{"seq":1,"receivedAt":"2026-11-01T09:00:00.000Z"},"newest":{…}}`
//! (`oldest`/`newest` are `null` for a tenant without events).

use std::{
    io::Write,
    time::{Duration, UNIX_EPOCH},
};

use anyhow::Context;
use clickwire_store::sqlite::{self, EventEdge, TenantStats};
use serde::Serialize;

use crate::data::DataArg;

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    data: DataArg,
}

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let dir = &args.data.data;
    let tenants = sqlite::stats(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut out = std::io::stdout().lock();
    for tenant in &tenants {
        writeln!(out, "{}", serde_json::to_string(&Line::from(tenant))?)?;
    }
    Ok(())
}

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    tenant: &'a str,
    events: u64,
    bytes: u64,
    oldest: Option<Edge>,
    newest: Option<Edge>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Edge {
    seq: i64,
    /// RFC 3339, UTC, milliseconds.
    received_at: String,
}

impl<'a> From<&'a TenantStats> for Line<'a> {
    fn from(stats: &'a TenantStats) -> Self {
        Self {
            tenant: &stats.tenant,
            events: stats.events,
            bytes: stats.bytes,
            oldest: stats.oldest.map(Edge::from),
            newest: stats.newest.map(Edge::from),
        }
    }
}

impl From<EventEdge> for Edge {
    fn from(edge: EventEdge) -> Self {
        let at = UNIX_EPOCH + Duration::from_millis(edge.received_at.max(0) as u64);
        Self {
            seq: edge.seq,
            received_at: humantime::format_rfc3339_millis(at).to_string(),
        }
    }
}
