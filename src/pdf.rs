//! Checked agreement → Typst source → PDF, in process. Same input, same bytes: the
//! creation date is the agreement's date, the identifier its id, and no clock or system
//! font is consulted.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecow::EcoVec;
use sha2::{Digest, Sha256};

use minijinja::Environment;
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart, Value};
use typst::introspection::{Location, Tag};
use typst::layout::{Frame, FrameItem, GroupItem, Point};
use typst::pdf::ArtifactElem;
use typst_layout::{Page, PagedDocument};
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::assets::Assets;
use crate::catalog::Catalogue;
use crate::diag::Diagnostic;
use crate::lang::Texts;
use crate::model::Agreement;
use crate::raw::Sp;
use crate::render::{self, View};
use crate::world::{APPENDIX_PATH, DocWorld, Env, MAIN_PATH};

/// PDF standards `--pdf-standard` accepts.
pub const STANDARD_NAMES: &[&str] = &[
    "1.7", "2.0", "a-1b", "a-1a", "a-2b", "a-2u", "a-2a", "a-3b", "a-3u", "a-3a", "a-4", "ua-1",
];

pub fn parse_standard(s: &str) -> Option<PdfStandard> {
    Some(match s {
        "1.7" => PdfStandard::V_1_7,
        "2.0" => PdfStandard::V_2_0,
        "a-1b" => PdfStandard::A_1b,
        "a-1a" => PdfStandard::A_1a,
        "a-2b" => PdfStandard::A_2b,
        "a-2u" => PdfStandard::A_2u,
        "a-2a" => PdfStandard::A_2a,
        "a-3b" => PdfStandard::A_3b,
        "a-3u" => PdfStandard::A_3u,
        "a-3a" => PdfStandard::A_3a,
        "a-4" => PdfStandard::A_4,
        "ua-1" => PdfStandard::Ua_1,
        _ => return None,
    })
}

/// The default: archival PDF/A-3a (which allows the attached source) together with
/// accessible, tagged PDF/UA-1.
pub const DEFAULT_STANDARDS: &[&str] = &["a-3a", "ua-1"];
/// The default without attachments: PDF/A-2a, which allows no attachments, with PDF/UA-1.
pub const DEFAULT_STANDARDS_NO_ATTACHMENTS: &[&str] = &["a-2a", "ua-1"];

/// How PDFs are made.
#[derive(Debug, Clone)]
pub struct PdfSettings {
    pub standards: Vec<String>,
    /// Put an unsigned signature field over each signature box.
    pub signature_fields: bool,
    /// Attach the agreement's source and a manifest to the PDF.
    pub attachments: bool,
}

impl Default for PdfSettings {
    fn default() -> Self {
        PdfSettings {
            standards: DEFAULT_STANDARDS.iter().map(|s| s.to_string()).collect(),
            signature_fields: true,
            attachments: true,
        }
    }
}

/// Bounds on the work one document may take, so that a template that never ends or lays
/// out without end is stopped with a clear error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most pages a document may have (checked after layout).
    pub max_pages: usize,
    /// Longest time Typst may take to lay out one document.
    pub time: Duration,
    /// Most steps (minijinja fuel) the template engine may take for one document.
    pub template_fuel: u64,
}

/// Default of `--max-pages`: the shipped documents have about 15 pages.
pub const DEFAULT_MAX_PAGES: usize = 500;
/// Default of `--time-limit`, in seconds: a document takes well under a second.
pub const DEFAULT_TIME_LIMIT_SECS: u64 = 60;
/// Template steps (minijinja fuel) per document: the shipped templates take under 1,500;
/// this stops a runaway loop within about a second.
pub const DEFAULT_TEMPLATE_FUEL: u64 = 10_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: DEFAULT_MAX_PAGES,
            time: Duration::from_secs(DEFAULT_TIME_LIMIT_SECS),
            template_fuel: DEFAULT_TEMPLATE_FUEL,
        }
    }
}

/// A file to attach to the PDF.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attachment {
    pub name: String,
    #[serde(skip)]
    pub data: Vec<u8>,
    pub mime: String,
    pub description: String,
    /// `source` or `data` (PDF/A-3's AFRelationship).
    pub relationship: String,
}

/// Where attachment number `i` is visible to Typst.
pub fn attachment_path(i: usize) -> String {
    format!("/.vedlegg/{i}")
}

/// Everything shared by all documents of a run.
pub struct Renderer {
    pub env: Arc<Env>,
    jinja: Environment<'static>,
    standards: PdfStandards,
    pub settings: PdfSettings,
    pub limits: Limits,
    /// The documents' fixed text in each language, from the templates in use.
    pub texts: Texts,
    /// Lay out the appendices as a document of their own and reuse it for every agreement
    /// with the same appendices (on when the templates have `vedlegg.typ.j2`).
    pub share_appendices: bool,
    appendices: Mutex<Vec<SharedAppendices>>,
    stats: Counters,
}

#[derive(Default)]
struct Counters {
    laid_out: AtomicUsize,
    reused: AtomicUsize,
    whole: AtomicUsize,
}

/// How the appendices of the agreements a renderer built were laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppendixStats {
    /// Appendix documents laid out.
    pub laid_out: usize,
    /// Agreements that reused appendix pages laid out for an earlier one.
    pub reused: usize,
    /// Agreements with appendices laid out whole, in one document with the agreement.
    pub whole: usize,
}

/// Laid-out appendix pages, kept for the next agreements that have the same appendices.
struct SharedAppendices {
    /// SHA-256 of the appendix document's source and of the terms texts it includes.
    key: [u8; 32],
    /// The date it was laid out with, when its layout asked for the date.
    date: Option<chrono::NaiveDate>,
    /// `None` when the appendices cannot be laid out on their own (a terms text that refers
    /// to a label in the agreement, say): such agreements are laid out whole.
    laid_out: Option<Arc<AppendixPages>>,
}

struct AppendixPages {
    pages: Vec<Page>,
    /// Locations of the elements on those pages, to make sure none is also in the agreement.
    locations: HashSet<Location>,
}

/// How many appendix layouts a renderer keeps: a segment has a few sets of services, each
/// set takes a few MB.
const SHARED_APPENDICES_KEPT: usize = 8;

/// Why one agreement did not become a PDF.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the agreement itself (unsupported language, a character no font has).
    Input(Vec<Diagnostic>),
    /// A problem in a template or terms text, located there.
    Template(String),
    /// The document went over a limit (`Limits`); `stop` when the work could not be
    /// cancelled and the run should not start more documents.
    Limit {
        message: String,
        stop: bool,
    },
    /// A run of text reaches past the page edge (its text); `build` locates it.
    Overflow(String),
    Other(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Input(d) => write!(f, "{} problem(s) in the agreement", d.len()),
            BuildError::Template(m) | BuildError::Other(m) | BuildError::Limit { message: m, .. } => f.write_str(m),
            BuildError::Overflow(t) => write!(f, "text runs off the page: `{t}`"),
        }
    }
}

pub struct Built {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub view: View,
}

impl Renderer {
    pub fn new(assets: Assets, settings: &PdfSettings) -> Result<Renderer, String> {
        let mut list = Vec::new();
        for s in &settings.standards {
            if settings.attachments && (s.starts_with("a-1") || s.starts_with("a-2")) {
                return Err(format!(
                    "PDF/A-{} allows no attachments; pick a-3a (the default) or build with --no-attachments",
                    &s[2..]
                ));
            }
            list.push(
                parse_standard(s)
                    .ok_or_else(|| format!("unknown PDF standard `{s}`; known: {}", STANDARD_NAMES.join(", ")))?,
            );
        }
        let standards =
            PdfStandards::new(&list).map_err(|e| format!("these PDF standards cannot be combined: {}", e.message()))?;
        let texts =
            Texts::load(&assets).map_err(|e| format!("the language tables are broken:\n  {}", e.join("\n  ")))?;
        let limits = Limits::default();
        let mut jinja = render::environment(&assets);
        jinja.set_fuel(Some(limits.template_fuel));
        // Template directories made before the appendix template existed still work, with
        // every agreement laid out whole.
        let share_appendices = assets.read(render::APPENDIX_TEMPLATE).is_ok();
        if share_appendices && let Err(e) = jinja.get_template(render::APPENDIX_TEMPLATE) {
            return Err(format!(
                "template {}:{}: {}",
                assets.display(render::APPENDIX_TEMPLATE),
                e.line().unwrap_or(0),
                e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string())
            ));
        }
        Ok(Renderer {
            jinja,
            env: Arc::new(Env::new(assets)),
            standards,
            settings: settings.clone(),
            limits,
            texts,
            share_appendices,
            appendices: Mutex::default(),
            stats: Counters::default(),
        })
    }

    /// The same renderer with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Renderer {
        self.jinja.set_fuel(Some(limits.template_fuel));
        self.limits = limits;
        self
    }

    /// Why `c` cannot be printed in a value, if it cannot: a character no font has, a
    /// control character (PDF/A forbids them), or a bidirectional control, which would
    /// make the printed text read differently from the agreement file.
    fn unprintable(&self, c: char) -> Option<String> {
        if matches!(c, '\n' | '\r' | '\t') {
            return None;
        }
        if c.is_control() {
            return Some("a control character cannot be printed".into());
        }
        if matches!(c, '\u{2028}' | '\u{2029}') {
            // Typst reads them as line ends: two in a row would break the paragraph.
            return Some("a line or paragraph separator cannot be printed".into());
        }
        if matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}') {
            return Some("a bidirectional control character would reorder the printed text".into());
        }
        if !c.is_whitespace() && !self.env.covers(c) {
            return Some(format!("no font in the document can show `{c}`"));
        }
        None
    }

    /// The Typst source of one agreement, with template line markers: the whole document,
    /// appendices included, as `render --format typst` shows it.
    pub fn source(
        &self,
        a: &Agreement,
        cat: &Catalogue,
        attach: &dyn Fn(&View) -> Vec<Attachment>,
    ) -> Result<(String, View, Vec<Attachment>), BuildError> {
        let (view, attachments) = self.prepare(a, cat, attach)?;
        let src = self.render(render::MAIN_TEMPLATE, &view)?;
        Ok((src, view, attachments))
    }

    /// The view of one agreement and its attachments, once every value is known to print.
    fn prepare(
        &self,
        a: &Agreement,
        cat: &Catalogue,
        attach: &dyn Fn(&View) -> Vec<Attachment>,
    ) -> Result<(View, Vec<Attachment>), BuildError> {
        let mut problems = Vec::new();
        for s in strings(a) {
            if let Some((c, why)) = s.v.chars().find_map(|c| self.unprintable(c).map(|why| (c, why))) {
                problems.push(
                    Diagnostic::error_at("unsupported-character", s, format!("{why} (U+{:04X})", c as u32))
                        .with_help("replace the character, or write the name as registered in Enhetsregisteret"),
                );
            }
        }
        if !problems.is_empty() {
            return Err(BuildError::Input(problems));
        }
        let mut view = render::view(a, cat, &self.texts).map_err(|e| BuildError::Other(e.0))?;
        let attachments = if self.settings.attachments {
            attach(&view)
        } else {
            Vec::new()
        };
        view.vedlagte_filer = attachments
            .iter()
            .enumerate()
            .map(|(i, f)| render::AttachmentView {
                navn: f.name.clone(),
                sti: attachment_path(i),
                mime: f.mime.clone(),
                beskrivelse: f.description.clone(),
                forhold: f.relationship.clone(),
            })
            .collect();
        Ok((view, attachments))
    }

    /// Typst source from one of the templates.
    fn render(&self, template: &str, view: &View) -> Result<String, BuildError> {
        render::typst_source_from(&self.jinja, template, view).map_err(|e| {
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

    pub fn build(
        &self,
        a: &Agreement,
        cat: &Catalogue,
        attach: &dyn Fn(&View) -> Vec<Attachment>,
    ) -> Result<Built, BuildError> {
        let (view, world, doc) = self.document(a, cat, attach)?;
        let (pdf, pages) = self.export(&world, &doc, &view.id, view.dato_iso)?;
        Ok(Built { pdf, pages, view })
    }

    /// The laid-out pages of one agreement, as `build` exports them and `render --format
    /// png` draws them, with its view and the world they were laid out in.
    pub fn document(
        &self,
        a: &Agreement,
        cat: &Catalogue,
        attach: &dyn Fn(&View) -> Vec<Attachment>,
    ) -> Result<(View, DocWorld, PagedDocument), BuildError> {
        let (mut view, attachments) = self.prepare(a, cat, attach)?;
        let terms = render::terms_files(&view, cat);
        let mut files = terms.clone();
        files.extend(
            attachments
                .into_iter()
                .enumerate()
                .map(|(i, f)| (attachment_path(i), f.data)),
        );
        let shared = if self.share_appendices && !view.vedlegg.is_empty() {
            self.layout_with_shared_appendices(&mut view, terms, files.clone())
        } else {
            Ok(None)
        };
        let laid_out = match shared {
            Ok(Some(done)) => Ok(done),
            Ok(None) => {
                if self.share_appendices && !view.vedlegg.is_empty() {
                    self.stats.whole.fetch_add(1, Ordering::Relaxed);
                }
                view.vedleggssider = None;
                self.render(render::MAIN_TEMPLATE, &view)
                    .and_then(|src| self.layout(src, view.dato_iso, files))
            }
            Err(e) => Err(e),
        };
        let (world, doc) = laid_out.map_err(|e| match e {
            BuildError::Overflow(text) => overflow_error(a, &text),
            e => e,
        })?;
        Ok((view, world, doc))
    }

    /// How the appendices of the agreements built so far were laid out.
    pub fn appendix_stats(&self) -> AppendixStats {
        AppendixStats {
            laid_out: self.stats.laid_out.load(Ordering::Relaxed),
            reused: self.stats.reused.load(Ordering::Relaxed),
            whole: self.stats.whole.load(Ordering::Relaxed),
        }
    }

    /// Lay out the agreement with blank pages for its appendices, and place on them the
    /// appendix pages laid out apart (or remembered from an earlier agreement with the same
    /// appendices). A segment's agreements differ only in their first pages, so this saves
    /// most of the layout. `None` when the two cannot be put together safely; the caller
    /// then lays out the whole document.
    fn layout_with_shared_appendices(
        &self,
        view: &mut View,
        terms: Vec<(String, Vec<u8>)>,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Option<(DocWorld, PagedDocument)>, BuildError> {
        let date = view.dato_iso;
        let src = self.render(render::APPENDIX_TEMPLATE, view)?;
        let key = {
            let mut h = Sha256::new();
            h.update((src.len() as u64).to_le_bytes());
            h.update(src.as_bytes());
            // The terms texts by the SHA-256 the catalogue took of them when it loaded them.
            for v in &view.vedlegg {
                for part in [&v.fil, &v.sha256] {
                    h.update((part.len() as u64).to_le_bytes());
                    h.update(part.as_bytes());
                }
            }
            <[u8; 32]>::from(h.finalize())
        };
        let appendix = match self.remembered(&key, date) {
            Some(Some(found)) => {
                self.stats.reused.fetch_add(1, Ordering::Relaxed);
                found
            }
            Some(None) => return Ok(None),
            None => {
                let (world, doc) = match self.compile_doc(APPENDIX_PATH, src, date, terms) {
                    Ok(done) => done,
                    // Not on their own (a link to a label in the agreement, say): the whole
                    // layout decides, and reports any error against the whole document.
                    Err(BuildError::Template(_)) => {
                        self.remember(SharedAppendices {
                            key,
                            date: None,
                            laid_out: None,
                        });
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                };
                self.stats.laid_out.fetch_add(1, Ordering::Relaxed);
                let mut locations = HashSet::new();
                for p in doc.pages() {
                    start_locations(&p.frame, &mut locations);
                }
                let laid_out = Arc::new(AppendixPages {
                    pages: doc.pages().to_vec(),
                    locations,
                });
                self.remember(SharedAppendices {
                    key,
                    date: world.asked_today().then_some(date),
                    laid_out: Some(laid_out.clone()),
                });
                laid_out
            }
        };
        let pages = &appendix.pages;
        self.check_pages(pages.len())?;
        view.vedleggssider = Some(pages.len());
        let src = self.render(render::MAIN_TEMPLATE, view)?;
        let (world, doc) = self.compile_doc(MAIN_PATH, src, date, files)?;
        // Text off the page is looked for once, on the pages put together below.
        self.check_pages(doc.pages().len())?;
        // The blank pages must be the last ones, as many as the appendices have; a template
        // that puts something else there (or leaves no marked pages) gets the whole layout.
        match placeholder_page(&doc) {
            Some(first) if first + pages.len() == doc.pages().len() => {}
            _ => return Ok(None),
        }
        let first = doc.pages().len() - pages.len();
        // Blank they must be, and of the appendix pages' size.
        let fits = doc.pages()[first..]
            .iter()
            .zip(pages)
            .all(|(blank, add)| blank.frame.size() == add.frame.size() && !has_body(&blank.frame, &mut Vec::new()));
        if !fits {
            return Ok(None);
        }
        let mut main_locations = HashSet::new();
        for p in doc.pages() {
            start_locations(&p.frame, &mut main_locations);
        }
        if !main_locations.is_disjoint(&appendix.locations) {
            return Ok(None);
        }
        let doc = splice(&doc, pages, first);
        self.check_doc(&doc)?;
        Ok(Some((world, doc)))
    }

    /// Appendix pages laid out before for this key and date; `Some(None)` when they were
    /// found not to lay out on their own.
    fn remembered(&self, key: &[u8; 32], date: chrono::NaiveDate) -> Option<Option<Arc<AppendixPages>>> {
        let mut kept = self.appendices.lock().unwrap_or_else(|e| e.into_inner());
        let i = kept
            .iter()
            .position(|s| &s.key == key && s.date.is_none_or(|d| d == date))?;
        // Most recently used last.
        let hit = kept.remove(i);
        let found = hit.laid_out.clone();
        kept.push(hit);
        Some(found)
    }

    fn remember(&self, shared: SharedAppendices) {
        let mut kept = self.appendices.lock().unwrap_or_else(|e| e.into_inner());
        // Two workers may have laid out the same appendices at once; keep one.
        if kept.iter().any(|s| s.key == shared.key && s.date == shared.date) {
            return;
        }
        if kept.len() >= SHARED_APPENDICES_KEPT {
            kept.remove(0);
        }
        kept.push(shared);
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
    fn compile_doc(
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
    fn check_doc(&self, doc: &PagedDocument) -> Result<(), BuildError> {
        self.check_pages(doc.pages().len())?;
        if let Some(text) = off_page(doc) {
            return Err(BuildError::Overflow(text));
        }
        Ok(())
    }

    fn check_pages(&self, pages: usize) -> Result<(), BuildError> {
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

    /// Typst source to PDF bytes and page count: `id` and `date` fix the identifier and
    /// the creation date, so the same source always gives the same bytes.
    pub fn compile(
        &self,
        src: String,
        id: &str,
        date: chrono::NaiveDate,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(Vec<u8>, usize), BuildError> {
        let (world, doc) = self.layout(src, date, files)?;
        self.export(&world, &doc, id, date)
    }

    /// A laid-out document to PDF bytes (with signature fields when asked for) and its
    /// page count.
    fn export(
        &self,
        world: &DocWorld,
        doc: &PagedDocument,
        id: &str,
        date: chrono::NaiveDate,
    ) -> Result<(Vec<u8>, usize), BuildError> {
        use chrono::Datelike;
        let timestamp = Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
            .map(Timestamp::new_utc)
            .ok_or_else(|| BuildError::Other("date out of range".into()))?;
        let options = PdfOptions {
            ident: Smart::Custom(id.to_string()),
            creator: Smart::Custom(Some(format!("avtale {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(timestamp),
            page_ranges: None,
            standards: self.standards.clone(),
            tagged: true,
            pretty: false,
        };
        let mut pdf = typst_pdf::pdf(doc, &options)
            .map_err(|errors| BuildError::Template(describe(world, &self.env.assets, &errors)))?;
        if self.settings.signature_fields {
            let fields = crate::sigfield::locate(doc);
            pdf = crate::sigfield::add_fields(&pdf, &fields).map_err(BuildError::Other)?;
        } else {
            pdf = crate::sigfield::repair_trailing_cr(pdf).map_err(BuildError::Other)?;
        }
        if pdf.last() != Some(&b'\n') {
            // Signing tools append incremental updates; they need a line end after %%EOF.
            pdf.push(b'\n');
        }
        Ok((pdf, doc.pages().len()))
    }
}

/// The label on the first of the blank pages `vedleggsplass` leaves for the appendices.
const PLACEHOLDER_LABEL: &str = "vedleggsplass";

/// Index of the first blank page left for the appendices, if the document has one.
fn placeholder_page(doc: &PagedDocument) -> Option<usize> {
    let intr = doc.introspector();
    let marker = intr
        .elements()
        .query_labelled()
        .into_iter()
        .find(|c| c.label().is_some_and(|l| l.resolve().as_str() == PLACEHOLDER_LABEL))?;
    let pos = intr.position(marker.location()?)?;
    Some(pos.page.get() - 1)
}

/// The locations of the elements that start in a frame.
fn start_locations(frame: &Frame, out: &mut HashSet<Location>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => start_locations(&g.frame, out),
            FrameItem::Tag(Tag::Start(elem, _)) => {
                if let Some(loc) = elem.location() {
                    out.insert(loc);
                }
            }
            _ => {}
        }
    }
}

/// The document with the appendix pages laid over its pages from `first` on. The page
/// furniture (header, footer, page number, watermark) is the agreement's own; the body is
/// the appendix page's, which was laid out with the same page geometry and no furniture.
fn splice(doc: &PagedDocument, appendix: &[Page], first: usize) -> PagedDocument {
    use typst::model::Document as _;
    let mut pages: EcoVec<Page> = doc.pages().iter().cloned().collect();
    for (page, add) in pages.make_mut()[first..].iter_mut().zip(appendix) {
        // Where the body goes when Typst lays out a page: after the header, before the
        // footer; so the page is drawn, and its text extracted, in the usual order.
        let layer = page
            .frame
            .items()
            .position(|(_, item)| starts_footer(item))
            .unwrap_or(page.frame.layer());
        page.frame.insert(
            layer,
            Point::zero(),
            FrameItem::Group(GroupItem::new(add.frame.clone())),
        );
    }
    PagedDocument::new(pages, doc.info().clone())
}

/// Whether a page has anything drawn outside its header, footer and background (the
/// artifacts Typst wraps them in); `artifacts` holds the artifacts entered so far.
fn has_body(frame: &Frame, artifacts: &mut Vec<Location>) -> bool {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Tag(Tag::Start(elem, _)) if elem.to_packed::<ArtifactElem>().is_some() => {
                artifacts.extend(elem.location());
            }
            FrameItem::Tag(Tag::End(loc, ..)) if artifacts.last() == Some(loc) => {
                artifacts.pop();
            }
            FrameItem::Group(g) if has_body(&g.frame, artifacts) => return true,
            FrameItem::Text(_) | FrameItem::Shape(..) | FrameItem::Image(..) if artifacts.is_empty() => return true,
            _ => {}
        }
    }
    false
}

/// Whether a page's frame item is, or holds, the start of the page footer.
fn starts_footer(item: &FrameItem) -> bool {
    fn is_footer(item: &FrameItem) -> bool {
        match item {
            FrameItem::Tag(Tag::Start(elem, _)) => {
                elem.to_packed::<ArtifactElem>().is_some()
                    && matches!(elem.field_by_name("kind"), Ok(Value::Str(k)) if k.as_str() == "footer")
            }
            _ => false,
        }
    }
    match item {
        FrameItem::Group(g) => g.frame.items().any(|(_, i)| is_footer(i)),
        item => is_footer(item),
    }
}

/// Stack for the Typst thread: deeply nested documents recurse deeply.
const TYPST_STACK: usize = 64 * 1024 * 1024;

/// How far (in points) text may reach past the page edge before it counts as off the page.
const PAGE_TOLERANCE_PT: f64 = 0.5;

/// A run of text as placed on its page: where its baseline starts and ends, in points
/// from the page's top left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedText {
    pub start: (f64, f64),
    pub end: (f64, f64),
    pub text: String,
}

/// Every run of text on a page, in drawing order.
pub fn placed_text(page: &Frame) -> Vec<PlacedText> {
    use typst::layout::Transform;
    fn walk(frame: &Frame, ts: Transform, out: &mut Vec<PlacedText>) {
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(g) => {
                    let inner = ts
                        .pre_concat(Transform::translate(pos.x, pos.y))
                        .pre_concat(g.transform);
                    walk(&g.frame, inner, out);
                }
                FrameItem::Text(t) => {
                    let start = pos.transform(ts);
                    let end = Point::new(pos.x + t.width(), pos.y).transform(ts);
                    out.push(PlacedText {
                        start: (start.x.to_pt(), start.y.to_pt()),
                        end: (end.x.to_pt(), end.y.to_pt()),
                        text: t.text.to_string(),
                    });
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(page, Transform::identity(), &mut out);
    out
}

/// The first run of text that reaches past the edge of its page, if any: a word too long
/// to wrap ends up there, and a reader would never see it.
pub fn off_page(doc: &PagedDocument) -> Option<String> {
    doc.pages().iter().find_map(|p| {
        let (w, h) = (p.frame.width().to_pt(), p.frame.height().to_pt());
        let inside = |(x, y): (f64, f64)| {
            (-PAGE_TOLERANCE_PT..=w + PAGE_TOLERANCE_PT).contains(&x)
                && (-PAGE_TOLERANCE_PT..=h + PAGE_TOLERANCE_PT).contains(&y)
        };
        placed_text(&p.frame)
            .into_iter()
            .find(|t| !inside(t.start) || !inside(t.end))
            .map(|t| t.text)
    })
}

/// Text that ran off the page, located at the agreement value it comes from when there is
/// one (a word too long to wrap); otherwise a flaw in the templates.
fn overflow_error(a: &Agreement, text: &str) -> BuildError {
    let piece = text.trim();
    let shown: String = piece.chars().take(40).collect();
    let ellipsis = if piece.chars().count() > 40 { "…" } else { "" };
    match strings(a)
        .into_iter()
        .find(|s| !piece.is_empty() && s.v.contains(piece))
    {
        Some(s) => {
            let longest = s.v.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
            BuildError::Input(vec![
                Diagnostic::error_at(
                    "text-overflow",
                    s,
                    format!("`{shown}{ellipsis}` runs off the page: a word of {longest} characters cannot be wrapped"),
                )
                .with_help("break the value with spaces, or shorten it"),
            ])
        }
        None => BuildError::Template(format!("the layout runs off the page at `{shown}{ellipsis}`")),
    }
}

/// Strip the template line markers from generated source, for people to read.
pub fn strip_markers(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find(render::MARKER) {
        out.push_str(&rest[..i]);
        let after = &rest[i + render::MARKER.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if after[digits..].starts_with(render::MARKER_END) {
            rest = &after[digits + render::MARKER_END.len()..];
        } else {
            out.push_str(render::MARKER);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Typst diagnostics located in the template or terms file they come from.
fn describe(world: &DocWorld, assets: &Assets, diags: &[SourceDiagnostic]) -> String {
    let mut out = Vec::new();
    const SHOWN: usize = 10;
    for d in diags.iter().take(SHOWN) {
        let kind = if d.severity == TypstSeverity::Error {
            "error"
        } else {
            "warning"
        };
        let place = locate(world, assets, d.span).unwrap_or_else(|| "<unknown place>".into());
        let mut line = format!("{place}: {kind}: {}", d.message);
        for h in &d.hints {
            line.push_str(&format!("\n  hint: {}", h.v));
        }
        out.push(line);
    }
    if diags.len() > SHOWN {
        out.push(format!("... and {} more", diags.len() - SHOWN));
    }
    out.join("\n")
}

fn locate(world: &DocWorld, assets: &Assets, span: typst::syntax::DiagSpan) -> Option<String> {
    let id = span.id()?;
    let range = world.range(span)?;
    let source = world.source(id).ok()?;
    let path = id.vpath().get_with_slash().to_string();
    let template = match path.as_str() {
        MAIN_PATH => Some(render::MAIN_TEMPLATE),
        APPENDIX_PATH => Some(render::APPENDIX_TEMPLATE),
        _ => None,
    };
    if let Some(template) = template {
        // Generated text: find the template line that produced it.
        let text = source.text();
        let rest = &text[range.start.min(text.len())..];
        let n = rest.find(render::MARKER).and_then(|i| {
            let digits: String = rest[i + render::MARKER.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<usize>().ok()
        })?;
        return Some(format!("{}:{n}", assets.display(template)));
    }
    let (line, col) = source.lines().byte_to_line_column(range.start)?;
    Some(format!(
        "{}:{}:{}",
        assets.display(path.trim_start_matches('/')),
        line + 1,
        col + 1
    ))
}

/// Every text value of an agreement, with its place.
fn strings(a: &Agreement) -> Vec<&Sp<String>> {
    let mut v: Vec<&Option<Sp<String>>> = vec![
        &a.avtale.id,
        &a.avtale.erstatter,
        &a.virksomhet.navn,
        &a.virksomhet.organisasjonsform,
        &a.virksomhet.varslingsadresse,
    ];
    if let Some(p) = &a.virksomhet.postadresse {
        v.extend([&p.adresse, &p.postnummer, &p.poststed]);
    }
    for k in &a.kontakt {
        v.extend([&k.navn, &k.tittel, &k.epost, &k.telefon]);
    }
    for s in &a.signatar {
        v.extend([&s.navn, &s.tittel, &s.fullmakt_referanse, &s.epost]);
    }
    if let Some(s) = &a.segment {
        v.push(&s.id);
        if let Some(o) = &s.ansvarlig {
            v.push(&o.navn);
        }
    }
    for d in &a.databehandler {
        v.push(&d.navn);
    }
    let mut out: Vec<&Sp<String>> = v.into_iter().flatten().collect();
    for t in &a.tjeneste {
        out.extend(t.formaal.iter());
        out.extend(t.retur_url.iter().flatten());
        for g in [&t.utleveringsgrunnlag, &t.behandlingsgrunnlag].into_iter().flatten() {
            out.extend(g.henvisning.iter());
            out.extend(g.egen_hjemmel.iter());
        }
    }
    out
}
