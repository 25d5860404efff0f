//! Unit tests: signing round trips, byte-range rules, CMS checks, trust and revision analysis.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetString;
use der::{Decode, Encode};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/signature/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn der_of(pem_name: &str) -> Vec<u8> {
    let pem = fixture(pem_name);
    let (_, der) = der::pem::decode_vec(&pem).expect("PEM");
    der
}

fn signer(name: &str) -> Signer {
    let certs = vec![der_of(&format!("{name}.pem")), der_of("ca.pem"), der_of("int-ca.pem")];
    Signer::from_pkcs8(&der_of(&format!("{name}.key")), &certs).expect("signer")
}

fn trust(names: &[&str]) -> TrustStore {
    let mut store = TrustStore::new();
    for n in names {
        store.add_pem_or_der(&fixture(n)).expect("trust");
    }
    store
}

/// A day after the fixtures were made: inside every fixture certificate's validity.
fn at() -> SystemTime {
    let cert = x509_cert::Certificate::from_der(&der_of("rsa-signer.pem")).expect("cert");
    let from = u64::try_from(trust::validity(&cert).0).expect("after 1970");
    UNIX_EPOCH + Duration::from_secs(from + 86_400)
}

fn sig_field(doc: &mut Document, name: &str, page: ObjectId) -> ObjectId {
    doc.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Sig", "F" => 4,
        "T" => Object::string_literal(name), "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
        "P" => Object::Reference(page),
    })
}

/// A one-page PDF with signature fields signatar-1, signatar-2 and a text field.
fn sample_pdf(xref_stream: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(Dictionary::new(), b"BT ET".to_vec()));
    let page_id = doc.new_object_id();
    let f1 = sig_field(&mut doc, "signatar-1", page_id);
    let f2 = sig_field(&mut doc, "signatar-2", page_id);
    let text = doc.add_object(dictionary! { "FT" => "Tx", "T" => Object::string_literal("name") });
    let page = dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Annots" => vec![f1.into(), f2.into()],
    };
    doc.objects.insert(page_id, Object::Dictionary(page));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
    );
    let acroform = doc.add_object(dictionary! { "Fields" => vec![f1.into(), f2.into(), text.into()] });
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id, "AcroForm" => acroform });
    doc.trailer.set("Root", catalog);
    if !xref_stream {
        doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    }
    let mut out = Vec::new();
    let options = lopdf::SaveOptions::builder()
        .use_xref_streams(xref_stream)
        .use_object_streams(false)
        .build();
    doc.save_with_options(&mut out, options).expect("save");
    out
}

/// Appends an incremental update (classic xref table) that writes `objects`.
fn append_update(bytes: &[u8], objects: &[(ObjectId, Object)]) -> Vec<u8> {
    let doc = Document::load_mem(bytes).expect("load");
    let startxref = revisions::markers(bytes)
        .expect("markers")
        .last()
        .expect("marker")
        .startxref;
    let mut out = bytes.to_vec();
    let mut entries = Vec::new();
    for (id, obj) in objects {
        entries.push((*id, out.len()));
        sign::write_object(&mut out, *id, obj).expect("write");
    }
    entries.sort();
    let size = objects
        .iter()
        .map(|(id, _)| id.0 + 1)
        .max()
        .unwrap_or(0)
        .max(doc.max_id + 1);
    sign::write_xref_table(&mut out, &entries, &sign::trailer_for(&doc, size, startxref)).expect("xref");
    out
}

fn signed_once(xref_stream: bool) -> Vec<u8> {
    sign(&sample_pdf(xref_stream), "signatar-1", &signer("rsa-signer"), at()).expect("sign")
}

fn check(bytes: &[u8], anchors: &[&str]) -> Report {
    analyse(bytes, None, &trust(anchors), at()).expect("analyse")
}

fn page_of(doc: &Document) -> (ObjectId, Dictionary) {
    let id = *doc.get_pages().get(&1).expect("page 1");
    (id, doc.get_dictionary(id).expect("page").clone())
}

/// The byte range of the first signature.
fn byte_range(bytes: &[u8]) -> Vec<i64> {
    let doc = Document::load_mem(bytes).expect("load");
    let sig = fields::signature_fields(&doc)
        .into_iter()
        .find_map(|f| f.value)
        .expect("signed");
    sig.byte_range.expect("byte range")
}

/// Rewrites the first signature's CMS with `edit`, keeping the /Contents length.
fn edit_cms(bytes: &[u8], edit: impl FnOnce(&mut SignedData)) -> Vec<u8> {
    let br = byte_range(bytes);
    let (a, b) = (usize::try_from(br[1]).expect("a"), usize::try_from(br[2]).expect("b"));
    let hole = &bytes[a + 1..b - 1];
    let raw: Vec<u8> = hole
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("hex"), 16).expect("hex"))
        .collect();
    let len = der_walk::tlv(&raw).expect("tlv").end;
    let ci = ContentInfo::from_der(&raw[..len]).expect("ci");
    let mut sd: SignedData = ci.content.decode_as().expect("sd");
    edit(&mut sd);
    let ci = ContentInfo {
        content_type: ci.content_type,
        content: der::asn1::Any::encode_from(&sd).expect("any"),
    };
    let mut hex: String = ci.to_der().expect("der").iter().map(|b| format!("{b:02x}")).collect();
    assert!(hex.len() <= hole.len());
    hex.push_str(&"0".repeat(hole.len() - hex.len()));
    let mut out = bytes.to_vec();
    out[a + 1..b - 1].copy_from_slice(hex.as_bytes());
    out
}

#[test]
fn signs_and_validates_rsa_then_ecdsa() {
    let once = signed_once(false);
    let report = check(&once, &["ca.pem"]);
    let sig = &report.signatures[0];
    assert!(sig.intact && sig.valid && sig.trusted, "{report:#?}");
    assert_eq!(sig.signer.as_deref(), Some("CN=Test Signatar RSA,O=avtale test,C=NO"));
    assert!(sig.covers_whole_file && report.modifications_allowed, "{report:#?}");
    assert_eq!(sig.page, Some(1));
    assert_eq!(report.revisions[1].kind, RevisionKind::Signature);
    let twice = sign(&once, "signatar-2", &signer("ec-signer"), at()).expect("sign");
    assert!(twice.starts_with(&once));
    let report = check(&twice, &["ca.pem"]);
    assert_eq!(report.signatures.len(), 2);
    assert!(report.signatures.iter().all(|s| s.trusted), "{report:#?}");
    assert!(!report.signatures[0].covers_whole_file && report.signatures[1].covers_whole_file);
    assert!(report.modifications_allowed, "{report:#?}");
    assert!(is_signed(&twice) && !is_signed(&sample_pdf(false)));
}

#[test]
fn signs_xref_stream_files_with_p384_and_intermediate() {
    let once = sign(&sample_pdf(true), "signatar-1", &signer("ec384-signer"), at()).expect("sign");
    let twice = sign(&once, "signatar-2", &signer("int-signer"), at()).expect("sign");
    let report = check(&twice, &["ca.pem"]);
    assert!(
        report.signatures.iter().all(|s| s.trusted) && report.modifications_allowed,
        "{report:#?}"
    );
    let tail = &twice[once.len()..];
    assert!(
        !tail.windows(6).any(|w| w == b"\nxref\n"),
        "an xref stream, not a table"
    );
    assert!(sample_pdf(true).windows(6).all(|w| w != b"\nxref\n"));
    let classic = signed_once(false);
    assert!(
        classic[sample_pdf(false).len()..].windows(6).any(|w| w == b"\nxref\n"),
        "a table"
    );
}

#[test]
fn refuses_what_it_cannot_sign() {
    let s = signer("rsa-signer");
    let pdf = sample_pdf(false);
    assert_eq!(sign(&pdf, "nope", &s, at()), Err(SignError::NoSuchField("nope".into())));
    assert_eq!(
        sign(&pdf, "name", &s, at()),
        Err(SignError::NotASignatureField("name".into()))
    );
    let once = signed_once(false);
    assert_eq!(
        sign(&once, "signatar-1", &s, at()),
        Err(SignError::AlreadySigned("signatar-1".into()))
    );
    assert!(matches!(
        sign(&pdf[..pdf.len() / 2], "signatar-1", &s, at()),
        Err(SignError::Unreadable(_))
    ));
    assert!(matches!(
        sign(b"not a pdf", "signatar-1", &s, at()),
        Err(SignError::Unreadable(_))
    ));
}

#[test]
fn reads_pkcs12_files() {
    let s = Signer::from_p12(&fixture("rsa-signer.p12"), "test").expect("p12");
    assert_eq!(s.subject(), "CN=Test Signatar RSA,O=avtale test,C=NO");
    assert!(Signer::from_p12(&fixture("rsa-signer.p12"), "wrong").is_err());
    let legacy = Signer::from_p12(&fixture("ec-signer-legacy.p12"), "test").expect("legacy p12");
    assert_eq!(legacy.subject(), "CN=Test Signatar P-256,O=avtale test,C=NO");
}

fn with_range(bytes: &[u8], a: i64, b: i64, c: i64, start: i64) -> Vec<u8> {
    let pos = bytes.windows(12).position(|w| w == b"/ByteRange [").expect("range") + 12;
    let end = pos + bytes[pos..].iter().position(|c| *c == b']').expect("]");
    let text = format!("{start} {a} {b} {c}");
    assert!(text.len() <= end - pos);
    let mut out = bytes.to_vec();
    out[pos..end].copy_from_slice(format!("{text:<w$}", w = end - pos).as_bytes());
    out
}

fn reasons(report: &Report) -> String {
    report
        .signatures
        .iter()
        .flat_map(|s| s.reasons.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn byte_range_rules() {
    let once = signed_once(false);
    let [_, a, b, c] = byte_range(&once)[..] else {
        panic!("range")
    };
    let cases = [
        (with_range(&once, a, b, c + 1, 0), "claims more than the file"),
        (with_range(&once, a, b, c, 1), "does not start at 0"),
        (with_range(&once, b, a, c, 0), "overlaps"),
        (with_range(&once, a, b, -5, 0), "negative"),
        (with_range(&once, a - 1, b, c, 0), "not the /Contents hex string"),
        (with_range(&once, a, b, c - 1, 0), "does not end where a revision ends"),
    ];
    for (bytes, why) in cases {
        let report = check(&bytes, &["ca.pem"]);
        let sig = &report.signatures[0];
        assert!(!sig.intact && !sig.valid && !sig.trusted, "{why}: {report:#?}");
        assert!(reasons(&report).contains(why), "{why}: {}", reasons(&report));
    }
}

#[test]
fn digest_mismatch_is_not_intact() {
    let mut bytes = signed_once(false);
    let pos = bytes.windows(5).position(|w| w == b"BT ET").expect("content");
    bytes[pos] = b'X';
    let report = check(&bytes, &["ca.pem"]);
    assert!(!report.signatures[0].intact, "{report:#?}");
    assert!(reasons(&report).contains("digest does not match"));
}

#[test]
fn wrong_key_is_intact_but_not_valid() {
    let s = Signer::mismatched(&der_of("self.key"), &der_of("rsa-signer.pem")).expect("signer");
    let bytes = sign(&sample_pdf(false), "signatar-1", &s, at()).expect("sign");
    let report = check(&bytes, &["ca.pem"]);
    let sig = &report.signatures[0];
    assert!(sig.intact && !sig.valid && !sig.trusted, "{report:#?}");
    assert!(reasons(&report).contains("does not verify"));
}

#[test]
fn sid_must_name_a_certificate_of_the_signature() {
    let bytes = edit_cms(&signed_once(false), |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        if let SignerIdentifier::IssuerAndSerialNumber(ias) = &mut infos[0].sid {
            ias.serial_number = x509_cert::serial_number::SerialNumber::new(&[0x42]).expect("serial");
        }
        sd.signer_infos.0 = der::asn1::SetOfVec::try_from(infos).expect("set");
    });
    let report = check(&bytes, &["ca.pem"]);
    let sig = &report.signatures[0];
    assert!(sig.intact && !sig.valid && sig.signer.is_none(), "{report:#?}");
    assert!(reasons(&report).contains("certificate that the SignerInfo names"));
}

#[test]
fn tampered_signature_value_does_not_verify() {
    let bytes = edit_cms(&signed_once(false), |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        let mut value = infos[0].signature.as_bytes().to_vec();
        value[10] ^= 1;
        infos[0].signature = OctetString::new(value).expect("octets");
        sd.signer_infos.0 = der::asn1::SetOfVec::try_from(infos).expect("set");
    });
    let report = check(&bytes, &["ca.pem"]);
    assert!(
        report.signatures[0].intact && !report.signatures[0].valid,
        "{report:#?}"
    );
}

#[test]
fn expired_certificate_is_not_valid() {
    let late = at() + Duration::from_secs(20 * 365 * 86_400);
    let bytes = sign(&sample_pdf(false), "signatar-1", &signer("rsa-signer"), late).expect("sign");
    let report = check(&bytes, &["ca.pem"]);
    let sig = &report.signatures[0];
    assert!(sig.intact && !sig.valid && !sig.trusted, "{report:#?}");
    assert!(reasons(&report).contains("the signer certificate is valid from"));
}

#[test]
fn trust_needs_an_anchor() {
    let once = signed_once(false);
    for (anchors, trusted) in [
        (&["ca.pem"][..], true),
        (&["other-ca.pem"][..], false),
        (&[][..], false),
    ] {
        let report = check(&once, anchors);
        assert_eq!(report.signatures[0].trusted, trusted, "{anchors:?}: {report:#?}");
        assert!(report.signatures[0].valid);
    }
    let self_signed = Signer::from_pkcs8(&der_of("self.key"), &[der_of("self.pem")]).expect("signer");
    let bytes = sign(&sample_pdf(false), "signatar-1", &self_signed, at()).expect("sign");
    assert!(check(&bytes, &["self.pem"]).signatures[0].trusted);
    assert!(!check(&bytes, &["ca.pem"]).signatures[0].trusted);
}

#[test]
fn chain_building() {
    let cert = |n: &str| x509_cert::Certificate::from_der(&der_of(n)).expect("cert");
    let (leaf, int, root) = (cert("int-signer.pem"), cert("int-ca.pem"), cert("ca.pem"));
    let now = trust::validity(&leaf).0 + 60;
    let anchors = trust(&["ca.pem"]);
    assert!(trust::chain_to_anchor(&leaf, std::slice::from_ref(&int), &anchors, now).is_ok());
    assert!(
        trust::chain_to_anchor(&leaf, &[], &anchors, now).is_err(),
        "intermediate missing"
    );
    assert!(trust::chain_to_anchor(&leaf, std::slice::from_ref(&int), &trust(&["other-ca.pem"]), now).is_err());
    assert!(
        trust::chain_to_anchor(&leaf, std::slice::from_ref(&int), &anchors, now + 20 * 365 * 86_400).is_err(),
        "expired"
    );
    assert!(trust::issued_by(&int, &root).is_ok() && trust::issued_by(&leaf, &root).is_err());
    // A signer certificate is not a CA: nothing may chain through it.
    let rsa = cert("rsa-signer.pem");
    assert!(trust::chain_to_anchor(&leaf, &[rsa], &anchors, now).is_err());
}

#[test]
fn is_signed_needs_a_parsed_signature() {
    let pdf = sample_pdf(false);
    let mut commented = b"%PDF-1.7\n% /ByteRange [0 1 2 3] /Contents <00>\n".to_vec();
    commented.extend_from_slice(&pdf[9..]);
    assert!(!is_signed(&commented));
    let doc = Document::load_mem(&pdf).expect("load");
    let info = (doc.max_id + 1, 0);
    let with_string = append_update(
        &pdf,
        &[(
            info,
            Object::Dictionary(dictionary! {
                "Title" => Object::string_literal("/ByteRange [0 1 2 3] /Contents <00> /Type /Sig"),
            }),
        )],
    );
    assert!(!is_signed(&with_string));
    assert!(is_signed(&signed_once(false)));
    assert!(!is_signed(b"%PDF-1.7 /ByteRange"));
}

#[test]
fn content_change_after_signing_is_not_allowed() {
    let once = signed_once(false);
    let doc = Document::load_mem(&once).expect("load");
    let (_, page) = page_of(&doc);
    let content = page.get(b"Contents").and_then(Object::as_reference).expect("contents");
    let changed = append_update(
        &once,
        &[(
            content,
            Object::Stream(Stream::new(Dictionary::new(), b"BT /F1 12 Tf ET".to_vec())),
        )],
    );
    let report = check(&changed, &["ca.pem"]);
    assert!(report.signatures[0].trusted, "the first signature itself is fine");
    assert!(!report.modifications_allowed);
    let rev = &report.revisions[2];
    assert!(!rev.allowed && rev.kind == RevisionKind::Other, "{rev:#?}");
    assert!(
        rev.changes
            .iter()
            .any(|c| c == "revision 3 changes the content of page 1"),
        "{rev:#?}"
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("revision 3 is not covered by any valid signature"))
    );
}

#[test]
fn added_annotation_after_signing_is_not_allowed() {
    let once = signed_once(true);
    let doc = Document::load_mem(&once).expect("load");
    let (page_id, mut page) = page_of(&doc);
    let annot = (doc.max_id + 1, 0);
    let mut annots = page.get(b"Annots").and_then(Object::as_array).expect("annots").clone();
    annots.push(Object::Reference(annot));
    page.set("Annots", annots);
    let text = dictionary! { "Type" => "Annot", "Subtype" => "Text", "Contents" => Object::string_literal("hi"),
    "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()] };
    let changed = append_update(
        &once,
        &[(page_id, Object::Dictionary(page)), (annot, Object::Dictionary(text))],
    );
    let report = check(&changed, &["ca.pem"]);
    let rev = &report.revisions[2];
    assert!(!rev.allowed, "{rev:#?}");
    assert!(
        rev.changes
            .iter()
            .any(|c| c == "revision 3 adds an annotation to page 1"),
        "{rev:#?}"
    );
    // Signing on top does not make it allowed.
    let signed = sign(&changed, "signatar-2", &signer("ec-signer"), at()).expect("sign");
    let report = check(&signed, &["ca.pem"]);
    assert!(
        !report.modifications_allowed && report.signatures.iter().all(|s| s.trusted),
        "{report:#?}"
    );
}

#[test]
fn redefining_an_old_object_is_a_change() {
    let once = signed_once(false);
    let doc = Document::load_mem(&once).expect("load");
    let sig_field = fields::signature_fields(&doc)
        .into_iter()
        .find(|f| f.name == "signatar-2")
        .expect("field");
    let id = sig_field.id.expect("id");
    let mut dict = doc.get_dictionary(id).expect("dict").clone();
    dict.set("Rect", vec![0.into(), 0.into(), 100.into(), 100.into()]);
    let changed = append_update(&once, &[(id, Object::Dictionary(dict))]);
    let report = check(&changed, &["ca.pem"]);
    assert!(!report.revisions[2].allowed, "{report:#?}");
    // The same body again (a new xref section pointing at an identical copy) is no change.
    let same = append_update(
        &once,
        &[(id, Object::Dictionary(doc.get_dictionary(id).expect("dict").clone()))],
    );
    let report = check(&same, &["ca.pem"]);
    assert!(report.revisions[2].changes.is_empty(), "{report:#?}");
}

#[test]
fn fake_signature_with_garbage_cms() {
    let pdf = sample_pdf(false);
    let doc = Document::load_mem(&pdf).expect("load");
    let field = fields::signature_fields(&doc)
        .into_iter()
        .find(|f| f.name == "signatar-1")
        .expect("field");
    let (field_id, sig_id) = (field.id.expect("id"), (doc.max_id + 1, 0));
    let mut dict = doc.get_dictionary(field_id).expect("dict").clone();
    dict.set("V", Object::Reference(sig_id));
    let fake = dictionary! { "Type" => "Sig", "Filter" => "Adobe.PPKLite", "SubFilter" => "ETSI.CAdES.detached",
    "ByteRange" => vec![0.into(), 10.into(), 20.into(), 30.into()],
    "Contents" => Object::String(vec![0x30, 0x03, 1, 2, 3], lopdf::StringFormat::Hexadecimal) };
    let bytes = append_update(
        &pdf,
        &[(field_id, Object::Dictionary(dict)), (sig_id, Object::Dictionary(fake))],
    );
    assert!(is_signed(&bytes));
    let report = check(&bytes, &["ca.pem"]);
    let sig = &report.signatures[0];
    assert!(!sig.intact && !sig.valid && !sig.trusted, "{report:#?}");
    assert!(!report.modifications_allowed);
}

#[test]
fn base_length_must_be_a_revision_end() {
    let pdf = sample_pdf(false);
    let once = signed_once(false);
    let t = trust(&["ca.pem"]);
    assert!(
        analyse(&once, Some(pdf.len()), &t, at())
            .expect("analyse")
            .modifications_allowed
    );
    let report = analyse(&once, Some(pdf.len() - 1), &t, at()).expect("analyse");
    assert!(!report.modifications_allowed && report.problems[0].contains("not the end of any revision"));
    assert!(
        analyse(&pdf, None, &t, at()).expect("analyse").modifications_allowed,
        "the unsigned base"
    );
    assert!(analyse(b"garbage", None, &t, at()).is_err());
}

#[test]
fn report_serialises_with_snake_case_and_lowercase_kinds() {
    let report = check(&signed_once(false), &["ca.pem"]);
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["revisions"][0]["kind"], "base");
    assert_eq!(json["revisions"][1]["kind"], "signature");
    assert_eq!(json["signatures"][0]["covers_whole_file"], true);
    assert!(json["modifications_allowed"].as_bool().expect("bool"));
}

#[test]
fn a_file_of_endless_revisions_is_refused_not_parsed_without_end() {
    let mut bytes = sample_pdf(false);
    let doc = Document::load_mem(&bytes).expect("load");
    let (page, dict) = page_of(&doc);
    for _ in 0..=revisions::MAX_REVISIONS {
        bytes = append_update(&bytes, &[(page, Object::Dictionary(dict.clone()))]);
    }
    let err = analyse(&bytes, None, &TrustStore::new(), at()).expect_err("refused");
    assert!(err.contains("more than 100 revisions"), "{err}");
}
