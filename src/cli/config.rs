//! The project configuration file, `.avtale.toml`, found by walking up from the working
//! directory (like `.taplo.toml` or `deny.toml`): defaults for flags that a repository of
//! agreements wants the same on every run. A flag on the command line wins.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::base::i18n::Text;
use crate::input::select::Selection;
use crate::msg;

/// The name of the configuration file.
pub const CONFIG_FILE: &str = ".avtale.toml";

/// Largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// What `.avtale.toml` may set. Paths are relative to the directory the file is in.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Default `--catalogue`.
    pub catalogue: Option<PathBuf>,
    /// Default `--templates`.
    pub templates: Option<PathBuf>,
    /// Default `-o` of `build` and `watch`.
    pub output: Option<PathBuf>,
    /// Default `--deny-warnings` of `check` and `build`.
    #[serde(default)]
    pub deny_warnings: bool,
    /// Trust anchors added to those `verify --trust` names.
    #[serde(default)]
    pub trust: Vec<PathBuf>,
    /// Globs a file found by a directory search must match (relative to this file's directory).
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs that leave a file found by a directory search out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `include` and `exclude`, ready to match.
    #[serde(skip)]
    pub selection: Selection,
}

impl Config {
    /// The configuration for `dir`: the first `.avtale.toml` in it or a parent, with its
    /// paths made relative to the working directory; none found is the empty configuration.
    pub fn find(dir: &Path) -> Result<Config, Text> {
        let Some(file) = dir.ancestors().map(|d| d.join(CONFIG_FILE)).find(|f| f.is_file()) else {
            return Ok(Config::default());
        };
        Config::read(&file)
    }

    /// Read one configuration file; an unknown key or a bad value is an error naming the file.
    pub fn read(file: &Path) -> Result<Config, Text> {
        let bytes = crate::base::files::read_regular(file, MAX_CONFIG_BYTES)
            .ok_or_else(|| Text::from(msg!("cannot-read", file = file.display())))?;
        let text = String::from_utf8(bytes).map_err(|_| Text::from(msg!("config-not-utf8", file = file.display())))?;
        let mut config: Config =
            toml::from_str(&text).map_err(|e| Text::Plain(format!("{}: {}", file.display(), e.message())))?;
        let base = file.parent().unwrap_or(Path::new("."));
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        config.catalogue.as_mut().map(rebase);
        config.templates.as_mut().map(rebase);
        config.output.as_mut().map(rebase);
        config.trust.iter_mut().for_each(rebase);
        config.selection = Selection::new(base, &config.include, &config.exclude)
            .map_err(|e| Text::Plain(format!("{}: {e}", file.display())))?;
        Ok(config)
    }
}
