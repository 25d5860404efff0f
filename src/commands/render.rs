//! `avtale render`: what an agreement turns into, without writing a PDF: the Typst source,
//! the plain text, the resolved view as JSON, or the pages as PNG.

use std::path::{Path, PathBuf};

use crate::base::diag::{self, Format};
use crate::base::files::write_atomic;
use crate::commands::build::PdfOptions;
use crate::commands::report::{DiagnosticOptions, report};
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::document::template::strip_markers;
use crate::document::{BuildError, View, provenance};
use crate::input::load::{self, Loaded};
use crate::msg;

/// What `render` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderFormat {
    Typst,
    Text,
    Json,
    Png,
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub file: PathBuf,
    /// One agreement of a segment file, by its id.
    pub id: Option<String>,
    pub format: RenderFormat,
    /// Directory for PNG pages.
    pub out_dir: PathBuf,
    pub pdf: PdfOptions,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &RenderOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let typesetter = opts.pdf.typesetter(&setup.assets)?;
    let run = load::load(std::slice::from_ref(&opts.file), &setup.catalogue);
    let selected: Vec<&Loaded> = run
        .agreements
        .iter()
        .filter(|a| {
            opts.id
                .as_ref()
                .is_none_or(|id| a.agreement.avtale.id.as_ref().is_some_and(|x| &x.v == id))
        })
        .collect();
    if selected.is_empty() || selected.iter().any(|a| a.has_errors()) || !run.tool_errors.is_empty() {
        let checked = report(console, DiagnosticOptions::default(), &run, true);
        if selected.is_empty() && checked == Outcome::Ok {
            return Err(Failure::new(match &opts.id {
                Some(id) => msg!("render-no-agreement-with-id", id = id, file = opts.file.display()),
                None => msg!("render-no-agreement", file = opts.file.display()),
            }));
        }
        return Ok(checked.and(Outcome::Invalid));
    }
    for a in selected {
        let attach = |v: &View| provenance::attachments(a, v, &setup.catalogue, &typesetter.settings);
        let (src, view, _) = match typesetter.source(&a.agreement, &setup.catalogue, &attach) {
            Ok(x) => x,
            Err(BuildError::Input(d)) => {
                let lang = console.lang();
                let _ = diag::emit_in(console.err(), Format::Human, lang, &run.sources, &d);
                return Ok(Outcome::Invalid);
            }
            Err(e) => return Err(Failure::new(e.to_string())),
        };
        let out = console.out();
        match opts.format {
            RenderFormat::Typst => out.write_all(strip_markers(&src).as_bytes()).map_err(|e| e.to_string()),
            RenderFormat::Json => serde_json::to_string_pretty(&view)
                .map_err(|e| e.to_string())
                .and_then(|j| writeln!(out, "{j}").map_err(|e| e.to_string())),
            RenderFormat::Text => crate::document::text::agreement_text(&view, &setup.catalogue)
                .and_then(|t| out.write_all(t.as_bytes()).map_err(|e| e.to_string())),
            RenderFormat::Png => {
                // The pages exactly as `build` lays them out.
                let (_, _, doc) = typesetter
                    .document(&a.agreement, &setup.catalogue, &attach)
                    .map_err(|e| Failure::new(e.to_string()))?;
                write_pngs(console, &doc, &opts.out_dir, &view.id)
            }
        }
        .map_err(Failure::new)?;
    }
    Ok(Outcome::Ok)
}

/// One PNG per page, `<id>-side-<n>.png`, at 144 dpi.
fn write_pngs(
    console: &mut dyn Console,
    doc: &typst_layout::PagedDocument,
    dir: &Path,
    id: &str,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (i, page) in doc.pages().iter().enumerate() {
        let pixmap = typst_render::render(page, &typst_render::RenderOptions::default());
        let png = pixmap.encode_png().map_err(|e| e.to_string())?;
        let target = dir.join(format!("{id}-side-{}.png", i + 1));
        write_atomic(&target, &png).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        let _ = writeln!(console.out(), "{}", target.display());
    }
    Ok(())
}
