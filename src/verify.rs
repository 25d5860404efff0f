//! `avtale extract` and `avtale verify`: what a PDF was made from, whether it still is what
//! that source makes, its signature fields, and the limits of Norwegian e-signing services.

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use serde::Serialize;

use crate::build::write_atomic;
use crate::catalog::Catalogue;
use crate::cli::{EXIT_INVALID, EXIT_OK, EXIT_TROUBLE, ExtractArgs, VerifyArgs, VerifyFormat, setup};
use crate::pdf::{PdfSettings, Renderer};
use crate::provenance::{self, MANIFEST_NAME, Manifest};

/// Largest PDF `verify` and `extract` read.
const MAX_PDF_BYTES: u64 = 256 * 1024 * 1024;

fn read_pdf(path: &Path) -> Result<(Vec<u8>, Document), String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if len > MAX_PDF_BYTES {
        return Err(format!("{} is larger than {} MiB", path.display(), MAX_PDF_BYTES >> 20));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc = Document::load_mem(&bytes).map_err(|e| format!("{} is not a readable PDF: {e}", path.display()))?;
    Ok((bytes, doc))
}

/// A plain file name for an attachment: no directories, nothing hidden.
fn safe_name(name: &str) -> Option<String> {
    let base = Path::new(name).file_name()?.to_string_lossy().into_owned();
    (!base.is_empty() && !base.starts_with('.')).then_some(base)
}

/// Attached files by name, with their bytes.
type Attached = Vec<(String, Vec<u8>)>;

/// A PDF's bytes, its parsed document and its attached files.
fn open_pdf(path: &Path) -> Result<(Vec<u8>, Document, Attached), String> {
    let (bytes, doc) = read_pdf(path)?;
    let attached = provenance::read_attachments(&doc)?;
    Ok((bytes, doc, attached))
}

pub fn extract(args: &ExtractArgs) -> i32 {
    let files = match open_pdf(&args.pdf) {
        Ok((_, _, files)) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    if files.is_empty() {
        eprintln!(
            "error: {} has no attached files (was it built with --no-attachments?)",
            args.pdf.display()
        );
        return EXIT_TROUBLE;
    }
    if let Err(e) = std::fs::create_dir_all(&args.out_dir) {
        eprintln!("error: cannot create {}: {e}", args.out_dir.display());
        return EXIT_TROUBLE;
    }
    for (name, data) in files {
        let Some(name) = safe_name(&name) else {
            eprintln!("warning: skipped an attachment with an unusable name {name:?}");
            continue;
        };
        let target = args.out_dir.join(&name);
        let written = if args.force {
            write_atomic(&target, &data)
        } else {
            crate::build::write_new(&target, &data)
        };
        if let Err(e) = written {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                eprintln!("error: {} exists; use --force to replace it", target.display());
                return EXIT_TROUBLE;
            }
            eprintln!("error: cannot write {}: {e}", target.display());
            return EXIT_TROUBLE;
        }
        println!("{}", target.display());
    }
    EXIT_OK
}

#[derive(Debug, Serialize)]
pub struct Field {
    pub name: String,
    pub page: Option<u32>,
    pub signed: bool,
    /// Who signed, from the signature's name entry or the signing certificate.
    pub signer: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct TermsState {
    pub id: String,
    pub versjon: String,
    pub sha256: String,
    /// `gjeldende`, `erstattet`, `trukket`, or `ukjent` when the catalogue lacks it.
    pub status: String,
    /// The catalogue's text for this version has the same SHA-256.
    pub same_text: bool,
}

#[derive(Debug, Serialize)]
pub struct Verification {
    pub file: PathBuf,
    pub agreement_id: Option<String>,
    /// Where the agreement was read from: `attached` or a path.
    pub source: Option<String>,
    pub checks: Vec<Check>,
    pub terms: Vec<TermsState>,
    pub fields: Vec<Field>,
    pub ok: bool,
}

/// The signature fields of a PDF, whether each is signed, and by whom.
pub fn signature_fields(doc: &Document) -> Vec<Field> {
    let mut out = Vec::new();
    let pages = doc.get_pages();
    let Ok(catalog) = doc.catalog() else { return out };
    let Some(form) = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return out;
    };
    let Ok(Object::Array(fields)) = form.get(b"Fields").and_then(|o| doc.dereference(o).map(|x| x.1)) else {
        return out;
    };
    for f in fields {
        let Some(dict) = doc.dereference(f).ok().and_then(|(_, o)| o.as_dict().ok()) else {
            continue;
        };
        if !matches!(dict.get(b"FT"), Ok(Object::Name(n)) if n == b"Sig") {
            continue;
        }
        let name = dict
            .get(b"T")
            .ok()
            .and_then(|o| lopdf::decode_text_string(o).ok())
            .unwrap_or_default();
        let page = dict
            .get(b"P")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|p| pages.iter().find(|(_, id)| **id == p).map(|(n, _)| *n));
        let value = dict
            .get(b"V")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        let signer = value.and_then(|v| {
            v.get(b"Name")
                .ok()
                .and_then(|o| lopdf::decode_text_string(o).ok())
                .or_else(|| {
                    v.get(b"Contents")
                        .ok()
                        .and_then(|c| c.as_str().ok())
                        .and_then(common_name)
                })
        });
        out.push(Field {
            name,
            page,
            signed: value.is_some(),
            signer,
        });
    }
    out
}

/// The subject common name of the signing certificate in a CMS signature: the last
/// `CN` attribute of the first certificate (its issuer's comes first).
fn common_name(der: &[u8]) -> Option<String> {
    const CN_OID: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
    let mut names = Vec::new();
    let mut i = 0;
    while i + CN_OID.len() + 2 < der.len() {
        if der[i..i + CN_OID.len()] == CN_OID {
            let tag = der[i + 5];
            let len = der[i + 6] as usize;
            if matches!(tag, 0x0C | 0x13 | 0x16 | 0x1E) && len < 0x80 && i + 7 + len <= der.len() {
                names.push(String::from_utf8_lossy(&der[i + 7..i + 7 + len]).into_owned());
            }
        }
        i += 1;
    }
    names.get(1).or(names.first()).cloned()
}

fn terms_state(m: &Manifest, cat: &Catalogue) -> Vec<TermsState> {
    m.terms
        .iter()
        .map(|t| {
            let v = cat.terms(&t.id).and_then(|d| d.version(&t.versjon));
            TermsState {
                id: t.id.clone(),
                versjon: t.versjon.clone(),
                sha256: t.sha256.clone(),
                status: v.map_or("ukjent".into(), |v| v.status.label().to_string()),
                same_text: v.is_some_and(|v| v.all_texts().any(|x| x.sha256 == t.sha256)),
            }
        })
        .collect()
}

/// Limits of Norwegian e-signing services (Posten signering and similar).
fn preflight_posten(bytes: &[u8], doc: &Document) -> Vec<Check> {
    let mut checks = Vec::new();
    let version = doc.version.clone();
    let v_ok = matches!(
        version.as_str(),
        "1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7"
    );
    checks.push(Check {
        name: "pdf-version",
        ok: v_ok,
        detail: format!("PDF {version} (at most 1.7)"),
    });
    let size = bytes.len();
    checks.push(Check {
        name: "size",
        ok: size <= 3 * 1024 * 1024,
        detail: format!("{:.2} MB (at most 3 MB)", size as f64 / (1024.0 * 1024.0)),
    });
    let mut a4 = true;
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
            a4 = false;
            checks.push(Check {
                name: "a4-portrait",
                ok: false,
                detail: format!("page {n} is not A4 portrait"),
            });
            break;
        }
    }
    if a4 {
        checks.push(Check {
            name: "a4-portrait",
            ok: true,
            detail: "every page is A4 portrait".into(),
        });
    }
    let encrypted = doc.trailer.get(b"Encrypt").is_ok();
    checks.push(Check {
        name: "no-encryption",
        ok: !encrypted,
        detail: if encrypted {
            "the file is encrypted".into()
        } else {
            "not encrypted".into()
        },
    });
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
    checks.push(Check {
        name: "no-javascript",
        ok: !js,
        detail: if js {
            "the file contains JavaScript".into()
        } else {
            "no JavaScript".into()
        },
    });
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
    checks.push(Check {
        name: "fonts-embedded",
        ok: unembedded.is_empty(),
        detail: if unembedded.is_empty() {
            "every font is embedded".into()
        } else {
            format!("not embedded: {}", unembedded.join(", "))
        },
    });
    let text = String::from_utf8_lossy(bytes);
    let pdfa = text.contains("pdfaid:part");
    checks.push(Check {
        name: "pdfa-identification",
        ok: pdfa,
        detail: if pdfa {
            "PDF/A identification present".into()
        } else {
            "no PDF/A identification in the metadata".into()
        },
    });
    checks
}

pub fn verify(args: &VerifyArgs) -> i32 {
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (bytes, doc, attached) = match open_pdf(&args.pdf) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    let manifest: Option<Manifest> = attached
        .iter()
        .find(|(n, _)| n == MANIFEST_NAME)
        .and_then(|(_, d)| serde_json::from_slice(d).ok());

    let mut v = Verification {
        file: args.pdf.clone(),
        agreement_id: manifest.as_ref().map(|m| m.agreement_id.clone()),
        source: None,
        checks: Vec::new(),
        terms: manifest
            .as_ref()
            .map(|m| terms_state(m, &setup.catalogue))
            .unwrap_or_default(),
        fields: signature_fields(&doc),
        ok: true,
    };

    // The agreement: the one named on the command line, else the attached source.
    let tmp = tempfile::tempdir();
    let source_path: Option<PathBuf> = match (&args.agreement, &manifest, &tmp) {
        (Some(p), _, _) => Some(p.clone()),
        (None, Some(m), Ok(dir)) => {
            let mut first = None;
            // A segment file's member CSV goes where its `medlemmer` says, beside it.
            let mut csv_at: Option<String> = None;
            for name in &m.sources {
                let Some(safe) = safe_name(name) else { continue };
                let Some((_, data)) = attached.iter().find(|(n, _)| n == name) else {
                    continue;
                };
                let rel = match &csv_at {
                    Some(rel) if safe.ends_with(".csv") => rel.clone(),
                    _ => safe,
                };
                let p = dir.path().join(&rel);
                if let Some(parent) = p.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                if std::fs::write(&p, data).is_ok() && first.is_none() {
                    csv_at = std::str::from_utf8(data)
                        .ok()
                        .and_then(|t| t.parse::<toml::Table>().ok())
                        .and_then(|t| t.get("medlemmer").and_then(|v| v.as_str()).map(str::to_string))
                        .filter(|r| crate::assets::is_plain_relative(r));
                    first = Some(p);
                }
            }
            first
        }
        _ => None,
    };
    let Some(source_path) = source_path else {
        if args.preflight.is_some() {
            // Preflight needs no source; what the PDF was made from stays unknown.
            v.checks.extend(preflight_posten(&bytes, &doc));
            v.ok = v.checks.iter().all(|c| c.ok);
            eprintln!(
                "note: no attached source: only the preflight was checked (name the agreement with --agreement FILE)"
            );
            return finish(args, &v);
        }
        eprintln!(
            "error: {} has no attached source; name the agreement with --agreement FILE",
            args.pdf.display()
        );
        return EXIT_TROUBLE;
    };
    v.source = Some(if args.agreement.is_some() {
        source_path.display().to_string()
    } else {
        "attached".into()
    });

    let run = crate::load::load(std::slice::from_ref(&source_path), &setup.catalogue);
    if !run.tool_errors.is_empty() {
        for e in &run.tool_errors {
            eprintln!("error: {e}");
        }
        return EXIT_TROUBLE;
    }
    let wanted_id = manifest.as_ref().map(|m| m.agreement_id.clone());
    let loaded = run.agreements.iter().find(|a| match &wanted_id {
        Some(id) => a.agreement.avtale.id.as_ref().is_some_and(|x| &x.v == id),
        None => true,
    });
    let Some(loaded) = loaded else {
        v.checks.push(Check {
            name: "agreement",
            ok: false,
            detail: format!(
                "the source holds no agreement with id {}",
                wanted_id.unwrap_or_default()
            ),
        });
        v.ok = false;
        return finish(args, &v);
    };
    if loaded.has_errors() {
        v.checks.push(Check {
            name: "agreement",
            ok: false,
            detail: "the agreement has errors (run avtale check)".into(),
        });
        v.ok = false;
        return finish(args, &v);
    }
    let fingerprint = crate::render::fingerprint(&loaded.agreement);
    v.agreement_id = loaded.agreement.avtale.id.as_ref().map(|s| s.v.clone());
    if let Some(m) = &manifest {
        v.checks.push(Check {
            name: "fingerprint",
            ok: m.fingerprint == fingerprint,
            detail: if m.fingerprint == fingerprint {
                format!("the agreement matches the PDF's fingerprint {}", &fingerprint[..12])
            } else {
                format!(
                    "the PDF was made from another agreement (fingerprint {} ≠ {})",
                    &m.fingerprint.chars().take(12).collect::<String>(),
                    &fingerprint[..12]
                )
            },
        });
        let stale: Vec<String> = v
            .terms
            .iter()
            .filter(|t| !t.same_text)
            .map(|t| format!("{}@{}", t.id, t.versjon))
            .collect();
        v.checks.push(Check {
            name: "terms-texts",
            ok: stale.is_empty(),
            detail: if stale.is_empty() {
                "every terms text is the catalogue's current text of its version".into()
            } else {
                format!("terms texts differ from the catalogue: {}", stale.join(", "))
            },
        });
    }

    // Make the PDF again and compare: the original revision must be exactly those bytes
    // (a signature appends an incremental update after them).
    let settings = match &manifest {
        Some(m) => PdfSettings {
            standards: m.standards.clone(),
            signature_fields: m.signature_fields,
            attachments: true,
        },
        None => PdfSettings {
            standards: guess_standards(&bytes, &doc.version),
            signature_fields: !v.fields.is_empty(),
            attachments: false,
        },
    };
    let same = Renderer::new(setup.assets.clone(), &settings)
        .map_err(|e| e.to_string())
        .and_then(|r| {
            r.build(&loaded.agreement, &setup.catalogue, &|view| {
                // The attached sources as they are in the PDF, so that the rebuild is comparable.
                match &manifest {
                    Some(m) if args.agreement.is_none() => {
                        attached_again(&attached, m, loaded, view, &setup.catalogue, &settings)
                    }
                    _ => provenance::attachments(loaded, view, &setup.catalogue, &settings),
                }
            })
            .map_err(|e| e.to_string())
        });
    match same {
        Ok(b) => {
            let prefix = bytes.starts_with(&b.pdf);
            let updated = bytes.len() > b.pdf.len();
            // Bytes after the built file are accepted only as far as signatures cover them:
            // an update after the last signature could change what is shown.
            let covered = !updated || signed_to_end(&bytes);
            let ok = prefix && covered;
            v.checks.push(Check {
                name: "content",
                ok,
                detail: if ok && updated {
                    "the PDF is exactly what the agreement makes, followed by signature updates".into()
                } else if ok {
                    "the PDF is exactly what the agreement makes".into()
                } else if prefix {
                    "the PDF is what the agreement makes, but was changed after it was built, outside any signature".into()
                } else {
                    "the PDF differs from what the agreement makes now (edited, or made with other templates or tool version)".into()
                },
            });
        }
        Err(e) => v.checks.push(Check {
            name: "content",
            ok: false,
            detail: format!("cannot rebuild: {e}"),
        }),
    }
    if args.preflight.is_some() {
        v.checks.extend(preflight_posten(&bytes, &doc));
    }
    v.ok = v.checks.iter().all(|c| c.ok);
    finish(args, &v)
}

/// Whether some signature's byte range reaches the end of the file (trailing line ends
/// aside): then every incremental update is inside a signed revision. The signatures'
/// cryptographic validity is for a signature validator (see tests/external/sign.sh).
fn signed_to_end(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let mut reach = 0u64;
    let mut rest = bytes;
    while let Some(i) = rest.windows(10).position(|w| w == b"/ByteRange") {
        rest = &rest[i + 10..];
        let text: String = rest.iter().take(80).map(|b| *b as char).collect();
        let inner = text
            .trim_start()
            .strip_prefix('[')
            .and_then(|t| t.split(']').next())
            .unwrap_or("");
        let nums: Vec<u64> = inner.split_whitespace().filter_map(|n| n.parse().ok()).collect();
        if let [_, _, start, len] = nums[..] {
            reach = reach.max(start.saturating_add(len));
        }
    }
    reach >= end as u64
}

/// The standards a PDF without a manifest claims, from its XMP metadata and header.
fn guess_standards(bytes: &[u8], version: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find('<')? + start;
        Some(text[start..end].trim().to_string())
    };
    let mut out = Vec::new();
    if let Some(part) = tag("pdfaid:part") {
        let conf = tag("pdfaid:conformance").unwrap_or_default().to_lowercase();
        out.push(format!("a-{part}{conf}"));
    }
    if tag("pdfuaid:part").as_deref() == Some("1") {
        out.push("ua-1".into());
    }
    if out.is_empty() && version == "2.0" {
        out.push("2.0".into());
    }
    out
}

/// The attachments as the original build made them: the source bytes from the PDF itself.
fn attached_again(
    attached: &[(String, Vec<u8>)],
    m: &Manifest,
    loaded: &crate::load::Loaded,
    view: &crate::render::View,
    cat: &Catalogue,
    settings: &PdfSettings,
) -> Vec<crate::pdf::Attachment> {
    let mut fresh = provenance::attachments(loaded, view, cat, settings);
    for (a, name) in fresh.iter_mut().zip(&m.sources) {
        if let Some((_, data)) = attached.iter().find(|(n, _)| n == name) {
            a.name = name.clone();
            a.data = data.clone();
        }
    }
    fresh
}

fn finish(args: &VerifyArgs, v: &Verification) -> i32 {
    match args.format {
        VerifyFormat::Json => {
            println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
        }
        VerifyFormat::Human => {
            println!("{}", v.file.display());
            if let Some(id) = &v.agreement_id {
                println!(
                    "  agreement {id} (source: {})",
                    v.source.as_deref().unwrap_or("unknown")
                );
            }
            for c in &v.checks {
                println!("  {} {:<20} {}", if c.ok { "ok  " } else { "FAIL" }, c.name, c.detail);
            }
            for t in &v.terms {
                println!(
                    "  terms {}@{} ({}){}",
                    t.id,
                    t.versjon,
                    t.status,
                    if t.same_text {
                        ""
                    } else {
                        ", text differs from the catalogue"
                    }
                );
            }
            if v.fields.is_empty() {
                println!("  no signature fields");
            }
            for f in &v.fields {
                let page = f.page.map(|p| format!(" on page {p}")).unwrap_or_default();
                match (&f.signed, &f.signer) {
                    (true, Some(s)) => println!("  field {}{page}: signed by {s}", f.name),
                    (true, None) => println!("  field {}{page}: signed", f.name),
                    _ => println!("  field {}{page}: not signed", f.name),
                }
            }
            println!("{}", if v.ok { "verified" } else { "NOT verified" });
        }
    }
    if v.ok { EXIT_OK } else { EXIT_INVALID }
}
