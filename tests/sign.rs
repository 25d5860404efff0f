//! Signable and verifiable: signature fields over the boxes, the source attached and
//! extracted byte for byte, verify on fresh, edited and damaged PDFs, preflight, and the
//! refusal to overwrite a signed PDF.

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use serde_json::Value;

mod common;
use common::{avtale, root};

fn build(file: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    avtale()
        .args(["build", "--quiet", "-o"])
        .arg(out)
        .args(extra)
        .arg(file)
        .assert()
        .success();
    let id = match file.file_name().unwrap().to_str().unwrap() {
        "nordlys-sparebank.toml" => "KA-2026-0021",
        "fjordvik-kommune.toml" => "KA-2026-0012",
        other => panic!("no id known for {other}"),
    };
    out.join(format!("{id}.pdf"))
}

struct FieldInfo {
    name: String,
    page: u32,
    rect: Vec<f32>,
    flags: i64,
    has_appearance: bool,
}

fn fields(doc: &Document) -> Vec<FieldInfo> {
    let pages = doc.get_pages();
    let form = doc.catalog().unwrap().get(b"AcroForm").unwrap();
    let form = doc.dereference(form).unwrap().1.as_dict().unwrap();
    let list = form.get(b"Fields").unwrap().as_array().unwrap();
    list.iter()
        .map(|f| {
            let d = doc.dereference(f).unwrap().1.as_dict().unwrap();
            assert_eq!(d.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
            let page_ref = d.get(b"P").unwrap().as_reference().unwrap();
            FieldInfo {
                name: lopdf::decode_text_string(d.get(b"T").unwrap()).unwrap(),
                page: *pages.iter().find(|(_, id)| **id == page_ref).unwrap().0,
                rect: d
                    .get(b"Rect")
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_float().unwrap())
                    .collect(),
                flags: d.get(b"F").unwrap().as_i64().unwrap(),
                has_appearance: d.get(b"AP").is_ok(),
            }
        })
        .collect()
}

#[test]
fn one_field_per_signatory_over_its_box() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(&root().join("agreements/nordlys-sparebank.toml"), out.path(), &[]);
    let doc = Document::load(&pdf).unwrap();
    let f = fields(&doc);
    assert_eq!(
        f.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["signatar-1", "signatar-2"]
    );
    let text_width = 595.28 - 2.0 * 2.3 / 2.54 * 72.0;
    let box_height = 2.2 / 2.54 * 72.0;
    for x in &f {
        assert_eq!(x.flags & 4, 4, "print flag");
        assert!(x.has_appearance, "appearance stream");
        let (w, h) = (x.rect[2] - x.rect[0], x.rect[3] - x.rect[1]);
        assert!(
            (w - text_width as f32).abs() < 1.0,
            "field width {w} = text width {text_width}"
        );
        assert!(
            (h - box_height as f32).abs() < 0.5,
            "field height {h} = box height {box_height}"
        );
        assert!(
            (x.rect[0] - (2.3 / 2.54 * 72.0) as f32).abs() < 1.0,
            "starts at the left margin"
        );
        assert!(
            x.rect[1] > 70.0 && x.rect[3] < 780.0,
            "inside the page's text area: {:?}",
            x.rect
        );
        // The page of the field is the page that shows its signatory's block.
        let text = doc.extract_text(&[x.page]).unwrap();
        let n = x.name.trim_start_matches("signatar-");
        assert!(
            text.contains(&format!("Signatar {n}")),
            "page {} shows signatory {n}",
            x.page
        );
    }
    assert!(
        f[1].rect[3] < f[0].rect[1] || f[1].page > f[0].page,
        "the second box is below the first"
    );

    // Each field is a Form structure element (PDF/UA) pointing at its widget.
    let forms = doc
        .objects
        .values()
        .filter(|o| matches!(o, Object::Dictionary(d) if matches!(d.get(b"S"), Ok(Object::Name(n)) if n == b"Form")))
        .count();
    assert_eq!(forms, 2);
}

#[test]
fn fields_can_be_left_out() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(
        &root().join("agreements/nordlys-sparebank.toml"),
        out.path(),
        &["--no-signature-fields"],
    );
    let doc = Document::load(&pdf).unwrap();
    assert!(doc.catalog().unwrap().get(b"AcroForm").is_err());
}

#[test]
fn extract_round_trips_the_source_exactly() {
    let out = tempfile::tempdir().unwrap();
    let src = root().join("agreements/fjordvik-kommune.toml");
    let pdf = build(&src, out.path(), &[]);
    let dir = out.path().join("extracted");
    avtale().args(["extract", "-o"]).arg(&dir).arg(&pdf).assert().success();
    assert_eq!(
        std::fs::read(dir.join("fjordvik-kommune.toml")).unwrap(),
        std::fs::read(&src).unwrap()
    );
    let m: Value = serde_json::from_slice(&std::fs::read(dir.join("avtale-manifest.json")).unwrap()).unwrap();
    assert_eq!(m["agreement_id"], "KA-2026-0012");
    assert_eq!(m["fingerprint"].as_str().unwrap().len(), 64);
    assert!(
        m["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "iskr" && t["versjon"] == "2024-09")
    );
    assert!(m["tool_version"].is_string() && m["catalogue_version"].is_string());

    // Segment members carry the segment file and the member CSV.
    let seg_out = out.path().join("seg");
    avtale()
        .args(["build", "--quiet", "-o"])
        .arg(&seg_out)
        .arg(root().join("agreements/segment-kommuner/kommuner.toml"))
        .assert()
        .success();
    let dir2 = out.path().join("extracted2");
    avtale()
        .args(["extract", "-o"])
        .arg(&dir2)
        .arg(seg_out.join("KA-2026-S002.pdf"))
        .assert()
        .success();
    for f in ["kommuner.toml", "kommuner.csv"] {
        assert_eq!(
            std::fs::read(dir2.join(f)).unwrap(),
            std::fs::read(root().join("agreements/segment-kommuner").join(f)).unwrap()
        );
    }

    // Without attachments there is nothing to extract, and the PDF is PDF/A-2a.
    let plain = build(&src, &out.path().join("plain"), &["--no-attachments"]);
    avtale()
        .args(["extract", "-o"])
        .arg(out.path().join("x"))
        .arg(&plain)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&std::fs::read(&plain).unwrap()).contains("<pdfaid:part>2</pdfaid:part>"));
}

fn verify_json(args: &[&std::ffi::OsStr]) -> (i32, Value) {
    let out = avtale()
        .arg("verify")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

fn check<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {v}"))
}

#[test]
fn verify_passes_on_a_fresh_build_and_fails_on_edits_and_damage() {
    let out = tempfile::tempdir().unwrap();
    let src = root().join("agreements/nordlys-sparebank.toml");
    let pdf = build(&src, out.path(), &[]);

    let (code, v) = verify_json(&[pdf.as_os_str(), "--preflight".as_ref(), "posten".as_ref()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["ok"], true);
    for c in [
        "fingerprint",
        "terms-texts",
        "content",
        "pdf-version",
        "size",
        "a4-portrait",
        "no-encryption",
    ] {
        assert_eq!(check(&v, c)["ok"], true, "{c}: {v}");
    }
    for c in ["no-javascript", "fonts-embedded", "pdfa-identification"] {
        assert_eq!(check(&v, c)["ok"], true, "{c}: {v}");
    }
    let terms: Vec<String> = v["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| format!("{}@{}", t["id"].as_str().unwrap(), t["versjon"].as_str().unwrap()))
        .collect();
    assert_eq!(terms, ["iskr@2024-09", "delingsvilkaar@2022-05"]);
    let fields = v["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2);
    assert!(fields.iter().all(|f| f["signed"] == false));

    // The same check against the agreement file named on the command line.
    let (code, v) = verify_json(&[pdf.as_os_str(), "--agreement".as_ref(), src.as_os_str()]);
    assert_eq!(code, 0, "{v}");

    // An edited agreement did not make this PDF.
    let edited = out.path().join("edited.toml");
    let text = std::fs::read_to_string(&src)
        .unwrap()
        .replace("Storgata 14", "Storgata 16");
    std::fs::write(&edited, text).unwrap();
    let (code, v) = verify_json(&[pdf.as_os_str(), "--agreement".as_ref(), edited.as_os_str()]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check(&v, "fingerprint")["ok"], false);
    assert_eq!(check(&v, "content")["ok"], false);

    // One byte changed inside the first page's content stream.
    let mut bytes = std::fs::read(&pdf).unwrap();
    let at = bytes.windows(7).position(|w| w == b"stream\n").expect("a stream") + 40;
    bytes[at] ^= 0x01;
    let damaged = out.path().join("damaged.pdf");
    std::fs::write(&damaged, &bytes).unwrap();
    let (code, v) = verify_json(&[damaged.as_os_str()]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check(&v, "content")["ok"], false);
}

#[test]
fn preflight_reports_what_an_e_signing_service_would_refuse() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(
        &root().join("agreements/nordlys-sparebank.toml"),
        out.path(),
        &["--pdf-standard", "2.0", "--no-attachments"],
    );
    // Without a source, only the preflight is checked.
    let (code, v) = verify_json(&[pdf.as_os_str(), "--preflight".as_ref(), "posten".as_ref()]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check(&v, "pdf-version")["ok"], false, "PDF 2.0 is over the limit");
    assert_eq!(check(&v, "size")["ok"], true);
    assert!(v["checks"].as_array().unwrap().iter().all(|c| c["name"] != "content"));
    let src = root().join("agreements/nordlys-sparebank.toml");
    let (code, v) = verify_json(&[
        pdf.as_os_str(),
        "--preflight".as_ref(),
        "posten".as_ref(),
        "--agreement".as_ref(),
        src.as_os_str(),
    ]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check(&v, "pdf-version")["ok"], false, "PDF 2.0 is over the limit");
    assert_eq!(check(&v, "pdfa-identification")["ok"], false);
    assert_eq!(
        check(&v, "content")["ok"],
        true,
        "still exactly what the agreement makes"
    );
}

#[test]
fn a_signed_pdf_is_not_overwritten_without_force() {
    let out = tempfile::tempdir().unwrap();
    let src = root().join("agreements/nordlys-sparebank.toml");
    let pdf = build(&src, out.path(), &[]);
    // An unsigned draft is replaced.
    avtale()
        .args(["build", "--quiet", "--force", "-o"])
        .arg(out.path())
        .arg(&src)
        .assert()
        .success();
    // Simulate a signature: an incremental update with a signature dictionary's byte range.
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"% signature update\n/ByteRange [0 100 200 300]\n%%EOF\n");
    std::fs::write(&pdf, &bytes).unwrap();
    // The same agreement: the signed PDF counts as up to date.
    let same = avtale()
        .args(["build", "-o"])
        .arg(out.path())
        .arg(&src)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&same.get_output().stderr).contains("up to date 1"));
    let edited = out.path().join("edited.toml");
    std::fs::write(
        &edited,
        std::fs::read_to_string(&src)
            .unwrap()
            .replace("Storgata 14", "Storgata 16"),
    )
    .unwrap();
    let refused = avtale()
        .args(["build", "-o"])
        .arg(out.path())
        .arg(&edited)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        stderr.contains("KA-2026-0021.pdf") && stderr.contains("digital signature"),
        "{stderr}"
    );
    assert!(std::fs::read(&pdf).unwrap().ends_with(b"%%EOF\n"));
    assert!(
        std::fs::read(&pdf).unwrap().windows(10).any(|w| w == b"/ByteRange"),
        "the signed file is untouched"
    );
    avtale()
        .args(["build", "--force", "-o"])
        .arg(out.path())
        .arg(&edited)
        .assert()
        .success();
    assert!(
        !std::fs::read(&pdf).unwrap().windows(10).any(|w| w == b"/ByteRange"),
        "--force replaces it"
    );
}

#[test]
fn an_update_after_the_build_that_no_signature_covers_fails_verify() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(&root().join("agreements/nordlys-sparebank.toml"), out.path(), &[]);
    let mut bytes = std::fs::read(&pdf).unwrap();
    // An incremental update that would change what a page shows, with no signature.
    bytes.extend_from_slice(b"999 0 obj\n<< /Length 0 >>\nstream\n\nendstream\nendobj\n%%EOF\n");
    let edited = out.path().join("updated.pdf");
    std::fs::write(&edited, &bytes).unwrap();
    let (code, v) = verify_json(&[edited.as_os_str()]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check(&v, "content")["ok"], false);
    assert!(
        check(&v, "content")["detail"]
            .as_str()
            .unwrap()
            .contains("outside any signature")
    );
}

#[test]
fn extract_never_overwrites_without_force() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(&root().join("agreements/nordlys-sparebank.toml"), out.path(), &[]);
    let dir = out.path().join("x");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("nordlys-sparebank.toml"), "mine").unwrap();
    avtale().args(["extract", "-o"]).arg(&dir).arg(&pdf).assert().code(2);
    assert_eq!(
        std::fs::read_to_string(dir.join("nordlys-sparebank.toml")).unwrap(),
        "mine"
    );
    avtale()
        .args(["extract", "--force", "-o"])
        .arg(&dir)
        .arg(&pdf)
        .assert()
        .success();
    assert_ne!(
        std::fs::read_to_string(dir.join("nordlys-sparebank.toml")).unwrap(),
        "mine"
    );
}
