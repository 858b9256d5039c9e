//! Files of the data directory that hold secrets (bootstrap credentials, data keys, the hash
//! secret): created with mode 0600, so only the server's user can read them, and replaced
//! atomically, so a crash never leaves half a key file.

use std::{
    fs::{File, OpenOptions},
    io::{self, Write},
    path::Path,
};

/// Writes `bytes` to `path` (replacing it) through a private temporary file and a rename.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut file = open_private(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Creates `path` with `bytes` unless it exists; false when it already did (another
/// process may have created it first).
pub fn create_private(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let mut file = match open_private(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(err) => return Err(err),
    };
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(true)
}

/// A new file only the owner can read and write.
fn open_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn written_files_are_private_and_replaced_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("secret.json");
        assert!(create_private(&path, b"one").expect("create"));
        assert!(!create_private(&path, b"two").expect("exists"));
        write_private(&path, b"three").expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"three");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
