//! `clickwire destination create|list` and `clickwire connection create|list`: the
//! deliveries of a data directory, managed directly (a running server picks changes up
//! within `deliveries.reload_interval`). `create` prints the new object as one JSON line,
//! as `POST /v1/destinations` and `POST /v1/connections` answer (a destination with its
//! signing secret).

use std::collections::BTreeMap;

use anyhow::Context;
use clap::Subcommand;
use clickwire_model::rules::Rule;
use clickwire_server::deliver::{
    settings::{check_connection, new_destination, ConnectionBody, DestinationBody},
    views::{ConnectionView, DestinationView},
};
use clickwire_store::{
    deliveries::{Backoff, DestinationAuth, NewConnection, NewDestination, ANY_SOURCE},
    sqlite::SqliteDeliveries,
    Deliveries,
};

use crate::{
    admin::{invalid, parse_word},
    data::{with_store, Access, DataArg},
};

#[derive(Debug, Subcommand)]
pub enum DestinationCommand {
    /// Create a destination and print it as JSON (its id and signing secret among the fields).
    Create {
        name: String,
        /// Where deliveries are sent (http or https).
        #[arg(long)]
        url: String,
        #[arg(long, default_value = "default")]
        tenant: String,
        /// POST, PUT or PATCH.
        #[arg(long)]
        method: Option<String>,
        /// An extra request header, `Name: value` (repeatable).
        #[arg(long = "header")]
        headers: Vec<String>,
        /// Seconds a request may take.
        #[arg(long)]
        timeout: Option<f64>,
        /// Send `Authorization: Bearer <token>`.
        #[arg(long)]
        bearer: Option<String>,
        /// Attempts in all, 1–10.
        #[arg(long)]
        retry_max_attempts: Option<u32>,
        /// exponential, linear or fixed.
        #[arg(long, value_parser = parse_backoff)]
        retry_backoff: Option<Backoff>,
        /// Seconds between attempts, comma-separated, e.g. `30,300,1800`.
        #[arg(long, value_delimiter = ',')]
        retry_intervals: Option<Vec<f64>>,
        /// Requests in flight at once.
        #[arg(long)]
        max_concurrency: Option<u32>,
        #[command(flatten)]
        data: DataArg,
    },
    /// List the destinations of a tenant, one JSON object per line.
    List {
        #[arg(long, default_value = "default")]
        tenant: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    /// Connect a source (or every event: `--source '*'`) to a destination.
    Create {
        #[arg(long, default_value = ANY_SOURCE)]
        source: String,
        #[arg(long)]
        destination: String,
        /// A filter rule as JSON, e.g. `{"path":"scores.intent","op":"gte","value":70}`
        /// (repeatable; all must match).
        #[arg(long = "rule")]
        rules: Vec<String>,
        #[arg(long, default_value = "connection")]
        name: String,
        #[arg(long, default_value = "default")]
        tenant: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// List the connections of a tenant, one JSON object per line.
    List {
        #[arg(long, default_value = "default")]
        tenant: String,
        #[command(flatten)]
        data: DataArg,
    },
}

pub fn run_destination(command: DestinationCommand) -> anyhow::Result<()> {
    match command {
        DestinationCommand::Create {
            name,
            url,
            tenant,
            method,
            headers,
            timeout,
            bearer,
            retry_max_attempts,
            retry_backoff,
            retry_intervals,
            max_concurrency,
            data,
        } => with_deliveries(data, |store| async move {
            let headers = headers
                .iter()
                .map(|h| {
                    h.split_once(':')
                        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                        .with_context(|| format!("--header {h}: expected `Name: value`"))
                })
                .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
            let body = DestinationBody {
                name: Some(name),
                url: Some(url),
                method,
                headers: Some(headers),
                timeout,
                auth: bearer.map(|token| DestinationAuth::Bearer { token }),
                retry_max_attempts,
                retry_backoff_type: retry_backoff,
                retry_intervals,
                max_concurrency,
                ..DestinationBody::default()
            };
            let (name, settings) =
                new_destination(&body).map_err(|errors| invalid("destination", &errors))?;
            let created = store
                .create_destination(NewDestination {
                    tenant,
                    name,
                    settings,
                })
                .await?;
            println!(
                "{}",
                serde_json::to_string(&DestinationView::new(created, true))?
            );
            Ok(())
        }),
        DestinationCommand::List { tenant, data } => with_deliveries(data, |store| async move {
            for destination in store.list_destinations(&tenant).await? {
                let view = DestinationView::new(destination, false);
                println!("{}", serde_json::to_string(&view)?);
            }
            Ok(())
        }),
    }
}

pub fn run_connection(command: ConnectionCommand) -> anyhow::Result<()> {
    match command {
        ConnectionCommand::Create {
            source,
            destination,
            rules,
            name,
            tenant,
            data,
        } => with_deliveries(data, |store| async move {
            let rules = rules
                .iter()
                .map(|r| serde_json::from_str::<Rule>(r).with_context(|| format!("--rule {r}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let body = ConnectionBody {
                name: Some(name),
                source_id: Some(source),
                destination_id: Some(destination),
                rules: Some(rules),
                enabled: Some(true),
            };
            check_connection(&body, true).map_err(|errors| invalid("connection", &errors))?;
            let created = store
                .create_connection(NewConnection {
                    tenant,
                    name: body.name.unwrap_or_default(),
                    source_id: body.source_id.unwrap_or_default(),
                    destination_id: body.destination_id.unwrap_or_default(),
                    rules: body.rules.unwrap_or_default(),
                    enabled: true,
                })
                .await?;
            println!("{}", serde_json::to_string(&ConnectionView::from(created))?);
            Ok(())
        }),
        ConnectionCommand::List { tenant, data } => with_deliveries(data, |store| async move {
            for connection in store.list_connections(&tenant).await? {
                println!(
                    "{}",
                    serde_json::to_string(&ConnectionView::from(connection))?
                );
            }
            Ok(())
        }),
    }
}

fn parse_backoff(text: &str) -> Result<Backoff, String> {
    parse_word(text, "exponential, linear or fixed")
}

/// Opens the deliveries of `data` and runs one command on them.
fn with_deliveries<F, Fut>(data: DataArg, command: F) -> anyhow::Result<()>
where
    F: FnOnce(SqliteDeliveries) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    with_store(
        &data,
        Access::Existing,
        "the deliveries",
        SqliteDeliveries::open,
        command,
    )
}
