//! `clickwire serve`: load the layered configuration, set up logs, run the server until
//! SIGINT or SIGTERM, and drain before exiting 0.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::Args;
use clickwire_server::{
    config::{Config, LogFormat, Overrides},
    Server,
};
use tracing_subscriber::EnvFilter;

/// Flags of `clickwire serve`; they override the file and the environment.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on (`server.listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Data directory (`store.data`).
    #[arg(long)]
    data: Option<PathBuf>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        listen: args.listen,
        data: args.data,
    };
    let config = Config::load(args.config.as_deref(), overrides)?;
    init_logs(&config.log.level, config.log.format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let data = config.store.data.clone();
    let server = Server::build(config).await.context("starting the server")?;
    if let Some(file) = server.bootstrap_file() {
        println!("bootstrap credentials written to {}", file.display());
    }
    let addr = server.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!(listen = %addr, data = %data.display(), "clickwire listening");
    server.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

/// Resolves on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; draining");
}

fn init_logs(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
