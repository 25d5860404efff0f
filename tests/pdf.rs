//! The PDF pipeline, tested by reading the PDFs back: text, metadata, page geometry,
//! conformance, determinism, escaping of hostile values, and failure without leftovers.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use avtale::assets::Assets;
use avtale::catalog::Catalogue;
use avtale::diag::Sources;
use avtale::load;
use avtale::pdf::{BuildError, Built, PdfSettings, Renderer};
use page_validation::{ValidationOptions, ValidationProfile, validate_pdf_bytes};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalogue() -> Catalogue {
    Catalogue::load(&Assets::Embedded, "katalog.toml", &mut Sources::default()).expect("shipped catalogue loads")
}

fn renderer() -> Renderer {
    Renderer::new(Assets::Embedded, &PdfSettings::default()).expect("default standards combine")
}

/// Build every agreement in `path` through the library.
fn build_all(path: &Path) -> Vec<Built> {
    let cat = catalogue();
    let r = renderer();
    let run = load::load(&[path.to_path_buf()], &cat);
    assert!(run.tool_errors.is_empty(), "{:?}", run.tool_errors);
    run.agreements
        .iter()
        .map(|a| {
            assert!(!a.has_errors(), "{:?}", a.diags);
            r.build(&a.agreement, &cat, &|v| {
                avtale::provenance::attachments(a, v, &cat, &r.settings)
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

/// Extracted text with whitespace collapsed and hyphenation at line ends undone.
fn text_of(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).expect("text extracts");
    let joined = raw.replace("-\n", "");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
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
    assert!(!text.contains("UTKAST"), "no watermark unless the status is utkast");
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
        Command::cargo_bin("avtale")
            .unwrap()
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
    match renderer().build(&a.agreement, &cat, &|_| Vec::new()) {
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
    let assert = Command::cargo_bin("avtale")
        .unwrap()
        .args(["build", "-o"])
        .arg(&out)
        .arg(&f)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("unsupported-character"), "{stdout}");
    assert!(!out.join("KA-2026-0021.pdf").exists(), "no PDF for a failed agreement");
}

/// A copy of the shipped templates in a temporary directory.
fn template_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = StdCommand::new("cp")
        .arg("-r")
        .arg(root().join("templates/."))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// Build an example with the templates in `tpl`, expecting exit 2; returns standard error.
fn failing_build_with(tpl: &Path, out: &Path) -> String {
    let assert = Command::cargo_bin("avtale")
        .unwrap()
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
    let assert = Command::cargo_bin("avtale")
        .unwrap()
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
    Command::cargo_bin("avtale")
        .unwrap()
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
