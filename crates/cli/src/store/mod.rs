//! `clickwire store …`: the event store of a data directory, outside the server. `stats`
//! reports what it holds (read-only, also beside a running server); `fill` writes generated
//! events into it for the store-as-it-grows benchmarks.

mod fill;
mod stats;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Print per tenant: events, bytes, oldest and newest event, one JSON object per line.
    Stats(stats::StatsArgs),
    /// Write N generated, labelled events straight into a data directory (not over HTTP).
    Fill(fill::FillArgs),
}

pub fn run(command: StoreCommand) -> anyhow::Result<()> {
    match command {
        StoreCommand::Stats(args) => stats::run(&args),
        StoreCommand::Fill(args) => fill::run(args),
    }
}
