//! One side of a diff: a file, or `REV:PATH`, a file as it is in a git revision (with a
//! segment file's member list from the same revision), materialised on disk.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

/// One side of a diff, materialised as files on disk.
pub struct Side {
    pub path: PathBuf,
    pub label: String,
    _tmp: Option<tempfile::TempDir>,
}

fn git_show(rev: &str, path: &str) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    // `REV:./path` is relative to the working directory, `REV:path` to the repository root.
    for spec in [
        format!("{rev}:./{}", path.trim_start_matches("./")),
        format!("{rev}:{path}"),
    ] {
        let out = Process::new("git")
            .args(["show", &spec])
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        last = String::from_utf8_lossy(&out.stderr).trim().to_string();
    }
    Err(format!("git cannot show {rev}:{path}: {last}"))
}

pub fn side(spec: &str) -> Result<Side, String> {
    if Path::new(spec).exists() {
        return Ok(Side {
            path: PathBuf::from(spec),
            label: spec.to_string(),
            _tmp: None,
        });
    }
    let Some((rev, path)) = spec.split_once(':').filter(|(r, p)| !r.is_empty() && !p.is_empty()) else {
        return Err(format!(
            "{spec}: no such file (write REV:PATH for a file in a git revision)"
        ));
    };
    let bytes = git_show(rev, path)?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "avtale.toml".into());
    let target = tmp.path().join(&name);
    std::fs::write(&target, &bytes).map_err(|e| e.to_string())?;
    // A segment file's member list comes from the same revision.
    if let Ok(table) = std::str::from_utf8(&bytes).unwrap_or("").parse::<toml::Table>()
        && let Some(csv) = table.get("medlemmer").and_then(|v| v.as_str())
        && crate::catalog::assets::is_plain_relative(csv)
    {
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        let csv_path = dir.join(csv);
        let data = git_show(rev, &csv_path.to_string_lossy())?;
        let csv_target = tmp.path().join(csv);
        if let Some(parent) = csv_target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(csv_target, data).map_err(|e| e.to_string())?;
    }
    Ok(Side {
        path: target,
        label: spec.to_string(),
        _tmp: Some(tmp),
    })
}
