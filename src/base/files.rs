//! Writing files so that a reader never sees half of one, and reading files that may be
//! anything (a pipe, a device, a link) without blocking or reading without end.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` so that readers see the old file or the whole new one, never a
/// part: a temporary file in the same directory, synced, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like `write_atomic`, but never replaces an existing file.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// `bytes` in a synced temporary file beside `path`, ready to be renamed into place. A
/// target that exists and is neither a regular file nor a symbolic link (a directory, a
/// device, a pipe) is refused rather than replaced. A symbolic link is replaced by the file,
/// never written through.
fn staged(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    if let Ok(m) = std::fs::symlink_metadata(path)
        && !m.is_file()
        && !m.file_type().is_symlink()
    {
        return Err(std::io::Error::other(if m.is_dir() {
            "it is a directory"
        } else {
            "it is not a regular file"
        }));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".avtale-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The permissions of the file replaced (a private agreement stays private), else
        // ordinary document permissions, not the temporary file's private ones.
        let mode = std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file())
            .map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// The first `limit` bytes of `path` if it is a regular file (not a symbolic link, pipe or
/// device, which could block or never end).
pub fn read_regular(path: &Path, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}
