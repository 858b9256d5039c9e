//! `clickwire doctor`'s look at the store files of a data directory: each SQLite file that is
//! there is opened read-only (so the check runs beside a live server) and asked for
//! `PRAGMA quick_check`, which reads every page and index but skips the slow cross-checks
//! of `integrity_check`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::visitor_index::INDEX_FILE;
use super::{DB_FILE, DELIVERIES_FILE};
use crate::StoreError;

/// Every store file of a data directory, in the order they matter.
pub const STORE_FILES: [&str; 3] = [DB_FILE, INDEX_FILE, DELIVERIES_FILE];

/// One file's verdict.
#[derive(Debug)]
pub struct FileCheck {
    pub path: PathBuf,
    pub outcome: FileOutcome,
}

#[derive(Debug, PartialEq, Eq)]
pub enum FileOutcome {
    /// Not there (yet): the server creates it.
    Absent,
    /// `quick_check` answered `ok`.
    Sound,
    /// What `quick_check` (or opening the file) reported instead.
    Damaged(String),
}

/// Checks each store file of `dir`.
pub fn check_files(dir: &Path) -> Vec<FileCheck> {
    STORE_FILES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let outcome = if path.is_file() {
                match quick_check(&path) {
                    Ok(problems) if problems.is_empty() => FileOutcome::Sound,
                    Ok(problems) => FileOutcome::Damaged(problems.join("; ")),
                    Err(err) => FileOutcome::Damaged(err.to_string()),
                }
            } else {
                FileOutcome::Absent
            };
            FileCheck { path, outcome }
        })
        .collect()
}

/// The problems `quick_check` lists; none for a sound file.
fn quick_check(path: &Path) -> Result<Vec<String>, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let lines = stmt.query_map([], |row| row.get::<_, String>(0))?;
    let lines: Vec<String> = lines.collect::<Result<_, _>>()?;
    Ok(lines.into_iter().filter(|line| line != "ok").collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_files_are_absent_sound_ones_sound_and_garbage_is_damaged() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join(DB_FILE);
        Connection::open(&db)
            .and_then(|c| c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);"))
            .expect("db");
        std::fs::write(dir.path().join(INDEX_FILE), vec![0x5a; 8192]).expect("garbage");
        let checks = check_files(dir.path());
        assert_eq!(checks[0].outcome, FileOutcome::Sound);
        assert!(
            matches!(checks[1].outcome, FileOutcome::Damaged(_)),
            "{:?}",
            checks[1]
        );
        assert_eq!(checks[2].outcome, FileOutcome::Absent);
    }
}
