//! The PDF pipeline, tested by reading the PDFs back: text, metadata, page geometry,
//! conformance, determinism, escaping of hostile values, and failure without leftovers.

use std::path::Path;

use avtale::base::diag::Sources;
use avtale::catalog::Catalogue;
use avtale::catalog::assets::Assets;
use avtale::document::{BuildError, Built, PdfSettings, Typesetter};
use avtale::input::load;
use page_validation::{ValidationOptions, ValidationProfile, validate_pdf_bytes};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

mod common;
use common::{append, catalogue, root, template_copy, text_of, typesetter};

/// Build every agreement in `path` through the library.
fn build_all(path: &Path) -> Vec<Built> {
    let cat = catalogue();
    let r = typesetter();
    let run = load::load(&[path.to_path_buf()], &cat);
    assert!(run.tool_errors.is_empty(), "{:?}", run.tool_errors);
    run.agreements
        .iter()
        .map(|a| {
            assert!(!a.has_errors(), "{:?}", a.diags);
            r.build(&a.agreement, &cat, &|v| {
                avtale::document::provenance::attachments(a, v, &cat, &r.settings)
            })
            .unwrap_or_else(|e| panic!("build failed: {e}"))
        })
        .collect()
}

fn build_one(path: &Path) -> Built {
    let mut all = build_all(path);
    assert_eq!(all.len(), 1);
    all.remove(0)
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{AD}')
        .collect()
}

fn info_string(doc: &lopdf::Document, key: &[u8]) -> String {
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .expect("Info dictionary");
    let dict = doc.get_dictionary(info).expect("Info is a dictionary");
    let obj = dict.get(key).expect("key present");
    lopdf::decode_text_string(obj).expect("text string")
}

#[test]
fn bank_agreement_reads_back_with_parties_services_and_terms() {
    let cat = catalogue();
    let b = build_one(&root().join("agreements/nordlys-sparebank.toml"));
    let text = text_of(&b.pdf);
    for needle in [
        "Konsumentavtale",
        "KA-2026-0021",
        "Nordlys Sparebank ASA",
        "974 761 076",
        "315 881 390",
        "Inntekt API",
        "Summert skattegrunnlag API",
        "4804_210607",
        "4628_210607",
        "Egenerklæring",
        "Side 1 av",
        "Vedlegg 1",
        "Signatar 1",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in extracted text");
    }
    // Stand-alone consumer: the stand-alone delingsvilkår and the iskr terms, each once.
    let iskr = cat.terms("iskr").unwrap().version("2024-09").unwrap().tekster["standard"]
        .sha256
        .clone();
    let dv = cat.terms("delingsvilkaar").unwrap().version("2022-05").unwrap();
    assert!(squeeze(&text).contains(&iskr), "iskr fingerprint listed");
    assert!(squeeze(&text).contains(&dv.tekster["enkeltstaaende"].sha256));
    assert!(!squeeze(&text).contains(&dv.tekster["segment"].sha256));
    assert_eq!(text.matches("Vedlegg 2").count(), 1);
    assert!(!text.contains("Vedlegg 3"), "only referenced terms are appended");
    assert!(!text.contains("Folkeregisteret"), "freg terms are not referenced");
    // The shipped examples are drafts: they are built on sample terms, which are not to be signed.
    assert!(text.contains("UTKAST"), "a draft carries the watermark");
}

#[test]
fn metadata_geometry_and_trailer() {
    let b = build_one(&root().join("agreements/statens-kjoeretoeyetat.toml"));
    let doc = lopdf::Document::load_mem(&b.pdf).expect("PDF parses");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), b.pages);
    assert!(b.pages >= 4, "agreement plus appendices");
    for (_, id) in pages {
        let page = doc.get_dictionary(id).unwrap();
        let mb = page.get(b"MediaBox").and_then(|o| o.as_array()).expect("MediaBox");
        let nums: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap()).collect();
        assert!(
            (nums[2] - 595.28).abs() < 0.5 && (nums[3] - 841.89).abs() < 0.5,
            "A4 portrait: {nums:?}"
        );
    }
    let title = info_string(&doc, b"Title");
    assert!(title.starts_with("Konsumentavtale KA-2026-0034"), "{title}");
    assert!(!info_string(&doc, b"Author").is_empty());
    assert!(info_string(&doc, b"Subject").contains("Folkeregisteret"));
    assert!(info_string(&doc, b"Keywords").contains("folkeregisteret"));
    let catalog = doc.catalog().unwrap();
    let lang = catalog
        .get(b"Lang")
        .ok()
        .and_then(|o| lopdf::decode_text_string(o).ok());
    assert_eq!(lang.as_deref(), Some("nb"));
    let xmp = String::from_utf8_lossy(&b.pdf).to_string();
    assert!(
        xmp.contains("pdfaid:part") && xmp.contains("pdfuaid:part"),
        "PDF/A and PDF/UA identification"
    );
    assert!(
        b.pdf.ends_with(b"%%EOF\n"),
        "a line end after %%EOF for incremental updates"
    );
    let text = text_of(&b.pdf);
    assert!(
        text.contains("vegtrafikkloven"),
        "the consumer's own statute is printed"
    );
    assert!(text.contains("folkeregisterloven § 10-2"));
}

#[test]
fn conforms_to_pdf_a_3a_and_pdf_ua_1_with_fields_and_attachments() {
    let b = build_one(&root().join("agreements/fjordvik-kommune.toml"));
    for profile in [ValidationProfile::PdfA3a, ValidationProfile::PdfUa1] {
        let report = validate_pdf_bytes(&b.pdf, &ValidationOptions::default().profile(profile)).expect("validates");
        assert!(report.is_compliant, "{profile:?}: {report}");
    }
}

#[test]
fn segment_members_get_the_segment_terms_and_the_owner() {
    let cat = catalogue();
    let built = build_all(&root().join("agreements/segment-kommuner/kommuner.toml"));
    assert!(built.len() >= 25);
    let seg = cat.terms("delingsvilkaar").unwrap().version("2022-05").unwrap().tekster["segment"]
        .sha256
        .clone();
    for b in built.iter().take(3) {
        let text = text_of(&b.pdf);
        assert!(text.contains("Kommunenes Delingsforum SA"));
        assert!(squeeze(&text).contains(&squeeze("Konsumenten er med i segmentet «kommunal-sektor».")));
        assert!(text.contains(&b.view.konsument.navn));
        assert!(squeeze(&text).contains(&seg));
    }
}

#[test]
fn same_input_gives_the_same_bytes_in_process_and_across_processes() {
    let path = root().join("agreements/fjellheim-pensjonskasse.toml");
    let a = build_one(&path).pdf;
    let b = build_one(&path).pdf;
    assert!(a == b, "two builds in one process differ");

    let dir = tempfile::tempdir().unwrap();
    for out in ["one", "two"] {
        common::avtale()
            .args(["build", "-o"])
            .arg(dir.path().join(out))
            .arg(&path)
            .assert()
            .success();
    }
    let one = std::fs::read(dir.path().join("one/KA-2026-0040.pdf")).unwrap();
    let two = std::fs::read(dir.path().join("two/KA-2026-0040.pdf")).unwrap();
    assert!(one == two, "two processes differ");
    assert!(one == a, "binary and library differ");
}

#[test]
fn draft_status_draws_a_watermark() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    // Without `status` the agreement is a draft (utkast).
    let draft: String = src
        .lines()
        .filter(|l| !l.starts_with("status = "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(src, draft, "example has a status to remove");
    let f = dir.path().join("a.toml");
    std::fs::write(&f, draft).unwrap();
    let b = build_one(&f);
    assert!(text_of(&b.pdf).contains("UTKAST"));
}

/// Write `value` into the purpose and the consumer's name of a valid agreement.
fn with_value(value: &str) -> String {
    let src = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    let quoted = toml_quote(value);
    let purpose = toml_quote(&format!("Formål for prøving {value}"));
    let mut out = String::new();
    let mut in_virksomhet = false;
    let mut purpose_done = false;
    for line in src.lines() {
        if line.starts_with('[') {
            in_virksomhet = line == "[virksomhet]";
        }
        if in_virksomhet && line.starts_with("navn = ") {
            out.push_str(&format!("navn = {quoted}\n"));
        } else if line.starts_with("formaal = ") && !purpose_done {
            out.push_str(&format!("formaal = {purpose}\n"));
            purpose_done = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn toml_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn build_value(value: &str) -> (Built, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.toml");
    std::fs::write(&f, with_value(value)).unwrap();
    let b = build_one(&f);
    let text = text_of(&b.pdf);
    (b, text)
}

#[test]
fn hostile_values_are_printed_literally() {
    for value in [
        "#read(\"/etc/passwd\")",
        "]",
        "*bold*",
        "$x^2$",
        "@ref",
        "<l>",
        "// not a comment",
        "back\\slash\\",
        "/* block",
        "= Heading",
        "_emph_",
        "`raw`",
        "#{ panic(\"x\") }",
        "\\u{41}",
        "https://x.example/a",
        "1. enum",
        "[unclosed",
        "\"quoted\" 'single'",
    ] {
        let (b, text) = build_value(value);
        assert!(
            squeeze(&text).contains(&squeeze(value)),
            "{value:?} not literal in PDF text"
        );
        assert!(!text.contains("root:x:0:0"), "file contents leaked");
        let title = info_string(&lopdf::Document::load_mem(&b.pdf).unwrap(), b"Title");
        assert!(title.ends_with(value), "{value:?} not literal in the title: {title:?}");
    }
}

proptest! {
    // A fixed seed keeps CI repeatable; the fuzz targets explore further.
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: RngSeed::Fixed(0x6176_7461_6c65),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_values_reach_the_pdf_literally(value in "[ -~æøåÆØÅ§«»]{1,40}") {
        prop_assume!(!value.trim().is_empty());
        let (b, text) = build_value(&value);
        prop_assert!(squeeze(&text).contains(&squeeze(&value)), "{:?} not in text", value);
        let title = info_string(&lopdf::Document::load_mem(&b.pdf).unwrap(), b"Title");
        let one_line = value.split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert!(title.ends_with(&one_line), "{:?} not in title {:?}", value, title);
    }
}

#[test]
fn a_character_no_font_has_is_a_located_error() {
    let cat = catalogue();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.toml");
    std::fs::write(&f, with_value("Smil 😀 AS")).unwrap();
    let run = load::load(std::slice::from_ref(&f), &cat);
    let a = &run.agreements[0];
    assert!(!a.has_errors());
    match typesetter().build(&a.agreement, &cat, &|_| Vec::new()) {
        Err(BuildError::Input(d)) => {
            assert!(
                d.iter()
                    .any(|d| d.code == "unsupported-character" && d.path == "virksomhet.navn"),
                "{d:?}"
            );
            assert!(d.iter().any(|d| d.message.contains("U+1F600")));
        }
        other => panic!("expected an input error, got {:?}", other.map(|b| b.pages)),
    }
    let out = dir.path().join("out");
    let assert = common::avtale()
        .args(["build", "-o"])
        .arg(&out)
        .arg(&f)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("unsupported-character"), "{stdout}");
    assert!(!out.join("KA-2026-0021.pdf").exists(), "no PDF for a failed agreement");
}

/// Build an example with the templates in `tpl`, expecting exit 2; returns standard error.
fn failing_build_with(tpl: &Path, out: &Path) -> String {
    let assert = common::avtale()
        .args(["build", "--templates"])
        .arg(tpl)
        .arg("-o")
        .arg(out)
        .arg(root().join("agreements/nordlys-sparebank.toml"))
        .assert()
        .code(2);
    String::from_utf8_lossy(&assert.get_output().stderr).to_string()
}

#[test]
fn typst_errors_point_at_the_template_line_and_leave_no_file() {
    let tpl = template_copy();
    let main = tpl.path().join("avtale.typ.j2");
    let text = std::fs::read_to_string(&main).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("= 2 {{ t.kontaktpersoner }}"))
        .unwrap();
    lines.insert(at + 1, "#undefined-function-here()");
    std::fs::write(&main, lines.join("\n")).unwrap();

    let out = tempfile::tempdir().unwrap();
    let stderr = failing_build_with(tpl.path(), out.path());
    assert!(stderr.contains(&format!("avtale.typ.j2:{}", at + 2)), "{stderr}");
    assert!(stderr.contains("unknown variable"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no partial or temporary file left"
    );

    // An error in the plain Typst style file points at that file, line and column.
    let tpl = template_copy();
    let style = tpl.path().join("stil.typ");
    let text = std::fs::read_to_string(&style).unwrap();
    std::fs::write(&style, format!("{text}\n#let broken = (\n")).unwrap();
    let line = text.lines().count() + 2;
    let stderr = failing_build_with(tpl.path(), out.path());
    assert!(stderr.contains(&format!("stil.typ:{line}:")), "{stderr}");
}

#[test]
fn render_prints_the_typst_source_without_markers() {
    let assert = common::avtale()
        .args(["render", "--format", "typst"])
        .arg(root().join("agreements/fjordvik-kommune.toml"))
        .assert()
        .success();
    let src = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(src.contains("#import \"/stil.typ\""));
    assert!(src.contains("Fjordvik kommune"));
    assert!(!src.contains("/*@L"), "line markers are stripped");
}

#[test]
fn the_quick_start_builds_every_example() {
    let out = tempfile::tempdir().unwrap();
    common::avtale()
        .current_dir(root())
        .args(["build", "agreements", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let pdfs = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "pdf"))
        .count();
    assert_eq!(pdfs, 30, "4 single agreements and 26 segment members");
}

// ---------------------------------------------------------------------------------------
// Appendices laid out once and shared by the agreements that have the same ones

/// Every run of text on a page: where it starts (in points) and what it says, top to
/// bottom and left to right.
fn text_runs(frame: &typst::layout::Frame) -> Vec<(f64, f64, String)> {
    let mut out: Vec<(f64, f64, String)> = avtale::document::inspect::placed_text(frame)
        .into_iter()
        .map(|t| (t.start.0, t.start.1, t.text))
        .collect();
    out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)).then(a.2.cmp(&b.2)));
    out
}

/// The titles of the PDF's bookmarks, depth first.
fn outline_titles(pdf: &[u8]) -> Vec<String> {
    fn walk(doc: &lopdf::Document, first: Option<lopdf::ObjectId>, out: &mut Vec<String>) {
        let mut next = first;
        while let Some(id) = next {
            let Ok(item) = doc.get_dictionary(id) else { break };
            if let Ok(t) = item.get(b"Title") {
                out.push(lopdf::decode_text_string(t).unwrap_or_default());
            }
            walk(doc, item.get(b"First").and_then(|o| o.as_reference()).ok(), out);
            next = item.get(b"Next").and_then(|o| o.as_reference()).ok();
        }
    }
    let doc = lopdf::Document::load_mem(pdf).expect("PDF parses");
    let outlines = doc
        .catalog()
        .and_then(|c| c.get(b"Outlines"))
        .and_then(|o| o.as_reference())
        .and_then(|id| doc.get_dictionary(id))
        .expect("the PDF has bookmarks");
    let mut out = Vec::new();
    walk(
        &doc,
        outlines.get(b"First").and_then(|o| o.as_reference()).ok(),
        &mut out,
    );
    out
}

/// How many structure elements of each kind (`/S`) the PDF's tag tree has.
fn structure_kinds(pdf: &[u8]) -> std::collections::BTreeMap<String, usize> {
    let doc = lopdf::Document::load_mem(pdf).expect("PDF parses");
    let mut kinds = std::collections::BTreeMap::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        let is_elem = d
            .get(b"Type")
            .and_then(|t| t.as_name())
            .is_ok_and(|t| t == b"StructElem")
            || (d.has(b"S") && d.has(b"P"));
        if let (true, Ok(s)) = (is_elem, d.get(b"S").and_then(|s| s.as_name())) {
            *kinds.entry(String::from_utf8_lossy(s).into_owned()).or_insert(0) += 1;
        }
    }
    kinds
}

#[test]
fn shared_appendix_pages_equal_the_whole_layout() {
    let cat = catalogue();
    let shared = typesetter();
    assert!(shared.share_appendices, "the shipped templates share appendices");
    let mut whole = typesetter();
    whole.share_appendices = false;
    let run = load::load(&[root().join("agreements")], &cat);
    assert!(run.agreements.len() >= 30);
    let mut sets = std::collections::HashSet::new();
    for (i, a) in run.agreements.iter().enumerate() {
        let attach =
            |v: &avtale::document::view::View| avtale::document::provenance::attachments(a, v, &cat, &shared.settings);
        let (view, _, s_doc) = shared.document(&a.agreement, &cat, &attach).expect("shared layout");
        let (_, _, w_doc) = whole.document(&a.agreement, &cat, &attach).expect("whole layout");
        sets.insert((
            view.spraak.clone(),
            view.vedlegg
                .iter()
                .map(|v| format!("{} {} {} {:?}", v.nummer, v.fil, v.versjon, v.merknad))
                .collect::<Vec<_>>(),
        ));
        assert_eq!(s_doc.pages().len(), w_doc.pages().len(), "{}", view.id);
        // Every pixel of every page, for a sample of the agreements (drawing is slow
        // unoptimised).
        // Every run of text at the same place on the same page.
        for (n, (s, w)) in s_doc.pages().iter().zip(w_doc.pages()).enumerate() {
            let (s_runs, w_runs) = (text_runs(&s.frame), text_runs(&w.frame));
            assert_eq!(s_runs.len(), w_runs.len(), "{}: page {}", view.id, n + 1);
            for (a, b) in s_runs.iter().zip(&w_runs) {
                assert_eq!(a.2, b.2, "{}: page {}", view.id, n + 1);
                assert!(
                    (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01,
                    "{}: page {}: `{}` at {a:?} and {b:?}",
                    view.id,
                    n + 1,
                    a.2
                );
            }
        }
        // Drawn, for a sample (drawing is slow unoptimised): the same pixels, up to the
        // rounding of anti-aliasing (the appendix is drawn through one more transform).
        if i % 8 == 0 {
            for (n, (s, w)) in s_doc.pages().iter().zip(w_doc.pages()).enumerate() {
                let opts = typst_render::RenderOptions::default();
                let (s_px, w_px) = (typst_render::render(s, &opts), typst_render::render(w, &opts));
                let worst = s_px.data().iter().zip(w_px.data()).map(|(a, b)| a.abs_diff(*b)).max();
                assert!(worst <= Some(2), "{}: page {} differs by {worst:?}", view.id, n + 1);
            }
        }
        // The PDFs read the same: text, bookmarks and the tag tree's elements.
        let s_pdf = shared.build(&a.agreement, &cat, &attach).expect("shared build").pdf;
        let w_pdf = whole.build(&a.agreement, &cat, &attach).expect("whole build").pdf;
        assert_eq!(text_of(&s_pdf), text_of(&w_pdf), "{}", view.id);
        let titles = outline_titles(&s_pdf);
        assert!(titles.iter().any(|t| t.contains("Vedlegg 1")), "{titles:?}");
        assert_eq!(titles, outline_titles(&w_pdf), "{}", view.id);
        assert_eq!(structure_kinds(&s_pdf), structure_kinds(&w_pdf), "{}", view.id);
    }
    // Each set of appendices was laid out once; every other agreement reused it.
    let stats = shared.appendix_stats();
    assert_eq!(stats.whole, 0, "{stats:?}");
    assert_eq!(stats.laid_out, sets.len(), "{stats:?}");
    assert_eq!(stats.laid_out + stats.reused, 2 * run.agreements.len(), "{stats:?}");
    assert_eq!(whole.appendix_stats(), avtale::document::AppendixStats::default());
}

/// A shared appendix is valid PDF/A-3a and PDF/UA-1 on the pages of another agreement.
#[test]
fn a_reused_appendix_conforms_to_pdf_a_and_ua() {
    let built = build_all(&root().join("agreements/segment-kommuner"));
    assert!(built.len() > 2);
    for b in [&built[1], built.last().unwrap()] {
        for profile in [ValidationProfile::PdfA3a, ValidationProfile::PdfUa1] {
            let report = validate_pdf_bytes(&b.pdf, &ValidationOptions::default().profile(profile)).expect("validates");
            assert!(report.is_compliant, "{}: {profile:?}: {report}", b.view.id);
        }
    }
}

/// Agreements built one after another with the same renderer (reusing appendix pages) give
/// the same bytes as each built by a fresh renderer.
#[test]
fn a_reused_appendix_gives_the_same_bytes_as_a_fresh_one() {
    let cat = catalogue();
    let batch = typesetter();
    let run = load::load(&[root().join("agreements/segment-kommuner")], &cat);
    let build = |r: &Typesetter, a: &load::Loaded| {
        r.build(&a.agreement, &cat, &|v| {
            avtale::document::provenance::attachments(a, v, &cat, &r.settings)
        })
        .expect("builds")
        .pdf
    };
    let built: Vec<Vec<u8>> = run.agreements.iter().map(|a| build(&batch, a)).collect();
    assert!(batch.appendix_stats().reused > 0, "{:?}", batch.appendix_stats());
    for i in [1, run.agreements.len() - 1] {
        let fresh = typesetter();
        let alone = build(&fresh, &run.agreements[i]);
        assert_eq!(fresh.appendix_stats().reused, 0);
        assert!(alone == built[i], "member {i} differs when built alone");
    }
}

/// A template directory of its own: the shipped templates, changed by `edit`.
fn templates_with(edit: impl FnOnce(&Path)) -> (tempfile::TempDir, Assets, Catalogue) {
    let tpl = template_copy();
    edit(tpl.path());
    let assets = Assets::from_dir(tpl.path()).expect("template directory");
    let cat = Catalogue::load(&assets, "katalog.toml", &mut Sources::default()).expect("catalogue");
    (tpl, assets, cat)
}

fn load_text(dir: &Path, name: &str, text: &str, cat: &Catalogue) -> load::Loaded {
    let f = dir.join(name);
    std::fs::write(&f, text).expect("write");
    let mut run = load::load(std::slice::from_ref(&f), cat);
    let a = run.agreements.remove(0);
    assert!(!a.has_errors(), "{:?}", a.diags);
    a
}

/// A terms text that prints today's date is laid out again for each date: only appendices
/// that do not depend on the date are shared between agreements of different dates.
#[test]
fn date_dependent_appendices_are_not_shared_across_dates() {
    let (_tpl, assets, cat) = templates_with(|dir| {
        let f = dir.join("vilkaar/iskr-2024-09.typ");
        let old = std::fs::read_to_string(&f).expect("terms text");
        std::fs::write(&f, format!("{old}\n\nUtskrevet #datetime.today().display().\n")).expect("write");
    });
    let r = Typesetter::new(assets, &PdfSettings::default()).expect("renderer");
    let dir = tempfile::tempdir().expect("tempdir");
    let bank = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).expect("example");
    assert!(bank.contains("dato = 2026-01-20"));
    let agreements = [
        load_text(dir.path(), "a.toml", &bank, &cat),
        load_text(
            dir.path(),
            "b.toml",
            &bank.replace("dato = 2026-01-20", "dato = 2026-01-22"),
            &cat,
        ),
        load_text(
            dir.path(),
            "c.toml",
            &bank.replace("KA-2026-0021", "KA-2026-0099"),
            &cat,
        ),
    ];
    let texts: Vec<String> = agreements
        .iter()
        .map(|a| text_of(&r.build(&a.agreement, &cat, &|_| Vec::new()).expect("builds").pdf))
        .collect();
    assert!(texts[0].contains("Utskrevet 2026-01-20."), "{}", texts[0]);
    assert!(texts[1].contains("Utskrevet 2026-01-22."), "{}", texts[1]);
    assert!(!texts[1].contains("Utskrevet 2026-01-20."));
    assert!(texts[2].contains("Utskrevet 2026-01-20."));
    // Laid out for the 20th and the 22nd; the third agreement, of the 20th, reused the first.
    let stats = r.appendix_stats();
    assert_eq!((stats.laid_out, stats.reused, stats.whole), (2, 1, 0), "{stats:?}");
}

/// Build the example bank agreement `times` times with templates changed by `edit`.
fn bank_built_with(edit: impl FnOnce(&Path), times: usize) -> (Vec<Built>, avtale::document::AppendixStats) {
    let bank = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).expect("example");
    let (_tpl, assets, cat) = templates_with(edit);
    let r = Typesetter::new(assets, &PdfSettings::default()).expect("renderer");
    let dir = tempfile::tempdir().expect("tempdir");
    let a = load_text(dir.path(), "a.toml", &bank, &cat);
    let built = (0..times)
        .map(|_| {
            r.build(&a.agreement, &cat, &|_| Vec::new())
                .unwrap_or_else(|e| panic!("build: {e}"))
        })
        .collect();
    (built, r.appendix_stats())
}

/// Terms texts and templates that do not lay out apart from the agreement get the whole
/// layout, with their pages as they should be, never pages put together wrongly.
#[test]
fn appendices_that_need_the_agreement_are_laid_out_with_it() {
    // Text after the blank pages would be printed over the appendix text.
    let (built, stats) = bank_built_with(
        |dir| append(&dir.join("avtale.typ.j2"), "Sluttmerknad etter vedleggene."),
        1,
    );
    let text = text_of(&built[0].pdf);
    let end = text
        .find("Sluttmerknad etter vedleggene.")
        .expect("the closing text is there");
    assert!(
        end > text.rfind("Vedlegg 2").expect("appendices"),
        "after the appendices"
    );
    assert_eq!((stats.laid_out, stats.whole), (1, 1), "{stats:?}");

    // A landscape page in a terms text keeps its size.
    let (built, stats) = bank_built_with(
        |dir| {
            let f = dir.join("vilkaar/iskr-2024-09.typ");
            let old = std::fs::read_to_string(&f).expect("terms text");
            std::fs::write(&f, format!("{old}\n#page(flipped: true)[Liggende side]\n")).expect("write");
        },
        1,
    );
    let doc = lopdf::Document::load_mem(&built[0].pdf).expect("PDF parses");
    let landscape = doc
        .get_pages()
        .values()
        .filter(|id| {
            let media = doc
                .get_dictionary(**id)
                .and_then(|p| p.get(b"MediaBox"))
                .and_then(|m| m.as_array());
            let n = |o: &lopdf::Object| o.as_float().or_else(|_| o.as_i64().map(|i| i as f32)).unwrap_or(0.0);
            media.is_ok_and(|m| m.len() == 4 && n(&m[2]) > n(&m[3]))
        })
        .count();
    assert_eq!(landscape, 1);
    assert_eq!(stats.whole, 1, "{stats:?}");

    // A terms text that links to a label in the agreement cannot be laid out alone; it is
    // tried once, then such agreements go straight to the whole layout.
    let (built, stats) = bank_built_with(
        |dir| {
            let f = dir.join("vilkaar/iskr-2024-09.typ");
            let old = std::fs::read_to_string(&f).expect("terms text");
            std::fs::write(&f, format!("{old}\nSe #link(<signatar-1>)[signaturen].\n")).expect("write");
        },
        2,
    );
    let text = text_of(&built[1].pdf);
    let at = text.find("Se sign").expect("the sentence is there");
    assert!(text[at..].starts_with("Se signaturen"), "{}", &text[at..at + 60]);
    assert_eq!((stats.laid_out, stats.reused, stats.whole), (0, 0, 2), "{stats:?}");
}

/// Template directories without `vedlegg.typ.j2` lay out each agreement whole, and a main
/// template that puts pages after the appendices gets the whole layout too, not a wrong
/// document.
#[test]
fn templates_that_cannot_share_appendices_lay_out_whole() {
    let bank = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).expect("example");
    let reference = {
        let cat = catalogue();
        let dir = tempfile::tempdir().expect("tempdir");
        let a = load_text(dir.path(), "a.toml", &bank, &cat);
        text_of(
            &typesetter()
                .build(&a.agreement, &cat, &|_| Vec::new())
                .expect("builds")
                .pdf,
        )
    };

    let (_tpl, assets, cat) = templates_with(|dir| {
        std::fs::remove_file(dir.join("vedlegg.typ.j2")).expect("remove");
    });
    let r = Typesetter::new(assets, &PdfSettings::default()).expect("renderer");
    assert!(!r.share_appendices);
    let dir = tempfile::tempdir().expect("tempdir");
    let a = load_text(dir.path(), "a.toml", &bank, &cat);
    let text = text_of(&r.build(&a.agreement, &cat, &|_| Vec::new()).expect("builds").pdf);
    assert_eq!(text, reference);
    assert_eq!(r.appendix_stats(), avtale::document::AppendixStats::default());

    let (_tpl, assets, cat) = templates_with(|dir| {
        append(&dir.join("avtale.typ.j2"), "#pagebreak()\nSluttside etter vedleggene.");
    });
    let r = Typesetter::new(assets, &PdfSettings::default()).expect("renderer");
    let a = load_text(dir.path(), "b.toml", &bank, &cat);
    let b = r.build(&a.agreement, &cat, &|_| Vec::new()).expect("builds");
    let text = text_of(&b.pdf);
    let last_terms = text.rfind("Vedlegg 2").expect("the appendices are there");
    let end = text
        .find("Sluttside etter vedleggene.")
        .expect("the last page is there");
    assert!(end > last_terms, "the closing page comes after the appendices");
    assert_eq!(r.appendix_stats().whole, 1, "{:?}", r.appendix_stats());
}
