//! Which agreement files a directory search takes, beyond `.gitignore`: the `include` and
//! `exclude` globs of the project configuration, matched against a file's path relative to
//! the directory of the configuration file (`agreements/**/*.toml`, `**/utkast/**`).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// The globs a directory search keeps to; the default keeps every file.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The directory the globs are relative to.
    base: PathBuf,
    /// Files must match one of these, when there are any.
    include: Option<GlobSet>,
    /// Files matching one of these are left out.
    exclude: Option<GlobSet>,
}

impl Selection {
    /// The selection of `include` and `exclude` globs relative to `base`; a glob that does not
    /// parse is an error naming it.
    pub fn new(base: &Path, include: &[String], exclude: &[String]) -> Result<Selection, String> {
        Ok(Selection {
            base: base.canonicalize().unwrap_or_else(|_| base.to_path_buf()),
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }

    /// Whether a file found by a directory search is taken.
    pub fn takes(&self, file: &Path) -> bool {
        if self.include.is_none() && self.exclude.is_none() {
            return true;
        }
        let full = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        let rel = full.strip_prefix(&self.base).unwrap_or(&full);
        self.include.as_ref().is_none_or(|s| s.is_match(rel)) && !self.exclude.as_ref().is_some_and(|s| s.is_match(rel))
    }
}

fn set(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| format!("`{g}`: {e}"))?);
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_include_and_exclude_relative_to_their_base() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["avtaler/a.toml", "avtaler/utkast/b.toml", "annet/c.toml"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "").unwrap();
        }
        let sel = Selection::new(dir.path(), &["avtaler/**".into()], &["**/utkast/**".into()]).unwrap();
        assert!(sel.takes(&dir.path().join("avtaler/a.toml")));
        assert!(!sel.takes(&dir.path().join("avtaler/utkast/b.toml")));
        assert!(!sel.takes(&dir.path().join("annet/c.toml")));
        assert!(Selection::default().takes(&dir.path().join("annet/c.toml")));
        assert!(
            Selection::new(dir.path(), &["a[".into()], &[])
                .unwrap_err()
                .contains("a[")
        );
    }
}
