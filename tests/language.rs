//! Agreements in bokmål, nynorsk and English: the fixed text, dates, terms texts and
//! metadata follow `spraak`, read back from the PDFs; a missing translation falls back to
//! the binding bokmål text and `check` warns about it.

use std::path::{Path, PathBuf};

use avtale::catalog::assets::Assets;
use avtale::document::{Built, PdfSettings, Typesetter};
use avtale::input::load;
use page_validation::{ValidationOptions, ValidationProfile, validate_pdf_bytes};

mod common;
use common::{catalogue, examples_in, root, text_of, with_language};

const LANGUAGES: [&str; 3] = ["nb", "nn", "en"];

fn build_dir(dir: &Path) -> Vec<(PathBuf, Built)> {
    let cat = catalogue();
    let r = Typesetter::new(Assets::Embedded, &PdfSettings::default()).unwrap();
    let run = load::load(&[dir.to_path_buf()], &cat);
    assert!(run.tool_errors.is_empty(), "{:?}", run.tool_errors);
    run.agreements
        .iter()
        .map(|a| {
            assert!(!a.has_errors(), "{:?}", a.diags);
            let b = r
                .build(&a.agreement, &cat, &|v| {
                    avtale::document::provenance::attachments(a, v, &cat, &r.settings)
                })
                .unwrap_or_else(|e| panic!("{}: {e}", a.origin.file.display()));
            (a.origin.file.clone(), b)
        })
        .collect()
}

fn catalog_lang(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let cat = doc.get_object(root).unwrap().as_dict().unwrap();
    String::from_utf8(cat.get(b"Lang").unwrap().as_str().unwrap().to_vec()).unwrap()
}

#[test]
fn every_example_builds_in_every_language_with_its_own_text_and_metadata() {
    // Strings that only the document in that language contains, from the fixed text, the
    // declaration, the dates and the terms texts.
    let expect: [(&str, &[&str], &[&str]); 3] = [
        (
            "nb",
            &[
                "Partene",
                "Egenerklæring",
                "Side 1 av",
                "Ved å signere avtalen erklærer konsumenten",
            ],
            &["Partane", "Self-declaration", "Page 1 of"],
        ),
        (
            "nn",
            &[
                "Partane",
                "Eigenfråsegn",
                "Side 1 av",
                "Ved å signere avtalen stadfestar konsumenten",
            ],
            &["Egenerklæring", "Self-declaration", "Page 1 of"],
        ),
        (
            "en",
            &[
                "The parties",
                "Self-declaration",
                "Page 1 of",
                "By signing this agreement",
                "Where the language versions differ, the Norwegian bokmål text prevails",
            ],
            &["Partene", "Egenerklæring", "Side 1 av"],
        ),
    ];
    for (lang, present, absent) in expect {
        let dir = tempfile::tempdir().unwrap();
        examples_in(lang, dir.path());
        let built = build_dir(dir.path());
        assert!(built.len() >= 30, "{lang}: {} agreements", built.len());
        let mut validated = std::collections::BTreeSet::new();
        for (file, b) in &built {
            assert_eq!(b.view.spraak, lang);
            assert_eq!(catalog_lang(&b.pdf), lang, "{}", file.display());
            // One PDF per example file goes through the validators.
            if validated.insert(file.clone()) {
                let text = text_of(&b.pdf);
                for s in present {
                    assert!(text.contains(s), "{lang} {}: {s:?} missing", file.display());
                }
                for s in absent {
                    assert!(!text.contains(s), "{lang} {}: {s:?} present", file.display());
                }
                assert!(text.contains(&b.view.dato), "{lang}: date {:?}", b.view.dato);
                for profile in [ValidationProfile::PdfA3a, ValidationProfile::PdfUa1] {
                    let report = validate_pdf_bytes(&b.pdf, &ValidationOptions::default().profile(profile)).unwrap();
                    assert!(report.is_compliant, "{lang} {} {profile:?}: {report}", file.display());
                }
            }
        }
    }
}

#[test]
fn dates_and_appendix_titles_follow_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("agreements/fjordvik-kommune.toml")).unwrap();
    for lang in LANGUAGES {
        let sub = dir.path().join(lang);
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("a.toml"), with_language(&text, lang)).unwrap();
        let (_, b) = build_dir(&sub).remove(0);
        let t = text_of(&b.pdf);
        let (date, appendix) = match lang {
            "en" => (
                "16 February 2026",
                "Appendix 1: Terms of use for the income, tax and arrears APIs",
            ),
            "nn" => (
                "16. februar 2026",
                "Vedlegg 1: Bruksvilkår for API-a for inntekt, skatt og restansar",
            ),
            _ => (
                "16. februar 2026",
                "Vedlegg 1: Bruksvilkår for API-ene for inntekt, skatt og restanser",
            ),
        };
        assert!(t.contains(date), "{lang}: {date}");
        assert!(t.contains(appendix), "{lang}: {appendix}");
        assert!(!t.contains("exists only in Norwegian bokmål") && !t.contains("finst berre på bokmål"));
    }
}

#[test]
fn a_terms_version_without_a_translation_falls_back_to_binding_bokmaal_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    assert!(text.contains("bruksvilkaar = \"2024-09\""));
    let old = with_language(&text, "en").replace("bruksvilkaar = \"2024-09\"", "bruksvilkaar = \"2023-01\"");
    let f = dir.path().join("bank.toml");
    std::fs::write(&f, &old).unwrap();
    let line = old.lines().position(|l| l.contains("\"2023-01\"")).unwrap() + 1;

    let out = common::avtale()
        .args(["check", "--format", "short"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let warning = stdout
        .lines()
        .find(|l| l.contains("terms-language-fallback"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(warning.contains(&format!("bank.toml:{line}:")), "{warning}");
    assert!(
        warning.contains("iskr@2023-01") && warning.contains("`en`"),
        "{warning}"
    );
    let denied = common::avtale()
        .args(["check", "--deny-warnings"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(1));

    let (_, b) = build_dir(dir.path()).remove(0);
    let t = text_of(&b.pdf);
    assert!(t.contains("This text exists only in Norwegian bokmål. The bokmål text is binding."));
    // The bokmål appendix is there, and its fingerprint is the bokmål text's.
    let cat = catalogue();
    let nb = &cat.terms("iskr").unwrap().version("2023-01").unwrap().tekster["standard"];
    let v = b.view.vedlegg.iter().find(|v| v.versjon == "2023-01").unwrap();
    assert_eq!(v.sha256, nb.sha256);
    assert_eq!(v.spraak, "nb");
    assert!(t.contains("Disse bruksvilkårene"), "bokmål appendix text missing");
    // The general sharing terms, translated, carry no such note.
    let d = b
        .view
        .vedlegg
        .iter()
        .find(|v| v.fil.contains("delingsvilkaar"))
        .unwrap();
    assert_eq!(d.spraak, "en");
    assert!(d.merknad.is_none());
}

#[test]
fn the_catalogue_records_the_languages_of_each_terms_version() {
    let cat = catalogue();
    for doc in &cat.vilkaar {
        let current = doc.current().expect("a current version");
        assert_eq!(current.languages(), ["nb", "en", "nn"], "{}", doc.id);
        for t in current.all_texts() {
            assert!(!t.text.trim().is_empty());
        }
        // Translations are different texts with their own fingerprints.
        let nb: Vec<_> = current.tekster.values().map(|t| &t.sha256).collect();
        for tr in current.oversettelser.values().flat_map(|m| m.values()) {
            assert!(!nb.contains(&&tr.sha256), "{}: {} equals bokmål", doc.id, tr.fil);
        }
    }
}

#[test]
fn broken_language_tables_in_user_templates_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(root().join("templates")) {
        let entry = entry.unwrap();
        let to = dir
            .path()
            .join(entry.path().strip_prefix(root().join("templates")).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let en = dir.path().join("spraak/en.toml");
    let text = std::fs::read_to_string(&en).unwrap();
    let broken = text
        .lines()
        .filter(|l| !l.starts_with("vannmerke"))
        .map(|l| {
            if l.starts_with("undertittel") {
                "undertittel = \"on the sharing of data with {consumer}\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&en, broken).unwrap();
    // A clause left out of every table, bokmål included, must not vanish from the declaration.
    for lang in LANGUAGES {
        let f = dir.path().join(format!("spraak/{lang}.toml"));
        let text = std::fs::read_to_string(&f).unwrap();
        let without: Vec<&str> = text.lines().filter(|l| !l.starts_with("aksept")).collect();
        std::fs::write(&f, without.join("\n")).unwrap();
    }
    let out_dir = tempfile::tempdir().unwrap();
    let out = common::avtale()
        .args(["build", "--templates"])
        .arg(dir.path())
        .arg("-o")
        .arg(out_dir.path())
        .arg(root().join("agreements/fjordvik-kommune.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !out_dir.path().join("KA-2026-0012.pdf").exists(),
        "no PDF from broken tables"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`tekst.vannmerke` is missing"), "{stderr}");
    assert!(
        stderr.contains("`tekst.undertittel` must use the placeholders"),
        "{stderr}"
    );
    for lang in LANGUAGES {
        assert!(
            stderr.contains(&format!("{lang}.toml: `erklaering.aksept` is missing")),
            "{stderr}"
        );
    }
}

#[test]
fn a_change_of_language_is_one_change_in_diff() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("agreements/fjordvik-kommune.toml")).unwrap();
    let (old, new) = (dir.path().join("nb.toml"), dir.path().join("en.toml"));
    std::fs::write(&old, with_language(&text, "nb")).unwrap();
    std::fs::write(
        &new,
        with_language(&text, "en").replace("Kari Nordvik", "Kari Nordvik-Berg"),
    )
    .unwrap();
    let out = common::avtale()
        .args(["diff", "--format", "json"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Labels are compared in one language: the language is one change, the edited name
    // another, and no contact is reported removed as "Forretning" and added as "Business".
    let messages: Vec<&str> = json["agreements"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "the language changed from «nb» to «en»",
            "the Faglig contact's name changed from «Kari Nordvik» to «Kari Nordvik-Berg»",
        ]
    );
    // The text diff underneath shows each side in its own language.
    let diff = json["agreements"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-KONSUMENTAVTALE") && diff.contains("+CONSUMER AGREEMENT"),
        "{diff}"
    );
}

#[test]
fn a_nynorsk_pdf_verifies_and_an_edited_translation_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    // A catalogue of our own beside its terms texts, so that they can be edited.
    let cat_dir = dir.path().join("katalog");
    for entry in walkdir::WalkDir::new(root().join("templates")) {
        let entry = entry.unwrap();
        let to = cat_dir.join(entry.path().strip_prefix(root().join("templates")).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let text = std::fs::read_to_string(root().join("agreements/fjellheim-pensjonskasse.toml")).unwrap();
    let f = dir.path().join("nn.toml");
    std::fs::write(&f, with_language(&text, "nn")).unwrap();
    let out = dir.path().join("out");
    let build = || {
        let o = common::avtale()
            .args(["build", "--catalogue"])
            .arg(cat_dir.join("katalog.toml"))
            .arg("-o")
            .arg(&out)
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    assert!(build().contains("built 1,"));
    let pdf = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let verify = common::avtale()
        .args(["verify", "--catalogue"])
        .arg(cat_dir.join("katalog.toml"))
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert!(build().contains("up to date 1"));

    // The nynorsk terms text is part of what the PDF depends on.
    let nn = cat_dir.join("vilkaar/nn/iskr-2024-09.typ");
    let mut terms = std::fs::read_to_string(&nn).unwrap();
    terms.push_str("\nEin ny setning.\n");
    std::fs::write(&nn, terms).unwrap();
    assert!(build().contains("built 1,"));
}

/// Text without whitespace, hyphens and soft hyphens: what is printed, however it is broken
/// across lines and columns.
fn squeezed(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{AD}')
        .collect()
}

#[test]
fn legal_clauses_reach_the_pdf_in_every_language() {
    let texts = avtale::catalog::lang::Texts::load(&Assets::Embedded).unwrap();
    let cat = catalogue();
    let contact = cat
        .skatteetaten
        .clone()
        .expect("the shipped catalogue has Skatteetaten's contact points");
    for lang in LANGUAGES {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(root().join("agreements/fjordvik-kommune.toml")).unwrap();
        std::fs::write(dir.path().join("a.toml"), with_language(&text, lang)).unwrap();
        let built = build_dir(dir.path());
        let pdf = squeezed(&text_of(&built[0].1.pdf));
        let table = texts.table(lang);
        let t = |k: &str| table.tekst.get(k).unwrap_or_else(|| panic!("{lang}: no `{k}`")).clone();
        let mut wanted = vec![
            ("sample heading", t("eksempeltekst")),
            ("bruksvilkår in their current version", t("bruksvilkaar_gjeldende")),
            ("where the agreement ranks", t("avtale_rang")),
            ("contact points", t("skatteetaten_kontakt")),
            ("security incidents label", t("sikkerhetshendelser")),
            ("security incidents phone", contact.sikkerhetshendelser.clone()),
            ("user support", contact.brukerstoette.clone()),
            ("segment agreement", t("segmentavtale")),
        ];
        for clause in ["taushetsplikt", "kvalitet", "tjenestekunnskap"] {
            wanted.push(("declaration clause", table.clause(clause)));
        }
        if lang == "nn" {
            wanted.push(("bokmål prevails", t("spraakforrang")));
            assert!(!t("spraakforrang").is_empty());
        }
        for (what, needle) in wanted {
            assert!(
                pdf.contains(&squeezed(&needle)),
                "{lang}: {what} missing from the PDF: {needle:?}"
            );
        }
        // Every appendix heading says it is a sample: once per appendix, in the heading.
        assert_eq!(
            pdf.matches(&squeezed(&t("eksempeltekst"))).count(),
            2 * built[0].1.view.vedlegg.len(),
            "{lang}: the note in the list of documents and in each appendix heading"
        );
    }
}

#[test]
fn a_delingsvilkaar_version_from_before_2022_has_one_text_for_everyone() {
    let cat = catalogue();
    let old = cat.terms("delingsvilkaar").unwrap().version("2020-06").unwrap();
    assert_eq!(old.tekster.keys().collect::<Vec<_>>(), ["standard"]);
    for file in ["agreements/fjordvik-kommune.toml", "agreements/nordlys-sparebank.toml"] {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(root().join(file))
            .unwrap()
            .replace("delingsvilkaar = \"2022-05\"", "delingsvilkaar = \"2020-06\"");
        std::fs::write(dir.path().join("a.toml"), text).unwrap();
        let built = build_dir(dir.path());
        let v = &built[0].1.view;
        let d = v.vedlegg.last().unwrap();
        assert_eq!(d.sha256, old.tekster["standard"].sha256, "{file}");
        assert!(
            !d.tittel.contains("segment") && !d.tittel.contains("enkeltstående"),
            "{}",
            d.tittel
        );
    }
}
