//! Any bytes as an agreement or segment file: parsed, checked against the shipped
//! catalogue, diagnostics written in every form; an agreement without errors is turned
//! into Typst source, which must parse.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use avtale::catalog::assets::Assets;
use avtale::input::load;
use avtale::document::{PdfSettings, Typesetter};
use libfuzzer_sys::fuzz_target;

#[path = "../src/common.rs"]
mod common;

static RENDERER: LazyLock<Typesetter> = LazyLock::new(|| {
    Typesetter::new(Assets::Embedded, &PdfSettings::default()).unwrap_or_else(|e| panic!("renderer: {e}"))
});

fuzz_target!(|data: &[u8]| {
    let cat = &*common::CATALOGUE;
    let run = load::load_bytes(Path::new("/nonexistent/fuzz.toml"), data, cat);
    common::emit_all(&run.sources, &run.all_diags());
    for a in run.agreements.iter().filter(|a| !a.has_errors()) {
        if let Ok((src, _, _)) = RENDERER.source(&a.agreement, cat, &|_| Vec::new()) {
            let root = typst::syntax::parse(&src);
            assert!(
                !root.diagnosis().either(),
                "generated Typst does not parse: {:?}",
                root.errors_and_warnings()
            );
        }
    }
});
