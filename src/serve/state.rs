//! What the editor holds while it runs: the directory, the guard, the catalogue, the
//! typesetter with its shared appendix layout, drawn preview pages and the page templates.
//! Nothing of an agreement is kept between requests: the page sends the text each time.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::base::diag::{Diagnostic, Severity, localise};
use crate::base::i18n::Lang;
use crate::batch::index::OutputIndex;
use crate::batch::plan::{agreement_key, context_key, id_of};
use crate::catalog::Catalogue;
use crate::catalog::assets::Assets;
use crate::document::Typesetter;
use crate::document::signed::is_signed;
use crate::input::load::{self, Loaded, Run};
use crate::serve::ServeOptions;
use crate::serve::files::Root;
use crate::serve::guard::{Guard, new_token};
use crate::serve::message::enc;
use crate::serve::preview::PageCache;

/// The editor's pages, scripts and styles, built into the binary.
pub static WEB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web");

pub struct Editor {
    pub root: Root,
    pub guard: Guard,
    pub catalogue: Catalogue,
    pub typesetter: Typesetter,
    pub schema: serde_json::Value,
    pub pages: PageCache,
    pub templates: Environment<'static>,
    out_dir: PathBuf,
    selection: crate::input::select::Selection,
    context: String,
}

/// A diagnostic as the page shows it: beside the field at `path`, or at `line` in the TOML tab.
#[derive(Debug, Serialize)]
pub struct WebDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    pub line: usize,
    pub column: usize,
}

/// One row of the start page.
#[derive(Debug, Serialize)]
pub struct Row {
    pub file: String,
    /// For a member of a segment file: its number, from 1.
    pub member: Option<usize>,
    pub id: String,
    pub organisation: String,
    pub status: String,
    pub errors: usize,
    pub warnings: usize,
    /// `mangler`, `oppdatert`, `utdatert` or `signert`.
    pub pdf: &'static str,
}

impl Editor {
    pub fn new(
        opts: &ServeOptions,
        port: u16,
        catalogue: Catalogue,
        assets: Assets,
        typesetter: Typesetter,
    ) -> Result<Editor, String> {
        let root = Root::new(&opts.dir)?;
        let context = context_key(&catalogue, &assets, &typesetter.settings);
        let schema = crate::input::schema::schema_value_for(Some(&catalogue));
        Ok(Editor {
            root,
            guard: Guard::new(new_token()?, port),
            catalogue,
            typesetter,
            schema,
            pages: PageCache::default(),
            templates: templates()?,
            out_dir: opts.out_dir.clone(),
            selection: opts.selection.clone(),
            context,
        })
    }

    pub fn token(&self) -> &str {
        self.guard.token()
    }

    /// Check `text` as the agreement file at `path` (its member list, if any, is read beside
    /// it), as `avtale check` would.
    pub fn check(&self, path: &Path, text: &str) -> (Run, Vec<WebDiagnostic>) {
        let run = self.load(path, text);
        let diags = self.web_diagnostics(&run, &run.all_diags());
        (run, diags)
    }

    /// Load `text` as the agreement file at `path`, without preparing diagnostics for the
    /// page.
    pub fn load(&self, path: &Path, text: &str) -> Run {
        load::load_bytes(path, text.as_bytes(), &self.catalogue)
    }

    pub fn web_diagnostics(&self, run: &Run, diags: &[Diagnostic]) -> Vec<WebDiagnostic> {
        let mut out: Vec<WebDiagnostic> = diags
            .iter()
            .map(|d| {
                // Legal staff read bokmål: the same message as `avtale check --lang nb`.
                let text = localise(d, Lang::Nb);
                let at = run.sources.region(&d.loc);
                WebDiagnostic {
                    code: d.code,
                    severity: d.severity,
                    path: d.path.clone(),
                    message: text.message,
                    help: text.help,
                    line: at.line,
                    column: at.column,
                }
            })
            .collect();
        out.extend(run.tool_errors.iter().map(|e| WebDiagnostic {
            code: "tool",
            severity: Severity::Error,
            path: String::new(),
            message: e.render(Lang::Nb),
            help: None,
            line: 1,
            column: 1,
        }));
        out
    }

    /// Every agreement in the directory, as `check` and `build` would find them.
    pub fn rows(&self) -> Vec<Row> {
        let mut errors = Vec::new();
        let files = load::discover_in(&[self.root.dir().to_path_buf()], &mut errors, &self.selection);
        let run = load::load(&files, &self.catalogue);
        let index = OutputIndex::read(&self.out_dir);
        let mut rows: Vec<Row> = run
            .agreements
            .iter()
            .map(|a| {
                let count = |s: Severity| a.diags.iter().filter(|d| d.severity == s).count();
                let v = |s: &Option<crate::base::diag::Sp<String>>| s.as_ref().map(|s| s.v.clone()).unwrap_or_default();
                Row {
                    file: self.root.relative(&a.origin.file),
                    member: a.origin.member.map(|m| m + 1),
                    id: id_of(a).to_string(),
                    organisation: v(&a.agreement.virksomhet.navn),
                    status: v(&a.agreement.avtale.status),
                    errors: count(Severity::Error),
                    warnings: count(Severity::Warning),
                    pdf: self.pdf_state(a, &index),
                }
            })
            .collect();
        rows.sort_by(|a, b| (&a.file, a.member).cmp(&(&b.file, b.member)));
        rows
    }

    /// Whether `build` has a current PDF of the agreement in the output directory.
    fn pdf_state(&self, a: &Loaded, index: &OutputIndex) -> &'static str {
        let id = id_of(a);
        let target = self.out_dir.join(format!("{id}.pdf"));
        let Some(meta) = std::fs::symlink_metadata(&target).ok().filter(|m| m.is_file()) else {
            return "mangler";
        };
        if id.is_empty() {
            return "mangler";
        }
        // The index first: a PDF of the size `build` recorded is not signed (a signature adds
        // bytes), and only other PDFs are read.
        match index.entries.get(id) {
            Some(e) if !a.has_errors() && e.key == agreement_key(&self.context, a) && e.size == meta.len() => {
                "oppdatert"
            }
            _ if is_signed(&target) => "signert",
            _ => "utdatert",
        }
    }
}

/// The page templates, HTML-escaped.
fn templates() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_filter("urlencode", |s: String| enc(&s));
    for name in ["base.html", "start.html", "editor.html", "form.html"] {
        let text = WEB
            .get_file(name)
            .and_then(|f| f.contents_utf8())
            .ok_or_else(|| format!("the editor's template {name} is missing"))?;
        env.add_template(name, text)
            .map_err(|e| format!("the editor's template {name} is broken: {e}"))?;
    }
    Ok(env)
}
