//! From a checked agreement to a PDF: the view the templates read, the template
//! environment, the Typst world, layout with shared appendices, export, signature fields,
//! the attached provenance, and the plain-text rendering for review.
//!
//! Inside the layer: `settings`, `view`, `world` → `template`, `errors`, `inspect` →
//! `layout` → `splice` → `appendix` → `typesetter`; `sigfield`, `provenance` and `text` stand
//! beside them.

pub mod appendix;
pub mod errors;
pub mod inspect;
pub mod layout;
pub mod pdfedit;
pub mod provenance;
pub mod settings;
pub mod sigfield;
pub mod signature;
pub mod signed;
pub mod splice;
pub mod template;
pub mod text;
pub mod typesetter;
pub mod view;
pub mod world;

pub use appendix::AppendixStats;
pub use errors::BuildError;
pub use settings::{Attachment, Limits, PdfSettings};
pub use typesetter::{Built, Typesetter};
pub use view::View;
