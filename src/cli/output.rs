//! Where commands write, checked before any work: a mistake in an output path must cost nothing, and no output
//! may destroy one of the command's inputs.

use std::path::Path;

use anyhow::bail;

/// Checks, before any work, that `path` can be written: its folder exists, it is not a folder, and it is none
/// of the command's `inputs` (writing it would destroy that input).
pub(super) fn check(path: &Path, inputs: &[&Path]) -> anyhow::Result<()> {
    let shown = path.display();
    if envparity_collect::store::s3(path)?.is_some() {
        if let Some(input) = inputs.iter().find(|input| *input == &path) {
            bail!(
                "refusing to write {shown}: it is also an input of this command ({})",
                input.display()
            );
        }
        return Ok(());
    }
    if path.is_dir() {
        bail!("cannot write {shown}: it is a folder; give a file name");
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        bail!(
            "cannot write {shown}: the folder {} does not exist",
            folder.display()
        );
    }
    if let Some(input) = inputs
        .iter()
        .find(|input| envparity_files::atomic::same_file(path, input))
    {
        bail!(
            "refusing to write {shown}: it is also an input of this command ({}), which the output would destroy",
            input.display()
        );
    }
    Ok(())
}

/// Creates a folder the command will write into, or checks that an S3 bucket answers, before any work.
pub(super) fn folder(dir: &Path) -> anyhow::Result<()> {
    envparity_collect::store::check_folder(dir).map_err(|e| anyhow::anyhow!("cannot write into {e}"))
}
