//! What a run works with: the template directory (built in, or `--templates`) and the
//! catalogue (built in, beside the templates, or `--catalogue`).

use crate::input::select::Selection;
use std::path::{Path, PathBuf};

use crate::base::diag::{self, Format, Sources};
use crate::catalog::assets::Assets;
use crate::catalog::{CATALOGUE_FILE, Catalogue};
use crate::commands::{Console, Failure};
use crate::msg;

/// Where the catalogue and templates come from.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// A catalogue file instead of the built-in one (terms files are read beside it).
    pub catalogue: Option<PathBuf>,
    /// A template directory instead of the built-in one.
    pub templates: Option<PathBuf>,
    /// The include and exclude globs of directory searches.
    pub selection: Selection,
}

/// The catalogue and template source a run works with.
pub struct Setup {
    pub assets: Assets,
    pub catalogue: Catalogue,
}

/// Load the templates and the catalogue; a broken catalogue is shown with located errors.
pub fn setup(console: &mut dyn Console, opts: &SourceOptions) -> Result<Setup, Failure> {
    let assets = match &opts.templates {
        Some(dir) => Assets::from_dir(dir)?,
        None => Assets::Embedded,
    };
    let (cat_assets, cat_name) = match &opts.catalogue {
        Some(file) => {
            let dir = file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (Assets::from_dir(dir)?, name)
        }
        None => (assets.clone(), CATALOGUE_FILE.to_string()),
    };
    let mut sources = Sources::default();
    match Catalogue::load(&cat_assets, &cat_name, &mut sources) {
        Ok(catalogue) => Ok(Setup { assets, catalogue }),
        Err(errors) => {
            let lang = console.lang();
            let _ = diag::emit_in(console.err(), Format::Human, lang, &sources, &errors);
            Err(Failure::new(msg!("catalogue-broken")))
        }
    }
}
