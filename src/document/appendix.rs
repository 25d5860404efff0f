//! Appendices laid out once and shared: the terms texts are the same for every member of a
//! segment, so their pages are laid out as a document of their own, kept (a few sets, most
//! recently used), and placed on the blank pages each agreement leaves for them.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use typst::introspection::Location;
use typst_layout::{Page, PagedDocument};

use crate::document::errors::BuildError;
use crate::document::layout::Engine;
use crate::document::splice::{has_body, placeholder_page, splice, start_locations};
use crate::document::template;
use crate::document::view::View;
use crate::document::world::{APPENDIX_PATH, DocWorld, MAIN_PATH};

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

/// The appendix layouts of a run, and how they were used.
#[derive(Default)]
pub struct AppendixCache {
    kept: Mutex<Vec<SharedAppendices>>,
    stats: Counters,
}

impl AppendixCache {
    /// How the appendices of the agreements built so far were laid out.
    pub fn stats(&self) -> AppendixStats {
        AppendixStats {
            laid_out: self.stats.laid_out.load(Ordering::Relaxed),
            reused: self.stats.reused.load(Ordering::Relaxed),
            whole: self.stats.whole.load(Ordering::Relaxed),
        }
    }

    /// Count an agreement laid out whole although its templates can share appendices.
    pub fn count_whole(&self) {
        self.stats.whole.fetch_add(1, Ordering::Relaxed);
    }

    /// Lay out the agreement with blank pages for its appendices, and place on them the
    /// appendix pages laid out apart (or remembered from an earlier agreement with the same
    /// appendices). A segment's agreements differ only in their first pages, so this saves
    /// most of the layout. `None` when the two cannot be put together safely; the caller
    /// then lays out the whole document.
    pub fn lay_out(
        &self,
        engine: &Engine,
        view: &mut View,
        terms: Vec<(String, Vec<u8>)>,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Option<(DocWorld, PagedDocument)>, BuildError> {
        let date = view.dato_iso;
        let src = engine.fill_template(template::APPENDIX_TEMPLATE, view)?;
        let key = appendix_key(&src, view);
        let Some(appendix) = self.appendix_pages(engine, key, date, src, terms)? else {
            return Ok(None);
        };
        let pages = &appendix.pages;
        engine.check_pages(pages.len())?;
        view.vedleggssider = Some(pages.len());
        let src = engine.fill_template(template::MAIN_TEMPLATE, view)?;
        let (world, doc) = engine.compile_doc(MAIN_PATH, src, date, files)?;
        // Text off the page is looked for once, on the pages put together below.
        engine.check_pages(doc.pages().len())?;
        let Some(first) = blank_pages_for(&doc, &appendix) else {
            return Ok(None);
        };
        let doc = splice(&doc, pages, first);
        engine.check_doc(&doc)?;
        Ok(Some((world, doc)))
    }

    /// The appendix pages for `key`: remembered from an earlier agreement, or laid out now
    /// and remembered. `None` when they cannot be laid out on their own.
    fn appendix_pages(
        &self,
        engine: &Engine,
        key: [u8; 32],
        date: chrono::NaiveDate,
        src: String,
        terms: Vec<(String, Vec<u8>)>,
    ) -> Result<Option<Arc<AppendixPages>>, BuildError> {
        match self.remembered(&key, date) {
            Some(Some(found)) => {
                self.stats.reused.fetch_add(1, Ordering::Relaxed);
                return Ok(Some(found));
            }
            Some(None) => return Ok(None),
            None => {}
        }
        let (world, doc) = match engine.compile_doc(APPENDIX_PATH, src, date, terms) {
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
        Ok(Some(laid_out))
    }

    /// Appendix pages laid out before for this key and date; `Some(None)` when they were
    /// found not to lay out on their own.
    fn remembered(&self, key: &[u8; 32], date: chrono::NaiveDate) -> Option<Option<Arc<AppendixPages>>> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
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
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // Two workers may have laid out the same appendices at once; keep one.
        if kept.iter().any(|s| s.key == shared.key && s.date == shared.date) {
            return;
        }
        if kept.len() >= SHARED_APPENDICES_KEPT {
            kept.remove(0);
        }
        kept.push(shared);
    }
}

/// SHA-256 of the appendix document's source and of the terms texts it includes (by the
/// SHA-256 the catalogue took of them when it loaded them).
fn appendix_key(src: &str, view: &View) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((src.len() as u64).to_le_bytes());
    h.update(src.as_bytes());
    for v in &view.vedlegg {
        for part in [&v.fil, &v.sha256] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    <[u8; 32]>::from(h.finalize())
}

/// The index of the first of the blank pages the agreement left for `appendix`, when the
/// appendix pages can be put there: the blank pages must be the last ones, as many as the
/// appendices have, blank, of the appendix pages' size, and no element may be in both.
/// Otherwise (a template that puts something else there) the whole layout decides.
fn blank_pages_for(doc: &PagedDocument, appendix: &AppendixPages) -> Option<usize> {
    let pages = &appendix.pages;
    match placeholder_page(doc) {
        Some(first) if first + pages.len() == doc.pages().len() => {}
        _ => return None,
    }
    let first = doc.pages().len() - pages.len();
    let fits = doc.pages()[first..]
        .iter()
        .zip(pages)
        .all(|(blank, add)| blank.frame.size() == add.frame.size() && !has_body(&blank.frame, &mut Vec::new()));
    if !fits {
        return None;
    }
    let mut main_locations = HashSet::new();
    for p in doc.pages() {
        start_locations(&p.frame, &mut main_locations);
    }
    main_locations.is_disjoint(&appendix.locations).then_some(first)
}
