//! Typst source into pages, in process and within limits: the template engine with its
//! step limit, the layout on a thread of its own with a time limit, and the checks a
//! finished layout must pass (page count, no warnings, no text off the page).

use std::sync::Arc;

use minijinja::Environment;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::Datetime;
use typst_layout::PagedDocument;

use crate::catalog::assets::Assets;
use crate::document::errors::{BuildError, describe};
use crate::document::inspect::off_page;
use crate::document::settings::Limits;
use crate::document::template;
use crate::document::view::View;
use crate::document::world::{DocWorld, Env, MAIN_PATH};

/// Stack for the Typst thread: deeply nested documents recurse deeply.
const TYPST_STACK: usize = 64 * 1024 * 1024;

/// The template environment and the Typst environment of a run, with the limits that
/// bound each document.
pub struct Engine {
    pub env: Arc<Env>,
    jinja: Environment<'static>,
    pub limits: Limits,
}

impl Engine {
    /// An engine for the templates in `assets`; the appendix template, when there is one,
    /// is checked at once.
    pub fn new(assets: Assets, limits: Limits) -> Result<Engine, String> {
        let mut jinja = template::environment(&assets);
        jinja.set_fuel(Some(limits.template_fuel));
        if assets.read(template::APPENDIX_TEMPLATE).is_ok()
            && let Err(e) = jinja.get_template(template::APPENDIX_TEMPLATE)
        {
            return Err(format!(
                "template {}:{}: {}",
                assets.display(template::APPENDIX_TEMPLATE),
                e.line().unwrap_or(0),
                e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string())
            ));
        }
        Ok(Engine {
            env: Arc::new(Env::new(assets)),
            jinja,
            limits,
        })
    }

    /// The same engine with other limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.jinja.set_fuel(Some(limits.template_fuel));
        self.limits = limits;
    }

    /// Typst source from one of the templates.
    pub fn fill_template(&self, template: &str, view: &View) -> Result<String, BuildError> {
        template::typst_source_from(&self.jinja, template, view).map_err(|e| {
            if e.kind() == minijinja::ErrorKind::OutOfFuel {
                return BuildError::Limit {
                    message: format!(
                        "template {}: stopped after {} steps (a loop that does not end?); the limit is an internal safeguard",
                        self.env.assets.display(e.name().unwrap_or(template)),
                        self.limits.template_fuel
                    ),
                    stop: true,
                };
            }
            BuildError::Template(format!(
                "template {}:{}: {}",
                self.env.assets.display(e.name().unwrap_or(template)),
                e.line().unwrap_or(0),
                e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string())
            ))
        })
    }

    /// Lay out Typst source into pages; `date` is what Typst's `today` returns.
    pub fn layout(
        &self,
        src: String,
        date: chrono::NaiveDate,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(DocWorld, PagedDocument), BuildError> {
        let (world, doc) = self.compile_doc(MAIN_PATH, src, date, files)?;
        self.check_doc(&doc)?;
        Ok((world, doc))
    }

    /// Compile a document whose main file is `main_path`; any Typst warning is an error.
    pub fn compile_doc(
        &self,
        main_path: &str,
        src: String,
        date: chrono::NaiveDate,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(DocWorld, PagedDocument), BuildError> {
        use chrono::Datelike;
        let today = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .ok_or_else(|| BuildError::Other(format!("date {date} is out of range")))?;
        let world = DocWorld::with_main(self.env.clone(), main_path, src, today, files)
            .ok_or_else(|| BuildError::Other("cannot create the main file".into()))?;
        let (world, warned) = self.compile_in_time(world)?;
        let doc = match warned.output {
            Ok(doc) => doc,
            Err(errors) => return Err(BuildError::Template(describe(&world, &self.env.assets, &errors))),
        };
        // A warning (an unknown font, a missing label) means a flaw in the templates.
        let fatal: Vec<SourceDiagnostic> = warned
            .warnings
            .iter()
            .filter(|w| w.severity == TypstSeverity::Warning)
            .cloned()
            .collect();
        if !fatal.is_empty() {
            return Err(BuildError::Template(describe(&world, &self.env.assets, &fatal)));
        }
        Ok((world, doc))
    }

    /// The limits a finished layout must keep: pages, and text inside the page.
    pub fn check_doc(&self, doc: &PagedDocument) -> Result<(), BuildError> {
        self.check_pages(doc.pages().len())?;
        if let Some(text) = off_page(doc) {
            return Err(BuildError::Overflow(text));
        }
        Ok(())
    }

    pub fn check_pages(&self, pages: usize) -> Result<(), BuildError> {
        if pages > self.limits.max_pages {
            return Err(BuildError::Limit {
                message: format!(
                    "the document has {pages} pages, over the limit of {} (raise it with --max-pages)",
                    self.limits.max_pages
                ),
                stop: false,
            });
        }
        Ok(())
    }

    /// Run Typst on its own thread and wait at most the time limit. Typst cannot be
    /// cancelled: on timeout its thread is left to run until the process ends, and the
    /// caller gets an error (nothing is written for the document).
    fn compile_in_time(
        &self,
        world: DocWorld,
    ) -> Result<(DocWorld, typst::diag::Warned<typst::diag::SourceResult<PagedDocument>>), BuildError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("typst".into())
            .stack_size(TYPST_STACK)
            .spawn(move || {
                let warned = typst::compile::<PagedDocument>(&world);
                let _ = tx.send((world, warned));
            });
        if let Err(e) = spawned {
            return Err(BuildError::Other(format!("cannot start the layout: {e}")));
        }
        match rx.recv_timeout(self.limits.time) {
            Ok(done) => Ok(done),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(BuildError::Limit {
                message: format!(
                    "the layout did not finish within {} s (raise it with --time-limit); a template that never ends, or far too much text",
                    self.limits.time.as_secs_f64()
                ),
                stop: true,
            }),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(BuildError::Other(
                "the layout stopped unexpectedly (Typst panicked)".into(),
            )),
        }
    }
}
