//! File-system helpers shared by the stages that write into the repository.

use std::io;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary sibling and a rename, so a reader never
/// sees half a file.
pub fn write_atomic(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The temporary sibling of `path`: its file name plus `.tmp<pid>`.
fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}
