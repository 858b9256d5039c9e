//! The data directory the management commands work on, and the check that it is one: the
//! CLI never creates a directory, and only a command that creates something (a tenant, an
//! operator key, a data key) may start a store in an existing directory that has none. So a mistyped
//! `--data`, or a command run from the wrong directory, is an error that says what to do,
//! not a new empty store.

use std::{path::Path, path::PathBuf, time::Duration};

use anyhow::Context;
use clap::Args;
use clickwire_store::sqlite::DB_FILE;

/// How long a CLI write waits for the server's write lock.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The data directory every catalog command works on.
#[derive(Debug, Args)]
pub struct DataArg {
    /// Data directory of the server (`store.data`).
    #[arg(long, default_value = "./data", env = "CLICKWIRE_STORE__DATA")]
    pub data: PathBuf,
}

/// What a command needs of the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The directory must already hold a clickwire store.
    Existing,
    /// The directory must exist; the command may create the store in it.
    MayCreate,
}

impl DataArg {
    /// Checks that the directory is what `access` needs.
    pub fn check(&self, access: Access) -> anyhow::Result<&Path> {
        let dir = self.data.as_path();
        if !dir.is_dir() {
            anyhow::bail!(
                "no data directory {}: pass the one `clickwire serve` uses with --data (or \
                 CLICKWIRE_STORE__DATA); a new one is made by `clickwire serve --data {0}`",
                dir.display()
            );
        }
        if access == Access::Existing && !dir.join(DB_FILE).is_file() {
            anyhow::bail!(
                "{} holds no clickwire store (no {DB_FILE}): pass the directory \
                 `clickwire serve` uses with --data, or start `clickwire serve --data {0}` once",
                dir.display()
            );
        }
        Ok(dir)
    }
}

/// Opens a store of `data` (`what` names it in errors) with `open`, once the directory
/// passed [`DataArg::check`], and runs one command on it, on a runtime of its own.
pub fn with_store<S, E, F, Fut>(
    data: &DataArg,
    access: Access,
    what: &str,
    open: impl FnOnce(&Path, Duration) -> Result<S, E>,
    command: F,
) -> anyhow::Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
    F: FnOnce(S) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let dir = data.check(access)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let store =
        open(dir, BUSY_TIMEOUT).with_context(|| format!("opening {what} in {}", dir.display()))?;
    runtime.block_on(command(store))
}
