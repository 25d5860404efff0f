//! Putting appendix pages laid out apart onto the blank pages an agreement leaves for them:
//! finding those pages, checking that they are blank, and drawing the appendix body between
//! the agreement's header and footer.

use std::collections::HashSet;

use ecow::EcoVec;
use typst::foundations::Value;
use typst::introspection::{Location, Tag};
use typst::layout::{Frame, FrameItem, GroupItem, Point};
use typst::pdf::ArtifactElem;
use typst_layout::{Page, PagedDocument};

/// The label on the first of the blank pages `vedleggsplass` leaves for the appendices.
const PLACEHOLDER_LABEL: &str = "vedleggsplass";

/// Index of the first blank page left for the appendices, if the document has one.
pub fn placeholder_page(doc: &PagedDocument) -> Option<usize> {
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
pub fn start_locations(frame: &Frame, out: &mut HashSet<Location>) {
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
pub fn splice(doc: &PagedDocument, appendix: &[Page], first: usize) -> PagedDocument {
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
pub fn has_body(frame: &Frame, artifacts: &mut Vec<Location>) -> bool {
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
