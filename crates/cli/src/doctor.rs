//! `clickwire doctor`: looks at what `clickwire serve` would start with — the settings, the
//! data directory, the store's files, the bootstrap state, the personal-data keys and the
//! listen address — and prints one line per check with what to do about each problem.
//! It changes nothing (the store files are opened read-only, the catalog only read), so it
//! can run beside a live server; it exits 1 when a check failed.

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    time::Duration,
};

use clap::Args;
use clickwire_server::{
    bootstrap::CREDENTIALS_FILE,
    config::{Config, Overrides},
    privacy::{hash::HASH_SECRET_FILE, keyring::KEYRING_FILE},
};
use clickwire_store::{
    sqlite::{check_files, FileOutcome, SqliteCatalog, DB_FILE},
    Catalog,
};

use crate::data::BUSY_TIMEOUT;

/// Flags of `clickwire doctor`: the same as `clickwire serve`'s.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// A TOML configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address the server would listen on (`server.listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Data directory (`store.data`).
    #[arg(long)]
    data: Option<PathBuf>,
}

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    /// Works, but worth knowing.
    Note,
    /// `clickwire serve` would fail or misbehave.
    Fail,
}

/// One printed line: the verdict, what was checked, and what to do when it is not ok.
struct Finding {
    verdict: Verdict,
    text: String,
}

fn finding(verdict: Verdict, text: impl Into<String>) -> Finding {
    Finding {
        verdict,
        text: text.into(),
    }
}

pub fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        listen: args.listen,
        data: args.data,
    };
    let findings = match Config::load(args.config.as_deref(), overrides) {
        Err(err) => vec![finding(
            Verdict::Fail,
            format!("settings: {err} — fix the setting, then run `clickwire doctor` again"),
        )],
        Ok(config) => {
            let mut findings = vec![finding(Verdict::Ok, "settings load and are valid")];
            findings.extend(check_data(&config));
            findings.push(check_listen(config.server.listen));
            findings.push(finding(
                Verdict::Ok,
                "mode: embedded (SQLite in the data directory; no NATS or PostgreSQL to reach)",
            ));
            findings
        }
    };
    for Finding { verdict, text } in &findings {
        let tag = match verdict {
            Verdict::Ok => "ok  ",
            Verdict::Note => "note",
            Verdict::Fail => "FAIL",
        };
        println!("{tag}  {text}");
    }
    let failed = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail)
        .count();
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

/// The data directory, its store files, the bootstrap state and the key files.
fn check_data(config: &Config) -> Vec<Finding> {
    let dir = config.store.data.as_path();
    let shown = dir.display();
    if !dir.exists() {
        return vec![finding(
            Verdict::Note,
            format!("data directory {shown} does not exist yet: the first `clickwire serve` creates it and bootstraps"),
        )];
    }
    if !dir.is_dir() {
        return vec![finding(
            Verdict::Fail,
            format!("data directory {shown} is not a directory — set --data or store.data to a directory"),
        )];
    }
    let mut findings = vec![writable(dir)];
    for file in check_files(dir) {
        let name = file.path.display();
        findings.push(match file.outcome {
            FileOutcome::Absent => finding(Verdict::Ok, format!("{name}: not created yet")),
            FileOutcome::Sound => finding(Verdict::Ok, format!("{name}: quick_check ok")),
            FileOutcome::Damaged(problem) => finding(
                Verdict::Fail,
                format!(
                    "{name}: damaged ({problem}) — stop the server, keep a copy of the data \
                     directory, and restore the file from a backup (RELIABILITY.md, \"Faults\")"
                ),
            ),
        });
    }
    if dir.join(DB_FILE).is_file() {
        findings.push(bootstrap_state(dir));
    }
    findings.extend(key_files(config, dir));
    findings
}

fn writable(dir: &Path) -> Finding {
    let probe = dir.join(".clickwire-doctor-probe");
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            finding(
                Verdict::Ok,
                format!("data directory {} is writable", dir.display()),
            )
        }
        Err(err) => finding(
            Verdict::Fail,
            format!(
                "data directory {} is not writable ({err}) — run the server as the directory's \
                 owner, or fix its permissions",
                dir.display()
            ),
        ),
    }
}

/// Whether the catalog has been set up, and where its first credentials are.
fn bootstrap_state(dir: &Path) -> Finding {
    let admin_keys = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| {
            let catalog = SqliteCatalog::open(dir, BUSY_TIMEOUT)?;
            Ok(runtime.block_on(catalog.has_admin_keys())?)
        });
    let credentials = dir.join(CREDENTIALS_FILE);
    match admin_keys {
        Err(err) => finding(Verdict::Fail, format!("catalog: cannot be read ({err:#})")),
        Ok(false) => finding(
            Verdict::Note,
            "catalog: no admin key yet — the next `clickwire serve` bootstraps tenant `default` and its keys",
        ),
        Ok(true) if credentials.is_file() => finding(
            Verdict::Ok,
            format!("catalog: bootstrapped; the first keys are in {}", credentials.display()),
        ),
        Ok(true) => finding(
            Verdict::Ok,
            "catalog: admin keys exist (made with `clickwire key create`, or the credentials file was removed)",
        ),
    }
}

/// The personal-data keyring and the hash secret: configured, or files only the owner reads.
fn key_files(config: &Config, dir: &Path) -> Vec<Finding> {
    let files = [
        (
            KEYRING_FILE,
            config.security.data_key.is_some(),
            "security.data_key",
        ),
        (
            HASH_SECRET_FILE,
            config.security.hash_secret.is_some(),
            "security.hash_secret",
        ),
    ];
    let mut findings = Vec::new();
    for (name, configured, setting) in files {
        let path = dir.join(name);
        if configured {
            findings.push(finding(
                Verdict::Ok,
                format!("{setting} is set in the settings"),
            ));
            continue;
        }
        findings.push(match std::fs::metadata(&path) {
            Err(_) => finding(
                Verdict::Note,
                format!(
                    "{}: not created yet (the first start creates it)",
                    path.display()
                ),
            ),
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => finding(
                Verdict::Fail,
                format!(
                    "{}: readable by others (mode {:o}) — run `chmod 600 {}`",
                    path.display(),
                    meta.permissions().mode() & 0o777,
                    path.display()
                ),
            ),
            Ok(_) => finding(
                Verdict::Ok,
                format!("{}: present, owner only", path.display()),
            ),
        });
    }
    findings
}

/// Whether `serve` could listen on `addr`, or which server is already there.
fn check_listen(addr: SocketAddr) -> Finding {
    match TcpListener::bind(addr) {
        Ok(_) => finding(Verdict::Ok, format!("listen address {addr} is free")),
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => {
            if answers_healthz(addr) {
                finding(
                    Verdict::Note,
                    format!("listen address {addr} is in use by a server that answers /healthz (a clickwire already running?)"),
                )
            } else {
                finding(
                    Verdict::Fail,
                    format!("listen address {addr} is taken by another program — pass --listen with a free address"),
                )
            }
        }
        Err(err) => finding(
            Verdict::Fail,
            format!("listen address {addr} cannot be used ({err}) — pass --listen with an address of this machine"),
        ),
    }
}

/// True when `GET /healthz` on `addr` is answered 200 (a plain HTTP/1.1 exchange).
fn answers_healthz(addr: SocketAddr) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}
