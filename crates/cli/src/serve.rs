//! `clickwire serve`: load the layered configuration, set up logs, run the server until
//! SIGINT or SIGTERM, and drain before exiting 0.

use std::{io::IsTerminal, net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::Args;
use clickwire_server::{
    bootstrap::CREDENTIALS_FILE,
    config::{Config, LogFormat, Overrides},
    Server,
};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Bytes of log lines the writer thread gathers into one write.
const LOG_BUFFER: usize = 64 * 1024;

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
    // Held until the server has stopped: dropping it flushes the last lines.
    let _logs = init_logs(&config.log.level, config.log.format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Handlers go in before anything is announced: a SIGTERM right after "listening on"
    // must drain, not kill.
    let shutdown = shutdown_signal().context("installing signal handlers")?;
    let data = config.store.data.clone();
    let server = Server::build(config).await.context("starting the server")?;
    match server.bootstrap_file() {
        Some(file) => println!("bootstrap credentials written to {}", file.display()),
        None if !data.join(CREDENTIALS_FILE).exists() => println!(
            "no bootstrap credentials: the catalog in {} already has admin keys (made with \
             `clickwire key create`); use those",
            data.display()
        ),
        None => {}
    }
    let addr = server.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!(listen = %addr, data = %data.display(), "clickwire listening");
    server.run_until_stopped(shutdown).await?;
    Ok(())
}

/// A future that resolves on the first SIGINT or SIGTERM; the handlers are installed now.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutdown signal received; draining");
    })
}

/// A future that resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown signal received; draining");
    })
}

/// Logs to stderr through a writer thread, so that a request's log line never waits on the
/// terminal or pipe (lines are dropped, not waited for, if that thread falls behind). The
/// thread buffers what is queued and writes it at once when the queue is empty, so under
/// load many lines share one write, and an idle server's last line is never held back.
/// Colour only when stderr is a terminal.
fn init_logs(level: &str, format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = std::io::BufWriter::with_capacity(LOG_BUFFER, std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(stderr);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
    guard
}
