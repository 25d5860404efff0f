//! Where text lies on a laid-out page, and text that runs off it.

use typst::layout::{Frame, FrameItem, Point};
use typst_layout::PagedDocument;

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
