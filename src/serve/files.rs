//! The files the editor may touch: agreement files inside its directory, never outside it,
//! read with the CLI's size limits and written atomically, never over a change made by
//! someone else.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::base::digest::sha256_hex;
use crate::base::files::{write_atomic, write_new};
use crate::input::load::MAX_TOML_BYTES;

/// The directory the editor works in, resolved once.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
    /// Held from the check of a file's bytes to its replacement, so that two saves from the
    /// same base cannot both succeed.
    saving: Arc<Mutex<()>>,
}

/// Why a file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// The name leads outside the directory or is not a plain relative name.
    Outside,
    NotFound,
    /// Only `.toml` files are agreements.
    NotToml,
    TooLarge,
    Exists,
    /// The file changed on disk since the editor read it.
    Changed,
    Io(String),
}

impl FileError {
    pub fn status(&self) -> u16 {
        match self {
            FileError::Outside => 403,
            FileError::NotFound => 404,
            FileError::NotToml | FileError::TooLarge => 400,
            FileError::Exists | FileError::Changed => 409,
            FileError::Io(_) => 500,
        }
    }

    pub fn message(&self) -> String {
        match self {
            FileError::Outside => "Filen ligger utenfor mappen redigeringsverktøyet ble startet i.".into(),
            FileError::NotFound => "Finner ikke filen.".into(),
            FileError::NotToml => "Bare avtalefiler (.toml) kan åpnes.".into(),
            FileError::TooLarge => format!("Filen er større enn {} MiB.", MAX_TOML_BYTES / (1024 * 1024)),
            FileError::Exists => "Det finnes allerede en fil med dette navnet.".into(),
            FileError::Changed => "Filen er endret på disken siden du åpnet den, og ble ikke lagret. \
                                   Last inn siden på nytt for å se endringene (det du har skrevet, går da tapt), \
                                   eller kopier teksten din fra TOML-fanen først."
                .into(),
            FileError::Io(e) => format!("Filen kunne ikke leses eller skrives: {e}"),
        }
    }
}

/// An agreement file as the editor read it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub path: PathBuf,
    pub text: String,
    /// SHA-256 of the bytes on disk, to notice changes made meanwhile.
    pub sha256: String,
}

impl Root {
    pub fn new(dir: &Path) -> Result<Root, String> {
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("cannot open directory {}: {e}", dir.display()))?;
        if !dir.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        Ok(Root {
            dir,
            saving: Arc::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The name of `path` relative to the directory, with `/` between parts.
    pub fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The path of a relative name, when it names something inside the directory: no
    /// absolute names, no `..`, and no symbolic link on the way that leads out.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, FileError> {
        let rel = Path::new(name);
        if name.is_empty() || name.contains('\0') || name.contains('\\') {
            return Err(FileError::Outside);
        }
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(FileError::Outside);
        }
        let path = self.dir.join(rel);
        // The deepest part that exists must resolve inside the directory; what does not exist
        // yet is below it.
        let existing = path.ancestors().find(|p| p.exists()).unwrap_or(&self.dir);
        let real = existing.canonicalize().map_err(|_| FileError::NotFound)?;
        if !real.starts_with(&self.dir) {
            return Err(FileError::Outside);
        }
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            let target = path.canonicalize().map_err(|_| FileError::Outside)?;
            if !target.starts_with(&self.dir) {
                return Err(FileError::Outside);
            }
        }
        Ok(path)
    }

    /// Read an agreement file by its relative name.
    pub fn open(&self, name: &str) -> Result<Opened, FileError> {
        let path = self.resolve(name)?;
        if path.extension().is_none_or(|e| e != "toml") {
            return Err(FileError::NotToml);
        }
        let bytes = read_small(&path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Opened {
            sha256: sha256_hex(&bytes),
            path,
            text,
        })
    }

    /// Write `text` to the agreement file `name`, atomically, unless its bytes on disk are
    /// no longer those with SHA-256 `base` (someone else changed it). The new SHA-256.
    /// A symbolic link (which `resolve` has made sure leads to a file inside the directory)
    /// is written through: the file it names gets the new text, the link stays a link.
    pub fn save(&self, name: &str, text: &str, base: &str) -> Result<String, FileError> {
        if text.len() as u64 > MAX_TOML_BYTES {
            return Err(FileError::TooLarge);
        }
        let _one_at_a_time = self.saving.lock().unwrap_or_else(|e| e.into_inner());
        let opened = self.open(name)?;
        if opened.sha256 != base {
            return Err(FileError::Changed);
        }
        let target = opened.path.canonicalize().map_err(|_| FileError::NotFound)?;
        if !target.starts_with(&self.dir) {
            return Err(FileError::Outside);
        }
        write_atomic(&target, text.as_bytes()).map_err(|e| FileError::Io(e.to_string()))?;
        Ok(sha256_hex(text.as_bytes()))
    }

    /// Create the agreement file `name` with `text`; never over an existing file.
    pub fn create(&self, name: &str, text: &str) -> Result<PathBuf, FileError> {
        let path = self.resolve(name)?;
        if path.extension().is_none_or(|e| e != "toml") {
            return Err(FileError::NotToml);
        }
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(FileError::Exists);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| FileError::Io(e.to_string()))?;
        }
        // Written whole or not at all, and never over a file that appeared meanwhile.
        write_new(&path, text.as_bytes()).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => FileError::Exists,
            _ => FileError::Io(e.to_string()),
        })?;
        Ok(path)
    }
}

/// A regular file's bytes, up to the size limit of agreement files.
fn read_small(path: &Path) -> Result<Vec<u8>, FileError> {
    // A name too long, a file used as a directory and the like: there is no such file.
    let meta = std::fs::metadata(path).map_err(|_| FileError::NotFound)?;
    if !meta.is_file() {
        return Err(FileError::NotFound);
    }
    if meta.len() > MAX_TOML_BYTES {
        return Err(FileError::TooLarge);
    }
    std::fs::read(path).map_err(|e| FileError::Io(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_directory_are_refused() {
        let outer = tempfile::tempdir().unwrap();
        let dir = outer.path().join("avtaler");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(outer.path().join("hemmelig.toml"), "x = 1").unwrap();
        std::fs::write(dir.join("a.toml"), "x = 1").unwrap();
        let root = Root::new(&dir).unwrap();
        assert!(root.open("a.toml").is_ok());
        for bad in [
            "../hemmelig.toml",
            "/etc/passwd",
            "",
            "a/../../hemmelig.toml",
            "..\\hemmelig.toml",
        ] {
            assert_eq!(root.resolve(bad).unwrap_err(), FileError::Outside, "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outer.path().join("hemmelig.toml"), dir.join("lenke.toml")).unwrap();
            std::os::unix::fs::symlink(outer.path(), dir.join("ut")).unwrap();
            assert_eq!(root.open("lenke.toml").unwrap_err(), FileError::Outside);
            assert_eq!(root.open("ut/hemmelig.toml").unwrap_err(), FileError::Outside);
            assert_eq!(root.create("ut/ny.toml", "x").unwrap_err(), FileError::Outside);
        }
    }

    #[test]
    fn a_file_changed_on_disk_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "x = 1\n").unwrap();
        let root = Root::new(dir.path()).unwrap();
        let opened = root.open("a.toml").unwrap();
        std::fs::write(dir.path().join("a.toml"), "x = 2\n").unwrap();
        assert_eq!(
            root.save("a.toml", "x = 3\n", &opened.sha256).unwrap_err(),
            FileError::Changed
        );
        assert_eq!(std::fs::read_to_string(dir.path().join("a.toml")).unwrap(), "x = 2\n");
        let now = root.open("a.toml").unwrap();
        root.save("a.toml", "x = 3\n", &now.sha256).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("a.toml")).unwrap(), "x = 3\n");
        assert_eq!(root.create("a.toml", "y").unwrap_err(), FileError::Exists);
    }

    #[cfg(unix)]
    #[test]
    fn saving_keeps_a_private_file_private_and_a_link_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "x = 1\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink(&file, dir.path().join("lenke.toml")).unwrap();
        let root = Root::new(dir.path()).unwrap();
        let opened = root.open("lenke.toml").unwrap();
        root.save("lenke.toml", "x = 2\n", &opened.sha256).unwrap();
        let link = std::fs::symlink_metadata(dir.path().join("lenke.toml")).unwrap();
        assert!(link.file_type().is_symlink(), "the link is still a link");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "x = 2\n");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn of_two_saves_from_the_same_base_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "x = 1\n").unwrap();
        let root = Root::new(dir.path()).unwrap();
        let base = root.open("a.toml").unwrap().sha256;
        for _ in 0..20 {
            let results: Vec<Result<String, FileError>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|i| {
                        let (root, base) = (&root, &base);
                        s.spawn(move || root.save("a.toml", &format!("x = {}\n", i + 2), base))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
            assert!(
                results
                    .iter()
                    .filter(|r| r.is_err())
                    .all(|r| r == &Err(FileError::Changed))
            );
            // Back to the first text for the next round.
            let now = root.open("a.toml").unwrap().sha256;
            root.save("a.toml", "x = 1\n", &now).unwrap();
        }
    }
}
