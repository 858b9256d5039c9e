//! The `clickwire` binary: a thin shell that parses the command line and hands off to the
//! library crates. Every command lives in its own module.

mod admin;
mod baseline;
mod data;
mod destination;
mod doctor;
mod feedbench;
mod loadgen;
mod progress;
mod serve;
mod sink;
mod source;
mod store;
mod subscribe;

use clap::{Parser, Subcommand};

/// glibc's allocator costs the ingest path about a tenth of its CPU in small allocations
/// (measured with perf; see BENCHMARKS.md); mimalloc does the same work for less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// clickwire — a self-hosted, first-party event gateway.
#[derive(Debug, Parser)]
#[command(name = "clickwire", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (embedded SQLite store in ./data by default).
    Serve(serve::ServeArgs),
    /// Check the settings, data directory, store files, keys and listen address before a
    /// start, and say what to do about each problem.
    Doctor(doctor::DoctorArgs),
    /// Manage tenants in a data directory.
    #[command(subcommand)]
    Tenant(admin::TenantCommand),
    /// Manage API keys in a data directory.
    #[command(subcommand)]
    Key(admin::KeyCommand),
    /// Manage sources (where pipeline events come from) in a data directory.
    #[command(subcommand)]
    Source(source::SourceCommand),
    /// Manage delivery destinations in a data directory.
    #[command(subcommand)]
    Destination(destination::DestinationCommand),
    /// Manage connections (source → destination, with filter rules) in a data directory.
    #[command(subcommand)]
    Connection(destination::ConnectionCommand),
    /// Inspect or fill the event store of a data directory.
    #[command(subcommand)]
    Store(store::StoreCommand),
    /// Post realistic events at a server and report events/s and latency percentiles.
    Loadgen(loadgen::LoadgenArgs),
    /// Follow the Signals Feed: print event frames as JSON lines, reconnecting and resuming.
    Subscribe(subscribe::SubscribeArgs),
    /// Benchmark baseline: a bare axum handler that only parses the JSON of each request.
    Baseline(baseline::BaselineArgs),
    /// Benchmark the Signals Feed: subscribers, frames/s, ack-to-frame latency, memory.
    Feedbench(feedbench::FeedbenchArgs),
    /// A delivery receiver for benchmarks and drills: answers every request and counts.
    Sink(sink::SinkArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Tenant(cmd) => admin::run_tenant(cmd),
        Command::Key(cmd) => admin::run_key(cmd),
        Command::Source(cmd) => source::run(cmd),
        Command::Destination(cmd) => destination::run_destination(cmd),
        Command::Connection(cmd) => destination::run_connection(cmd),
        Command::Store(cmd) => store::run(cmd),
        Command::Loadgen(args) => loadgen::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Subscribe(args) => subscribe::run(args),
        Command::Feedbench(args) => feedbench::run(args),
        Command::Sink(args) => sink::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
