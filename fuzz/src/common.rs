//! Shared by the fuzz targets: the shipped catalogue, loaded once, and diagnostics written
//! in every output form (which resolves every span against its file).

use std::sync::LazyLock;

use avtale::catalog::assets::Assets;
use avtale::catalog::{CATALOGUE_FILE, Catalogue};
use avtale::base::diag::{self, Diagnostic, Format, Sources};
use codespan_reporting::term::termcolor::NoColor;

pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::load(&Assets::Embedded, CATALOGUE_FILE, &mut Sources::default())
        .unwrap_or_else(|_| panic!("the shipped catalogue loads"))
});

/// Diagnostics also written in the human form.
const HUMAN_SHOWN: usize = 20;

pub fn emit_all(sources: &Sources, diags: &[Diagnostic]) {
    // The human form draws source snippets and is slow; a few diagnostics exercise it.
    let mut out = NoColor::new(Vec::new());
    diag::emit(&mut out, Format::Human, sources, &diags[..diags.len().min(HUMAN_SHOWN)])
        .expect("diagnostics write to memory");
    for format in [Format::Short, Format::Json, Format::Github] {
        let mut out = NoColor::new(Vec::new());
        diag::emit(&mut out, format, sources, diags).expect("diagnostics write to memory");
    }
    for d in diags {
        let text = sources.text(d.loc.file);
        assert!(
            d.loc.span.start <= d.loc.span.end && d.loc.span.end <= text.len(),
            "span {:?} outside its file of {} bytes: {d:?}",
            d.loc.span,
            text.len()
        );
        assert!(
            text.is_char_boundary(d.loc.span.start) && text.is_char_boundary(d.loc.span.end),
            "span {:?} splits a character: {d:?}",
            d.loc.span
        );
    }
}
