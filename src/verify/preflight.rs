//! The limits of Norwegian e-signing services (Posten signering and similar): PDF 1.7 at
//! most, 3 MB at most, A4 portrait, no encryption, no JavaScript, every font embedded, and
//! PDF/A identification.

use lopdf::{Document, Object};

use crate::verify::report::Check;

/// Every preflight check of a PDF, in a fixed order.
pub fn preflight_posten(bytes: &[u8], doc: &Document) -> Vec<Check> {
    vec![
        pdf_version(doc),
        size(bytes),
        a4_portrait(doc),
        no_encryption(doc),
        no_javascript(doc),
        fonts_embedded(doc),
        pdfa_identification(bytes),
    ]
}

fn pdf_version(doc: &Document) -> Check {
    let version = doc.version.clone();
    let ok = matches!(
        version.as_str(),
        "1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7"
    );
    Check {
        name: "pdf-version",
        ok,
        detail: format!("PDF {version} (at most 1.7)"),
    }
}

fn size(bytes: &[u8]) -> Check {
    let size = bytes.len();
    Check {
        name: "size",
        ok: size <= 3 * 1024 * 1024,
        detail: format!("{:.2} MB (at most 3 MB)", size as f64 / (1024.0 * 1024.0)),
    }
}

fn a4_portrait(doc: &Document) -> Check {
    for (n, id) in doc.get_pages() {
        let mb = doc
            .get_dictionary(id)
            .ok()
            .and_then(|p| p.get(b"MediaBox").ok().and_then(|o| o.as_array().ok()).cloned())
            .map(|a| a.iter().filter_map(|o| o.as_float().ok()).collect::<Vec<f32>>());
        let ok = mb.is_some_and(|m| {
            m.len() == 4 && ((m[2] - m[0]) - 595.28).abs() < 1.0 && ((m[3] - m[1]) - 841.89).abs() < 1.0
        });
        if !ok {
            return Check {
                name: "a4-portrait",
                ok: false,
                detail: format!("page {n} is not A4 portrait"),
            };
        }
    }
    Check {
        name: "a4-portrait",
        ok: true,
        detail: "every page is A4 portrait".into(),
    }
}

fn no_encryption(doc: &Document) -> Check {
    let encrypted = doc.trailer.get(b"Encrypt").is_ok();
    Check {
        name: "no-encryption",
        ok: !encrypted,
        detail: if encrypted {
            "the file is encrypted".into()
        } else {
            "not encrypted".into()
        },
    }
}

fn no_javascript(doc: &Document) -> Check {
    let js = doc.objects.values().any(|o| match o {
        Object::Dictionary(d) => d.has(b"JS") || matches!(d.get(b"S"), Ok(Object::Name(n)) if n == b"JavaScript"),
        _ => false,
    }) || doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Names").ok())
        .and_then(|n| doc.dereference(n).ok())
        .and_then(|(_, n)| n.as_dict().ok())
        .is_some_and(|n| n.has(b"JavaScript"));
    Check {
        name: "no-javascript",
        ok: !js,
        detail: if js {
            "the file contains JavaScript".into()
        } else {
            "no JavaScript".into()
        },
    }
}

fn fonts_embedded(doc: &Document) -> Check {
    let mut unembedded = Vec::new();
    for o in doc.objects.values() {
        let Object::Dictionary(d) = o else { continue };
        if !matches!(d.get(b"Type"), Ok(Object::Name(n)) if n == b"FontDescriptor") {
            continue;
        }
        if !(d.has(b"FontFile") || d.has(b"FontFile2") || d.has(b"FontFile3")) {
            let name = d
                .get(b"FontName")
                .ok()
                .and_then(|n| n.as_name().ok())
                .map(|n| String::from_utf8_lossy(n).into_owned());
            unembedded.push(name.unwrap_or_default());
        }
    }
    Check {
        name: "fonts-embedded",
        ok: unembedded.is_empty(),
        detail: if unembedded.is_empty() {
            "every font is embedded".into()
        } else {
            format!("not embedded: {}", unembedded.join(", "))
        },
    }
}

fn pdfa_identification(bytes: &[u8]) -> Check {
    let text = String::from_utf8_lossy(bytes);
    let pdfa = text.contains("pdfaid:part");
    Check {
        name: "pdfa-identification",
        ok: pdfa,
        detail: if pdfa {
            "PDF/A identification present".into()
        } else {
            "no PDF/A identification in the metadata".into()
        },
    }
}
