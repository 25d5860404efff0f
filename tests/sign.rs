//! Signable and verifiable: signature fields over the boxes, the source attached and
//! extracted byte for byte, verify on fresh, edited and damaged PDFs, preflight, and the
//! refusal to overwrite a signed PDF.

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use serde_json::Value;

mod common;

use common::{avtale, root, sign};

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

/// The fixture certificates and keys of the signature tests (see tests/fixtures/signature/make.sh).
fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/signature").join(name)
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

/// The agreement in `src` with another address, written into `dir`: the same id, another PDF.
fn edited_copy(src: &Path, dir: &Path) -> PathBuf {
    let edited = dir.join("edited.toml");
    let text = std::fs::read_to_string(src)
        .unwrap()
        .replace("Storgata 14", "Storgata 16");
    std::fs::write(&edited, text).unwrap();
    edited
}

#[test]
fn a_signed_pdf_is_not_overwritten_without_force() {
    let out = tempfile::tempdir().unwrap();
    let src = root().join("agreements/nordlys-sparebank.toml");
    let pdf = build(&src, out.path(), &[]);
    // A real signature, made by `avtale sign`, put in the built PDF's place.
    let signed = out.path().join("signed.pdf");
    sign(&pdf, "signatar-1", &signed).success();
    std::fs::rename(&signed, &pdf).unwrap();
    let signed_bytes = std::fs::read(&pdf).unwrap();
    // The same agreement: the signed PDF counts as up to date.
    let same = avtale()
        .args(["build", "-o"])
        .arg(out.path())
        .arg(&src)
        .assert()
        .success();
    assert!(stderr_of(&same).contains("up to date 1"));
    let edited = edited_copy(&src, out.path());
    let refused = avtale()
        .args(["build", "-o"])
        .arg(out.path())
        .arg(&edited)
        .assert()
        .code(1);
    let stderr = stderr_of(&refused);
    assert!(
        stderr.contains("KA-2026-0021.pdf") && stderr.contains("digital signature"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        signed_bytes,
        "the signed file is untouched"
    );
    avtale()
        .args(["build", "--force", "-o"])
        .arg(out.path())
        .arg(&edited)
        .assert()
        .success();
    assert_ne!(std::fs::read(&pdf).unwrap(), signed_bytes, "--force replaces it");
}

#[test]
fn bytes_that_spell_a_byte_range_are_not_a_signature() {
    let out = tempfile::tempdir().unwrap();
    let src = root().join("agreements/nordlys-sparebank.toml");
    let pdf = build(&src, out.path(), &[]);
    // A comment and a string holding `/ByteRange`, as an update: no signature field is filled.
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"% /ByteRange [0 100 200 300]\n(/ByteRange [0 1 2 3])\n%%EOF\n");
    std::fs::write(&pdf, &bytes).unwrap();
    let edited = edited_copy(&src, out.path());
    avtale()
        .args(["build", "--quiet", "-o"])
        .arg(out.path())
        .arg(&edited)
        .assert()
        .success();
    assert_ne!(std::fs::read(&pdf).unwrap(), bytes, "an unsigned file is replaced");
}

#[test]
fn signed_with_avtale_sign_verifies_only_with_a_trust_anchor() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(&root().join("agreements/nordlys-sparebank.toml"), out.path(), &[]);
    let one = out.path().join("one.pdf");
    let a = sign(&pdf, "signatar-1", &one).success();
    assert!(stderr_of(&a).contains("CN=Test Signatar RSA"), "{}", stderr_of(&a));
    let signed = std::fs::read(&one).unwrap();
    assert!(
        signed.starts_with(&std::fs::read(&pdf).unwrap()),
        "an incremental update"
    );
    // Still PDF/A-3a: the update keeps the identification and adds nothing PDF/A forbids.
    let report = page_validation::validate_pdf_bytes(
        &signed,
        &page_validation::ValidationOptions::default().profile(page_validation::ValidationProfile::PdfA3a),
    )
    .unwrap();
    assert!(report.is_compliant, "{report}");

    let trusted = avtale()
        .args(["verify", "--trust"])
        .arg(fixture("ca.pem"))
        .arg(&one)
        .assert()
        .success();
    let text = stdout_of(&trusted);
    assert!(
        text.contains("field signatar-1 on page")
            && text.contains("signed by CN=Test Signatar RSA,O=avtale test,C=NO (valid, trusted)"),
        "{text}"
    );
    assert!(
        text.contains("field signatar-2") && text.contains("not signed"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("\nverified"), "{text}");

    let untrusted = avtale().arg("verify").arg(&one).assert().code(1);
    let text = stdout_of(&untrusted);
    assert!(text.contains("NOT trusted") && !text.contains(": signed by"), "{text}");
    assert!(text.trim_end().ends_with("NOT verified"), "{text}");

    // A second signature over the first; both trusted, the first covering its revision.
    let two = out.path().join("two.pdf");
    sign(&one, "signatar-2", &two).success();
    let (code, v) = verify_json(&["--trust".as_ref(), fixture("ca.pem").as_os_str(), two.as_os_str()]);
    assert_eq!(code, 0, "{v}");
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(
        sigs.iter()
            .all(|s| s["intact"] == true && s["valid"] == true && s["trusted"] == true),
        "{v}"
    );
    assert_eq!(v["modifications_allowed"], true);
}

#[test]
fn sign_refuses_what_it_must_not_sign_and_never_writes_over_its_input() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(&root().join("agreements/nordlys-sparebank.toml"), out.path(), &[]);
    let before = std::fs::read(&pdf).unwrap();
    let target = out.path().join("s.pdf");
    let e = sign(&pdf, "signatar-9", &target).code(2);
    assert!(stderr_of(&e).contains("no field named signatar-9"), "{}", stderr_of(&e));
    let e = sign(&pdf, "signatar-1", &pdf).code(2);
    assert!(stderr_of(&e).contains("is the input"), "{}", stderr_of(&e));
    std::fs::write(&target, b"mine").unwrap();
    let e = sign(&pdf, "signatar-1", &target).code(2);
    assert!(stderr_of(&e).contains("exists"), "{}", stderr_of(&e));
    assert_eq!(std::fs::read(&target).unwrap(), b"mine");
    std::fs::remove_file(&target).unwrap();
    let damaged = out.path().join("damaged.pdf");
    std::fs::write(&damaged, &before[..before.len() / 2]).unwrap();
    let e = sign(&damaged, "signatar-1", &target).code(2);
    assert!(stderr_of(&e).contains("cannot be read as a PDF"), "{}", stderr_of(&e));
    let wrong = avtale()
        .env("AVTALE_TEST_P12", "wrong")
        .args([
            "sign",
            "--field",
            "signatar-1",
            "--password-env",
            "AVTALE_TEST_P12",
            "--p12",
        ])
        .arg(fixture("rsa-signer.p12"))
        .arg("-o")
        .arg(&target)
        .arg(&pdf)
        .assert()
        .code(2);
    assert!(stderr_of(&wrong).contains("rsa-signer.p12"), "{}", stderr_of(&wrong));
    sign(&pdf, "signatar-1", &target).success();
    let again = out.path().join("again.pdf");
    let e = sign(&target, "signatar-1", &again).code(2);
    assert!(stderr_of(&e).contains("already signed"), "{}", stderr_of(&e));
    assert!(
        !again.exists() && std::fs::read(&pdf).unwrap() == before,
        "nothing written over"
    );
}

/// The built bytes followed by an attacker's update: new text drawn on page 1 and
/// `signatar-1` filled with a signature dictionary whose contents are not a CMS signature
/// and whose byte range claims the whole file.
fn forged(built: &[u8]) -> Vec<u8> {
    use lopdf::{IncrementalDocument, Stream, dictionary};
    let mut inc = IncrementalDocument::create_from(built.to_vec(), Document::load_mem(built).unwrap());
    let prev = inc.get_prev_documents().clone();
    let page = *prev.get_pages().get(&1).unwrap();
    let field = prev
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .ok()
                .and_then(|d| d.get(b"T").ok())
                .and_then(|t| lopdf::decode_text_string(t).ok())
                .is_some_and(|t| t == "signatar-1")
        })
        .map(|(id, _)| *id)
        .unwrap();
    inc.opt_clone_object_to_new_document(page).unwrap();
    inc.opt_clone_object_to_new_document(field).unwrap();
    let doc = &mut inc.new_document;
    let text = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 400 Td (Forfalsket) Tj ET".to_vec(),
    ));
    let contents = doc
        .get_object(page)
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Contents")
        .unwrap()
        .clone();
    let mut list = match contents {
        Object::Array(a) => a,
        other => vec![other],
    };
    list.push(Object::Reference(text));
    doc.get_object_mut(page)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set("Contents", list);
    let fake: Vec<u8> = [0x30, 0x03, 0x02, 0x01, 0x01].into_iter().chain([0u8; 64]).collect();
    let big = Object::Integer(9_999_999_999);
    let sig = doc.add_object(dictionary! {
        "Type" => "Sig", "Filter" => "Adobe.PPKLite", "SubFilter" => "ETSI.CAdES.detached",
        "Name" => Object::string_literal("Forfalsket Signatar"),
        "ByteRange" => vec![big.clone(), big.clone(), big.clone(), big],
        "Contents" => Object::String(fake.clone(), lopdf::StringFormat::Hexadecimal),
    });
    doc.get_object_mut(field)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set("V", Object::Reference(sig));
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    // The byte range: everything but the contents, to the end of the file.
    let hex: String = fake.iter().map(|b| format!("{b:02x}")).collect();
    let at = out
        .windows(hex.len() + 1)
        .rposition(|w| w.eq_ignore_ascii_case(format!("<{hex}").as_bytes()))
        .unwrap();
    let end = at + hex.len() + 2;
    let placeholder = b"[9999999999 9999999999 9999999999 9999999999]";
    let p = out.windows(placeholder.len()).rposition(|w| w == placeholder).unwrap();
    let numbers = format!("[0 {at} {end} {}]", out.len() - end);
    let padded = format!("{numbers:<width$}", width = placeholder.len());
    out[p..p + placeholder.len()].copy_from_slice(padded.as_bytes());
    out
}

#[test]
fn a_forged_signature_is_not_verified() {
    let out = tempfile::tempdir().unwrap();
    let pdf = build(&root().join("agreements/nordlys-sparebank.toml"), out.path(), &[]);
    let forged_pdf = out.path().join("forged.pdf");
    std::fs::write(&forged_pdf, forged(&std::fs::read(&pdf).unwrap())).unwrap();
    let a = avtale().arg("verify").arg(&forged_pdf).assert().code(1);
    let text = stdout_of(&a);
    // The name the forger wrote is never shown as the signer; at most as an unverified claim.
    assert!(!text.contains(": signed by"), "{text}");
    assert!(
        text.contains("names the signer Forfalsket Signatar, unverified"),
        "{text}"
    );
    assert!(
        text.contains("NOT intact") && text.trim_end().ends_with("NOT verified"),
        "{text}"
    );
    let (code, v) = verify_json(&[forged_pdf.as_os_str()]);
    assert_eq!(code, 1);
    let s = &v["signatures"][0];
    assert_eq!(
        (s["intact"].clone(), s["valid"].clone(), s["trusted"].clone()),
        (false.into(), false.into(), false.into()),
        "{v}"
    );
    assert_eq!(v["modifications_allowed"], false, "{v}");
    let changes = v["revisions"].to_string();
    assert!(changes.contains("changes the content of page 1"), "{changes}");
    assert_eq!(
        check(&v, "content")["ok"],
        true,
        "the built bytes are untouched; the update is the forgery"
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
    assert_eq!(check(&v, "content")["ok"], true, "the built bytes are still there: {v}");
    assert_eq!(v["modifications_allowed"], false, "{v}");
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["ok"] == false && (c["name"] == "revisions" || c["name"] == "signatures")),
        "{v}"
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

/// A PDF with the given objects (numbered from 1, the first the catalog) and a classic
/// cross-reference table.
fn pdf_with(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn an_attachment_that_inflates_without_end_is_refused_not_written() {
    use std::io::Write;
    // 1 GiB of zeros, compressed to about a megabyte.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        z.write_all(&chunk).unwrap();
    }
    let data = z.finish().unwrap();
    let mut stream = format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", data.len()).into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    let pdf = pdf_with(&[
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a.toml) 4 0 R] >> >> >>".to_vec(),
        b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
        stream,
        b"<< /Type /Filespec /F (a.toml) /EF << /F 3 0 R >> >>".to_vec(),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bomb.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = dir.path().join("x");
    for args in [vec!["extract", "-o", out.to_str().unwrap()], vec!["verify"]] {
        let a = avtale().args(&args).arg(&file).assert().code(2);
        let err = stderr_of(&a);
        assert!(err.contains("cannot be decompressed within 80 MiB"), "{args:?}: {err}");
    }
    assert!(!out.join("a.toml").exists(), "nothing is written");
}

#[test]
fn hostile_pdf_structures_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "deep",
            pdf_with(&[format!("<< /Type /Catalog /X {deep} >>").into_bytes()]),
        ),
        ("garbage", b"%PDF-1.7\n\x00\xff garbage".to_vec()),
        ("empty", Vec::new()),
        (
            "kids-loop",
            pdf_with(&[
                b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>".to_vec(),
                b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
                b"<< /FT /Sig /T (signatar-1) /Kids [3 0 R] /V << /ByteRange [0 1 2 3] /Contents <00> >> >>".to_vec(),
            ]),
        ),
    ];
    for (name, bytes) in cases {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        for cmd in ["verify", "extract"] {
            let out = avtale().arg(cmd).arg(&file).current_dir(dir.path()).output().unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(1 | 2)),
                "{name} {cmd}: {code:?} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains("panicked"),
                "{name} {cmd}"
            );
        }
    }
}
