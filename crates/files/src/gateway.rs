//! The one gateway every local file named by data goes through: Compose files, their `.env`, `env_file` and
//! `extends`, Kubernetes manifests, config files and Rego modules. A repository or a policy is
//! attacker-controlled, so a path it names is data: [`Gateway::read`] resolves symlinks and keeps the result
//! inside one folder (the folder of `envparity.toml`, or of the policy for Rego) or an explicit allowance, reads
//! regular files only (no `/proc`, device, FIFO or socket), and never more than a cap. A refusal names the path
//! and the reason, never the content.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The largest file read by default, in MiB (`[collect] max_file_mib`).
pub const DEFAULT_MAX_FILE_MIB: u64 = 16;

/// Folders never read, whatever an allowance says: the kernel's views of processes, devices and the system.
const SYSTEM: &[&str] = &["/proc", "/sys", "/dev"];

/// The folder a gateway keeps files in, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The folder of `envparity.toml`: the local sources' files.
    Config,
    /// The folder of a policy: its Rego modules.
    Policy,
}

impl Root {
    fn describe(self) -> &'static str {
        match self {
            Root::Config => "the folder of envparity.toml (list it in `[collect] read_outside` to read it)",
            Root::Policy => "the folder of the policy (list it in `[policy] rego_read_outside` to read it)",
        }
    }
}

/// Where local files may be read from, and how much of each.
#[derive(Debug, Clone)]
pub struct Gateway {
    /// The folder files must resolve into, resolved itself.
    root: PathBuf,
    kind: Root,
    /// Files or folders outside `root` that may be read, resolved.
    allowed: Vec<PathBuf>,
    /// Allowances that name nothing (a typo): said when a file is refused, since the user believes it allowed.
    missing: Vec<PathBuf>,
    max_bytes: u64,
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{error}")]
    Io { error: std::io::Error },
    #[error("refused: it resolves to {target}, outside {}{}", root.describe(), missing_note(missing))]
    Outside {
        target: String,
        root: Root,
        missing: Vec<PathBuf>,
    },
    #[error("refused: it resolves to {target}, in a system folder that is never read")]
    System { target: String },
    #[error("refused: not a regular file but {what}")]
    NotRegular { what: &'static str },
    #[error("refused: larger than {mib} MiB, the `max_file_mib` limit")]
    TooLarge { mib: u64 },
    #[error("not UTF-8 text")]
    NotText,
}

impl Gateway {
    /// Files inside `root` (and the `allowed` files or folders, relative to `root`), at most `max_mib` MiB each.
    /// `kind` says what the folder is, for messages.
    pub fn new(root: &Path, kind: Root, allowed: &[PathBuf], max_mib: u64) -> Gateway {
        let root = match root.as_os_str().is_empty() {
            true => Path::new("."),
            false => root,
        };
        let resolve = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        Gateway {
            allowed: allowed.iter().map(|p| resolve(&root.join(p))).collect(),
            missing: allowed
                .iter()
                .filter(|p| std::fs::symlink_metadata(root.join(p)).is_err())
                .cloned()
                .collect(),
            root: resolve(root),
            kind,
            max_bytes: max_mib.saturating_mul(1024 * 1024),
        }
    }

    /// The path, resolved, if the gateway lets it be read or listed.
    fn resolve(&self, path: &Path) -> Result<PathBuf, Refused> {
        let target = std::fs::canonicalize(path).map_err(|error| Refused::Io { error })?;
        if SYSTEM.iter().any(|s| target.starts_with(s)) {
            return Err(Refused::System {
                target: target.display().to_string(),
            });
        }
        let inside = target.starts_with(&self.root) || self.allowed.iter().any(|a| target.starts_with(a));
        if !inside {
            return Err(Refused::Outside {
                target: target.display().to_string(),
                root: self.kind,
                missing: self.missing.clone(),
            });
        }
        Ok(target)
    }

    /// The same gateway with another size limit: files of a kind that runs larger (a Terraform state).
    pub fn at_most(&self, max_mib: u64) -> Gateway {
        Gateway {
            max_bytes: max_mib.saturating_mul(1024 * 1024),
            ..self.clone()
        }
    }

    /// What the path names, resolved (links followed), if the gateway lets it be read or listed: one identity for
    /// every path that names the same file or folder.
    pub fn identity(&self, path: &Path) -> Result<PathBuf, Refused> {
        self.resolve(path)
    }

    /// Whether the path exists at all (inside the gateway or not): a missing optional file is no error.
    pub fn exists(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }

    /// Whether the path is a folder the gateway lets be listed.
    pub fn is_dir(&self, path: &Path) -> Result<bool, Refused> {
        let target = self.resolve(path)?;
        let meta = std::fs::metadata(&target).map_err(|error| Refused::Io { error })?;
        Ok(meta.is_dir())
    }

    /// The entries of a folder the gateway lets be listed: (path as named below `path`, whether a folder).
    pub fn list(&self, path: &Path) -> Result<Vec<(PathBuf, bool)>, Refused> {
        self.resolve(path)?;
        let io = |error| Refused::Io { error };
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            // A link to a folder is followed when listed, so that it too passes the gateway.
            let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            out.push((entry.path(), is_dir));
        }
        Ok(out)
    }

    /// The bytes of a regular file inside the gateway, at most the cap.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, Refused> {
        let target = self.resolve(path)?;
        let io = |error| Refused::Io { error };
        regular(&std::fs::metadata(&target).map_err(io)?)?;
        // Non-blocking, so that a FIFO put there after the check cannot hang the open; checked again on the handle.
        let file = open_nonblocking(&target).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        regular(&meta)?;
        // Sized for the file as it is now (a file may grow, and the cap still holds): read in one go, not grown
        // by doubling.
        let expected = meta.len().min(self.max_bytes).saturating_add(1);
        let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        file.take(self.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(Refused::TooLarge {
                mib: self.max_bytes / (1024 * 1024),
            });
        }
        Ok(bytes)
    }

    /// The text of a regular file inside the gateway, at most the cap.
    pub fn read_to_string(&self, path: &Path) -> Result<String, Refused> {
        String::from_utf8(self.read(path)?).map_err(|_| Refused::NotText)
    }
}

/// `; it lists X, which does not exist` for allowances that name nothing, else nothing.
fn missing_note(missing: &[PathBuf]) -> String {
    match missing {
        [] => String::new(),
        _ => {
            let names: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
            format!("; it lists {}, which does not exist", names.join(", "))
        }
    }
}

fn regular(meta: &std::fs::Metadata) -> Result<(), Refused> {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    let what = match () {
        _ if t.is_file() => return Ok(()),
        _ if t.is_dir() => "a folder",
        _ if t.is_fifo() => "a FIFO",
        _ if t.is_socket() => "a socket",
        _ if t.is_block_device() || t.is_char_device() => "a device",
        _ => "a special file",
    };
    Err(Refused::NotRegular { what })
}

fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(root: &Path) -> Gateway {
        Gateway::new(root, Root::Config, &[], 1)
    }

    #[test]
    fn a_file_inside_is_read_and_one_outside_or_in_proc_is_refused_naming_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("config")).unwrap();
        std::fs::write(root.join("config/.env"), "A=1\n").unwrap();
        std::fs::write(dir.path().join("x.env"), "SECRET=outside\n").unwrap();
        let g = gateway(&root);
        assert_eq!(g.read_to_string(&root.join("config/.env")).unwrap(), "A=1\n");

        let outside = g.read(&root.join("config/../../x.env")).unwrap_err().to_string();
        assert!(outside.starts_with("refused: it resolves to "), "{outside}");
        assert!(
            outside.contains("outside the folder of envparity.toml"),
            "{outside}"
        );
        assert!(!outside.contains("SECRET"), "{outside}");

        std::os::unix::fs::symlink("/proc/self/environ", root.join("config/prod.env")).unwrap();
        let proc = g.read(&root.join("config/prod.env")).unwrap_err().to_string();
        assert!(proc.contains("system folder"), "{proc}");
        assert!(g.read(Path::new("/proc/self/environ")).is_err());

        // An allowance lets a file outside be read; one that names nothing is said when a file is refused.
        let allowed = Gateway::new(&root, Root::Config, &[PathBuf::from("../x.env")], 1);
        assert!(allowed.read(&dir.path().join("x.env")).is_ok());
        let typo = Gateway::new(&root, Root::Config, &[PathBuf::from("../y.env")], 1);
        let refused = typo.read(&dir.path().join("x.env")).unwrap_err().to_string();
        assert!(
            refused.ends_with("; it lists ../y.env, which does not exist"),
            "{refused}"
        );
    }

    #[test]
    fn a_fifo_a_device_and_a_file_over_the_cap_are_refused_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let g = gateway(dir.path());
        // Would hang forever if opened for reading without a writer.
        assert_eq!(
            g.read(&fifo).unwrap_err().to_string(),
            "refused: not a regular file but a FIFO"
        );

        let allowed = Gateway::new(dir.path(), Root::Config, &[PathBuf::from("/dev")], 1);
        assert!(
            allowed
                .read(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string()
                .contains("system folder")
        );

        std::fs::write(dir.path().join("big.yaml"), vec![b'a'; 1024 * 1024 + 1]).unwrap();
        assert_eq!(
            g.read(&dir.path().join("big.yaml")).unwrap_err().to_string(),
            "refused: larger than 1 MiB, the `max_file_mib` limit"
        );
        std::fs::write(dir.path().join("fits.yaml"), vec![b'a'; 1024 * 1024]).unwrap();
        assert_eq!(g.read(&dir.path().join("fits.yaml")).unwrap().len(), 1024 * 1024);
    }
}
