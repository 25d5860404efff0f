//! The live preview: the agreement's pages as PNG images, laid out exactly as `build` lays
//! them out (the shared appendices once), and drawn only when a page is new to the page.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde::Serialize;

use crate::catalog::Catalogue;
use crate::document::provenance;
use crate::document::view::View;
use crate::document::{BuildError, Typesetter};
use crate::input::load::Loaded;

/// Pixels per typographic point of the preview images (A4 is 893 × 1263 pixels).
const PIXELS_PER_PT: f64 = 1.5;

/// How many bytes of drawn pages are kept (a page is 100–300 KiB as base64 PNG): enough for
/// the few dozen pages of an agreement with its appendices, several times over.
const KEEP_BYTES: usize = 64 * 1024 * 1024;

/// One page of the preview.
#[derive(Debug, Serialize)]
pub struct PageImage {
    /// What the page looks like, as a hash: the same page laid out again has the same hash.
    pub hash: String,
    /// The PNG as base64, left out when the browser already has this page.
    pub png: Option<String>,
}

/// Pages drawn so far, by hash, the oldest dropped first.
#[derive(Default)]
pub struct PageCache {
    inner: Mutex<Drawn>,
}

/// The drawn pages by hash, their hashes in the order they were drawn, and their size in all.
type Drawn = (HashMap<String, Arc<String>>, VecDeque<String>, usize);

impl PageCache {
    fn get(&self, hash: &str) -> Option<Arc<String>> {
        self.inner.lock().ok()?.0.get(hash).cloned()
    }

    fn put(&self, hash: String, png: Arc<String>) {
        if let Ok(mut guard) = self.inner.lock() {
            let (map, order, bytes) = &mut *guard;
            let size = png.len();
            if map.insert(hash.clone(), png).is_none() {
                order.push_back(hash);
                *bytes += size;
            }
            while *bytes > KEEP_BYTES {
                let Some(old) = order.pop_front() else { break };
                if let Some(gone) = map.remove(&old) {
                    *bytes -= gone.len();
                }
            }
        }
    }
}

/// The pages of `loaded`, with the PNG of each page whose hash is not in `known`.
pub fn pages(
    typesetter: &Typesetter,
    cat: &Catalogue,
    loaded: &Loaded,
    attach: &dyn Fn(&View) -> Vec<crate::document::settings::Attachment>,
    cache: &PageCache,
    known: &[String],
) -> Result<Vec<PageImage>, BuildError> {
    let result = typesetter.document(&loaded.agreement, cat, attach);
    let out = result.map(|(_, _, doc)| {
        doc.pages()
            .iter()
            .map(|page| {
                let hash = format!("{:032x}", typst::utils::hash128(page));
                let png = if known.contains(&hash) {
                    None
                } else {
                    Some(cache.get(&hash).unwrap_or_else(|| {
                        let png = Arc::new(draw(page));
                        cache.put(hash.clone(), png.clone());
                        png
                    }))
                };
                PageImage {
                    hash,
                    png: png.map(|p| p.as_str().to_string()),
                }
            })
            .collect()
    });
    // Keep what the next edit will reuse; drop what has not been used for a few edits.
    typst::comemo::evict(4);
    out
}

fn draw(page: &typst_layout::Page) -> String {
    let options = typst_render::RenderOptions {
        pixel_per_pt: PIXELS_PER_PT.into(),
        ..Default::default()
    };
    let png = typst_render::render(page, &options).encode_png().unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(png)
}

/// The attachments `build` would give `loaded`, with the agreement file's bytes taken from
/// the editor's text instead of the disk.
pub fn attachments_with_text<'a>(
    loaded: &'a Loaded,
    cat: &'a Catalogue,
    typesetter: &'a Typesetter,
    text: &'a str,
) -> impl Fn(&View) -> Vec<crate::document::settings::Attachment> + 'a {
    move |v: &View| {
        provenance::attachments_reading(loaded, v, cat, &typesetter.settings, &|p| {
            if p == loaded.origin.file {
                text.as_bytes().to_vec()
            } else {
                std::fs::read(p).unwrap_or_default()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diag::Sources;
    use crate::catalog::assets::Assets;
    use crate::document::PdfSettings;
    use crate::input::load::load_bytes;

    #[test]
    fn an_edit_lays_out_the_agreement_again_but_not_its_appendices() {
        let cat = Catalogue::load(&Assets::Embedded, "katalog.toml", &mut Sources::default()).unwrap();
        let ts = Typesetter::new(Assets::Embedded, &PdfSettings::default()).unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("agreements/fjordvik-kommune.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let cache = PageCache::default();
        let preview = |text: &str, known: &[String]| {
            let run = load_bytes(&path, text.as_bytes(), &cat);
            let loaded = &run.agreements[0];
            pages(
                &ts,
                &cat,
                loaded,
                &attachments_with_text(loaded, &cat, &ts, text),
                &cache,
                known,
            )
            .unwrap()
        };
        let first = preview(&text, &[]);
        assert!(first.len() >= 10, "{} pages", first.len());
        let stats = ts.appendix_stats();
        assert_eq!((stats.laid_out, stats.reused, stats.whole), (1, 0, 0));

        let known: Vec<String> = first.iter().map(|p| p.hash.clone()).collect();
        let edited = text.replacen("formaal = \"", "formaal = \"Endret: ", 1);
        assert_ne!(edited, text);
        let second = preview(&edited, &known);
        let stats = ts.appendix_stats();
        assert_eq!(
            (stats.laid_out, stats.reused, stats.whole),
            (1, 1, 0),
            "the appendices were reused"
        );
        assert_eq!(second.len(), first.len());
        // Every page's footer carries the agreement's fingerprint, so every page is drawn
        // again; what is not done again is laying out the appendices.
        assert!(second.iter().all(|p| p.png.is_some()));
    }
}
