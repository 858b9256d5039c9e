//! `clickwire subscribe`: follows the Signals Feed and prints each event frame as one JSON
//! line on stdout; everything else (connects, closes, retries) goes to stderr.
//!
//! Whatever closes the connection (the server's duration cap, a restart, a slow-reader
//! close, a dropped network) the subscriber reconnects with exponential backoff and
//! jitter, asking the server to resume after the last seq it printed, and skips any seq it
//! has already printed, so its output has neither gaps nor duplicates across reconnects.
//! A refusal that retrying cannot fix (401, 403, a bad filter) ends the run non-zero with
//! the server's message.

mod backoff;
pub mod connect;
mod session;

use std::{io, pin::pin, time::Duration};

use anyhow::Context as _;
use clap::value_parser;

use self::{
    backoff::Backoff,
    connect::{ConnectError, FeedSocket, Target},
    session::{Finish, Limits, Progress, SessionEnd},
};

/// Read buffer of the subscriber's socket: frames are well under a KiB.
const READ_BUFFER: usize = 16 * 1024;
/// Longest wait for the TCP connect and the HTTP upgrade.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// First reconnect delay; it doubles per failed attempt up to `--max-backoff`.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

#[derive(Debug, clap::Args)]
pub struct SubscribeArgs {
    /// The feed's WebSocket URL (`http://` is taken as `ws://`).
    #[arg(long, default_value = "ws://127.0.0.1:8080/v1/signals/stream")]
    url: String,
    /// API key of a tenant whose plan includes the feed; sent in `Sec-WebSocket-Protocol`.
    #[arg(long, env = "CS_API_KEY", hide_env_values = true)]
    key: String,
    /// Server-side filter, e.g. `behavioralClass:human,scores.intent>=70`.
    #[arg(long)]
    filter: Option<String>,
    /// Start after this seq (replaying stored events) instead of with live events only.
    #[arg(long)]
    since: Option<i64>,
    /// Exit 0 after printing this many events.
    #[arg(long, value_parser = value_parser!(u64).range(1..))]
    max_events: Option<u64>,
    /// Exit 0 once no event has been printed for this long (e.g. 5s), connected or not.
    #[arg(long, value_parser = humantime::parse_duration)]
    until_idle: Option<Duration>,
    /// Longest wait between two reconnect attempts.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    max_backoff: Duration,
    /// Reconnect when the server has sent nothing, not even a ping, for this long.
    #[arg(long, default_value = "90s", value_parser = humantime::parse_duration)]
    silence_timeout: Duration,
}

pub fn run(args: SubscribeArgs) -> anyhow::Result<()> {
    let target = Target::new(&args.url, args.key.clone(), args.filter.clone())?;
    let limits = Limits {
        max_events: args.max_events,
        until_idle: args.until_idle,
        silence: args.silence_timeout,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let mut out = io::stdout().lock();
    let progress = Progress::new(args.since);
    let backoff = Backoff::new(FIRST_BACKOFF, args.max_backoff);
    let outcome = runtime.block_on(follow(&target, limits, progress, backoff, &mut out));
    match outcome {
        Ok(finish) => {
            eprintln!("subscribe: done ({finish:?})");
            Ok(())
        }
        // `| head` closing the pipe is how a reader says it has enough.
        Err(error) if is_broken_pipe(&error) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Connects, prints, and reconnects until a limit, a signal or a final refusal.
async fn follow(
    target: &Target,
    limits: Limits,
    mut progress: Progress,
    mut backoff: Backoff,
    out: &mut impl io::Write,
) -> anyhow::Result<Finish> {
    let mut stop = pin!(stop_signal());
    loop {
        let since = progress.last_seq;
        let config = connect::socket_config(READ_BUFFER);
        let attempt = tokio::select! {
            attempt = connect::connect(target, since, config, HANDSHAKE_TIMEOUT) => attempt,
            () = session::sleep_until(limits.idle_deadline(&progress)) => return Ok(Finish::Idle),
            () = &mut stop => return Ok(Finish::Stopped),
        };
        let delay = match attempt {
            Ok(mut socket) => {
                eprintln!("subscribe: connected to {}", target.url(since));
                backoff.reset();
                let end = tokio::select! {
                    end = session::run(&mut socket, out, &mut progress, &limits) => end?,
                    () = &mut stop => SessionEnd::Finished(Finish::Stopped),
                };
                if let SessionEnd::Finished(finish) = end {
                    close(&mut socket).await;
                    return Ok(finish);
                }
                let delay = backoff.next_delay();
                eprintln!(
                    "subscribe: {}; reconnecting in {} after seq {}",
                    describe(&end),
                    humantime::format_duration(round_ms(delay)),
                    seq_text(progress.last_seq),
                );
                delay
            }
            Err(ConnectError::Retryable {
                message,
                retry_after,
            }) => {
                let delay = backoff.next_delay().max(retry_after.unwrap_or_default());
                eprintln!(
                    "subscribe: cannot connect to {}: {message}; retrying in {}",
                    target.url(since),
                    humantime::format_duration(round_ms(delay)),
                );
                delay
            }
            Err(error) => return Err(error.into()),
        };
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = session::sleep_until(limits.idle_deadline(&progress)) => return Ok(Finish::Idle),
            () = &mut stop => return Ok(Finish::Stopped),
        }
    }
}

/// Says goodbye politely but does not wait long for the server to agree.
async fn close(socket: &mut FeedSocket) {
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.close(None)).await;
}

fn describe(end: &SessionEnd) -> String {
    match end {
        SessionEnd::Closed {
            code: Some(code),
            reason,
        } => format!("closed by the server with code {code} {reason:?}"),
        SessionEnd::Closed { code: None, reason } => reason.clone(),
        SessionEnd::Failed(error) => format!("connection failed: {error}"),
        SessionEnd::Silent => "the server went silent".into(),
        SessionEnd::Finished(finish) => format!("{finish:?}"),
    }
}

fn seq_text(seq: Option<i64>) -> String {
    seq.map_or_else(|| "- (live only)".to_owned(), |s| s.to_string())
}

fn round_ms(delay: Duration) -> Duration {
    Duration::from_millis(delay.as_millis().try_into().unwrap_or(u64::MAX))
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// Resolves on the first SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = interrupt => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests;
