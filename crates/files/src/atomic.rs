//! File writes that never destroy what they should not touch: a crash or a full disk leaves the previous file
//! intact, a symlink is followed to the file it names, a device or FIFO is written through (never replaced by a
//! regular file), a new file honours the umask, and an existing file keeps its mode.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path`. A regular file (or a new one) is replaced atomically: a temporary file in the same
/// folder, fsynced, then renamed over it. Anything else that exists there (a device such as `/dev/null`, a FIFO)
/// is opened and written, as a shell redirection would.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = follow_links(path)?;
    let existing = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        if meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a folder; give a file name",
            ));
        }
        if !meta.is_file() {
            let mut file = std::fs::OpenOptions::new().write(true).open(&target)?;
            return file.write_all(bytes);
        }
    }

    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".envparity-").suffix(".tmp");
    // Created as a new file would be: 0666 less the umask (tempfile's own default is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(meta) = &existing {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename is durable only once the folder itself is synced.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// The file a path names once its symlinks (including a last one that dangles) are followed.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// True when both paths name one existing file (after symlinks): writing one would destroy the other.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino() && a.is_file(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("target.json"), "old").unwrap();
        std::os::unix::fs::symlink("target.json", dir.path().join("link.json")).unwrap();
        write(&dir.path().join("link.json"), b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(dir.path().join("link.json"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("target.json")).unwrap(),
            "new"
        );
        // A dangling link gets its target created.
        std::os::unix::fs::symlink("made.json", dir.path().join("dangling.json")).unwrap();
        write(&dir.path().join("dangling.json"), b"made").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("made.json")).unwrap(),
            "made"
        );
    }

    #[test]
    fn an_existing_file_keeps_its_mode_and_a_new_one_honours_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("existing.json");
        std::fs::write(&existing, "old").unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&existing, b"new").unwrap();
        assert_eq!(
            std::fs::metadata(&existing).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let new = dir.path().join("new.json");
        write(&new, b"x").unwrap();
        // The mode a plain create gives under this process's umask.
        let plain = dir.path().join("plain.json");
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&new), mode(&plain));
    }

    #[test]
    fn a_device_is_written_through_never_replaced() {
        write(Path::new("/dev/null"), b"report").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = write(dir.path(), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
    }
}
