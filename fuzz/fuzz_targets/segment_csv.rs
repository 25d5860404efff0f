//! Any text as a segment's member CSV: rows become members, each read as an agreement and
//! checked; every diagnostic must point inside the CSV text.

#![no_main]

use avtale::base::diag::{Loc, Sources};
use avtale::input::{members_csv as csvmembers, model, rules};
use libfuzzer_sys::fuzz_target;

#[path = "../src/common.rs"]
mod common;

fuzz_target!(|text: &str| {
    let mut sources = Sources::default();
    let file = sources.add("medlemmer.csv".into(), text.to_string());
    let mut diags = Vec::new();
    let members = csvmembers::read(&mut diags, file, text);
    let lines = text.lines().count().max(1);
    for (table, loc, line) in &members {
        assert!(*line >= 1 && *line <= lines, "line {line} of {lines}");
        let mut own = Vec::new();
        let a = model::read_agreement(&mut own, table, Loc::new(file, loc.span.clone()), "");
        rules::check(&mut own, &a, &common::CATALOGUE);
        diags.extend(own);
    }
    diags.push(avtale::base::diag::Diagnostic::error(
        "csv-syntax",
        Loc::new(file, 0..0),
        "",
        "probe",
    ));
    common::emit_all(&sources, &diags);
});
