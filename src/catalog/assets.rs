//! Templates, terms texts and the catalogue: embedded in the binary, or read from a
//! directory the user names so that terms owners can edit texts without a rebuild.

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Where template files come from.
#[derive(Debug, Clone)]
pub enum Assets {
    Embedded,
    /// A directory on disk (canonical path); reads never leave it, symlinks included.
    Dir(PathBuf),
}

impl Assets {
    pub fn from_dir(dir: &Path) -> Result<Assets, String> {
        let canon = dir
            .canonicalize()
            .map_err(|e| format!("cannot open template directory {}: {e}", dir.display()))?;
        if !canon.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        Ok(Assets::Dir(canon))
    }

    /// A short name for messages: `<embedded>/x` or the real path.
    pub fn display(&self, rel: &str) -> String {
        match self {
            Assets::Embedded => format!("templates/{rel}"),
            Assets::Dir(d) => d.join(rel).display().to_string(),
        }
    }

    pub fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        if !is_plain_relative(rel) {
            return Err(format!("`{rel}` must be a relative path inside the template directory"));
        }
        match self {
            Assets::Embedded => EMBEDDED
                .get_file(rel)
                .map(|f| f.contents().to_vec())
                .ok_or_else(|| format!("no embedded template file `{rel}`")),
            Assets::Dir(root) => {
                let path = root.join(rel);
                let canon = path
                    .canonicalize()
                    .map_err(|_| format!("file not found: {}", path.display()))?;
                if !canon.starts_with(root) {
                    return Err(format!("{} points outside the template directory", path.display()));
                }
                read_regular_file(&canon).map_err(|e| format!("cannot read {}: {e}", path.display()))
            }
        }
    }

    /// SHA-256 over every template file's path and contents, in a stable order: a PDF built
    /// from other templates is out of date.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        match self {
            Assets::Embedded => {
                let mut stack = vec![&EMBEDDED];
                while let Some(d) = stack.pop() {
                    for f in d.files() {
                        files.push((f.path().to_string_lossy().into_owned(), f.contents().to_vec()));
                    }
                    stack.extend(d.dirs());
                }
            }
            Assets::Dir(root) => {
                for e in walkdir::WalkDir::new(root).follow_links(false).into_iter().flatten() {
                    if e.file_type().is_file()
                        && let Ok(bytes) = read_regular_file(e.path())
                    {
                        let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                        files.push((rel.to_string_lossy().into_owned(), bytes));
                    }
                }
            }
        }
        files.sort();
        let mut h = Sha256::new();
        for (p, c) in files {
            h.update(p.as_bytes());
            h.update([0]);
            h.update((c.len() as u64).to_le_bytes());
            h.update(&c);
        }
        crate::base::digest::hex(&h.finalize())
    }

    pub fn read_string(&self, rel: &str) -> Result<String, String> {
        String::from_utf8(self.read(rel)?).map_err(|_| format!("{} is not UTF-8", self.display(rel)))
    }
}

/// Template files larger than this are refused (the shipped ones are a few KiB).
pub const MAX_TEMPLATE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A regular file's bytes, within the size limit: a pipe or device (which could block or
/// never end) or a directory is refused.
fn read_regular_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_TEMPLATE_FILE_BYTES {
        return Err(format!(
            "over the limit of {} MiB for a template file",
            MAX_TEMPLATE_FILE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TEMPLATE_FILE_BYTES).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// A relative path of plain names only: no root, no `..`, no `.`.
pub fn is_plain_relative(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_is_present_and_escapes_are_refused() {
        assert!(Assets::Embedded.read("katalog.toml").is_ok());
        assert!(Assets::Embedded.read("../Cargo.toml").is_err());
        assert!(Assets::Embedded.read("/etc/passwd").is_err());
    }
}
