//! Checked agreement → Typst source → PDF, in process. Same input, same bytes: the
//! creation date is the agreement's date, the identifier its id, and no clock or system
//! font is consulted.

use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::base::diag::Diagnostic;
use crate::base::i18n::Msg;
use crate::catalog::Catalogue;
use crate::catalog::assets::Assets;
use crate::catalog::lang::Texts;
use crate::document::appendix::{AppendixCache, AppendixStats};
use crate::document::errors::{BuildError, describe, overflow_error};
use crate::document::layout::Engine;
use crate::document::settings::{Attachment, Limits, PdfSettings, STANDARD_NAMES, attachment_path, parse_standard};
use crate::document::sigfield;
use crate::document::template;
use crate::document::view::{self, View};
use crate::document::world::DocWorld;
use crate::input::model::Agreement;
use crate::msg;

/// Everything shared by all documents of a run: the templates, the fonts, the PDF
/// settings, and the appendices laid out so far.
pub struct Typesetter {
    pub engine: Engine,
    standards: PdfStandards,
    pub settings: PdfSettings,
    /// The documents' fixed text in each language, from the templates in use.
    pub texts: Texts,
    /// Lay out the appendices as a document of their own and reuse it for every agreement
    /// with the same appendices (on when the templates have `vedlegg.typ.j2`).
    pub share_appendices: bool,
    appendices: AppendixCache,
}

pub struct Built {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub view: View,
}

impl Typesetter {
    pub fn new(assets: Assets, settings: &PdfSettings) -> Result<Typesetter, String> {
        let standards = standards(settings)?;
        let texts =
            Texts::load(&assets).map_err(|e| format!("the language tables are broken:\n  {}", e.join("\n  ")))?;
        // Template directories made before the appendix template existed still work, with
        // every agreement laid out whole.
        let share_appendices = assets.read(template::APPENDIX_TEMPLATE).is_ok();
        Ok(Typesetter {
            engine: Engine::new(assets, Limits::default())?,
            standards,
            settings: settings.clone(),
            texts,
            share_appendices,
            appendices: AppendixCache::default(),
        })
    }

    /// The same typesetter with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Typesetter {
        self.engine.set_limits(limits);
        self
    }

    /// The limits each document is held to.
    pub fn limits(&self) -> Limits {
        self.engine.limits
    }

    /// Why `c` cannot be printed in a value, if it cannot: a character no font has, a
    /// control character (PDF/A forbids them), or a bidirectional control, which would
    /// make the printed text read differently from the agreement file.
    fn unprintable(&self, c: char) -> Option<Msg> {
        if matches!(c, '\n' | '\r' | '\t') {
            return None;
        }
        if c.is_control() {
            return Some(msg!("char-control"));
        }
        if matches!(c, '\u{2028}' | '\u{2029}') {
            // Typst reads them as line ends: two in a row would break the paragraph.
            return Some(msg!("char-separator"));
        }
        if matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}') {
            return Some(msg!("char-bidi"));
        }
        if !c.is_whitespace() && !self.engine.env.covers(c) {
            return Some(msg!("char-no-font", char = c));
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
        let src = self.engine.fill_template(template::MAIN_TEMPLATE, &view)?;
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
        for s in a.text_values() {
            if let Some((c, why)) = s.v.chars().find_map(|c| self.unprintable(c).map(|why| (c, why))) {
                problems.push(
                    Diagnostic::error_at(
                        "unsupported-character",
                        s,
                        Msg::new("unsupported-character")
                            .nested("why", why)
                            .arg("code", format!("{:04X}", c as u32)),
                    )
                    .with_help(msg!("unsupported-character-help")),
                );
            }
        }
        if !problems.is_empty() {
            return Err(BuildError::Input(problems));
        }
        let mut view = view::view(a, cat, &self.texts).map_err(|e| BuildError::Other(e.0))?;
        let attachments = if self.settings.attachments {
            attach(&view)
        } else {
            Vec::new()
        };
        view.vedlagte_filer = attachments
            .iter()
            .enumerate()
            .map(|(i, f)| view::AttachmentView {
                navn: f.name.clone(),
                sti: attachment_path(i),
                mime: f.mime.clone(),
                beskrivelse: f.description.clone(),
                forhold: f.relationship.clone(),
            })
            .collect();
        Ok((view, attachments))
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
        let (mut view, terms, files) = self.layout_inputs(a, cat, attach)?;
        let shared = if self.share_appendices && !view.vedlegg.is_empty() {
            self.appendices.lay_out(&self.engine, &mut view, terms, files.clone())
        } else {
            Ok(None)
        };
        let laid_out = match shared {
            Ok(Some(done)) => Ok(done),
            Ok(None) => {
                if self.share_appendices && !view.vedlegg.is_empty() {
                    self.appendices.count_whole();
                }
                view.vedleggssider = None;
                self.engine
                    .fill_template(template::MAIN_TEMPLATE, &view)
                    .and_then(|src| self.engine.layout(src, view.dato_iso, files))
            }
            Err(e) => Err(e),
        };
        let (world, doc) = laid_out.map_err(|e| match e {
            BuildError::Overflow(text) => overflow_error(a, &text),
            e => e,
        })?;
        Ok((view, world, doc))
    }

    /// What the layout of one agreement reads besides its source: its view, the terms texts
    /// its appendices include, and those with the files attached to the PDF.
    #[allow(clippy::type_complexity)]
    pub fn layout_inputs(
        &self,
        a: &Agreement,
        cat: &Catalogue,
        attach: &dyn Fn(&View) -> Vec<Attachment>,
    ) -> Result<(View, Vec<(String, Vec<u8>)>, Vec<(String, Vec<u8>)>), BuildError> {
        let (view, attachments) = self.prepare(a, cat, attach)?;
        let terms = view::terms_files(&view, cat);
        let mut files = terms.clone();
        files.extend(
            attachments
                .into_iter()
                .enumerate()
                .map(|(i, f)| (attachment_path(i), f.data)),
        );
        Ok((view, terms, files))
    }

    /// How the appendices of the agreements built so far were laid out.
    pub fn appendix_stats(&self) -> AppendixStats {
        self.appendices.stats()
    }

    /// Lay out Typst source into pages; `date` is what Typst's `today` returns.
    pub fn layout(
        &self,
        src: String,
        date: chrono::NaiveDate,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(DocWorld, PagedDocument), BuildError> {
        self.engine.layout(src, date, files)
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
        let (world, doc) = self.engine.layout(src, date, files)?;
        self.export(&world, &doc, id, date)
    }

    /// How Typst exports a document: the standards of the run, `id` as the identifier and
    /// `date` as the creation date, so the same pages always give the same bytes.
    pub fn pdf_options(&self, id: &str, date: chrono::NaiveDate) -> Result<PdfOptions, BuildError> {
        use chrono::Datelike;
        let timestamp = Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
            .map(Timestamp::new_utc)
            .ok_or_else(|| BuildError::Other("date out of range".into()))?;
        Ok(PdfOptions {
            ident: Smart::Custom(id.to_string()),
            creator: Smart::Custom(Some(format!("avtale {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(timestamp),
            page_ranges: None,
            standards: self.standards.clone(),
            tagged: true,
            pretty: false,
        })
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
        let options = self.pdf_options(id, date)?;
        let mut pdf = typst_pdf::pdf(doc, &options)
            .map_err(|errors| BuildError::Template(describe(world, &self.engine.env.assets, &errors)))?;
        let fields = if self.settings.signature_fields {
            sigfield::locate(doc)
        } else {
            Vec::new()
        };
        pdf = sigfield::finish_pdf(pdf, &fields).map_err(BuildError::Other)?;
        if pdf.last() != Some(&b'\n') {
            // Signing tools append incremental updates; they need a line end after %%EOF.
            pdf.push(b'\n');
        }
        Ok((pdf, doc.pages().len()))
    }
}

/// The standards of `settings`, checked: known, combinable, and allowing attachments when
/// the PDF gets them.
fn standards(settings: &PdfSettings) -> Result<PdfStandards, String> {
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
    PdfStandards::new(&list).map_err(|e| format!("these PDF standards cannot be combined: {}", e.message()))
}
