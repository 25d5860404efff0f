//! The message catalogue: every message has an English and a bokmål text with the same
//! variables, every message the code names exists, every diagnostic of the fixtures has a
//! bokmål text, and the command line chooses its language by `--lang` or the locale.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use avtale::base::diag::{Diagnostic, localise, rule_summary_in};
use avtale::base::i18n::{EN_FTL, Lang, NB_FTL, Text, has_message};
use avtale::input::load;
use common::{avtale, catalogue, root};
use fluent_syntax::ast;

/// Each message of a catalogue with the variables it uses.
fn messages(ftl: &str, name: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(ftl).unwrap_or_else(|(_, e)| panic!("{name} does not parse: {e:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_string(), vars).is_none(),
                    "{name}: `{}` is given twice",
                    m.id.name
                );
            }
            ast::Entry::Junk { content } => panic!("{name}: cannot read {content:?}"),
            _ => {}
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let ast::PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        ast::Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn both_catalogues_have_the_same_messages_with_the_same_variables() {
    let en = messages(EN_FTL, "i18n/en/avtale.ftl");
    let nb = messages(NB_FTL, "i18n/nb/avtale.ftl");
    let only_en: Vec<&String> = en.keys().filter(|k| !nb.contains_key(*k)).collect();
    let only_nb: Vec<&String> = nb.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "messages without a bokmål text: {only_en:?}");
    assert!(
        only_nb.is_empty(),
        "bokmål messages without an English one: {only_nb:?}"
    );
    let differ: Vec<String> = en
        .iter()
        .filter(|(id, vars)| nb.get(*id) != Some(vars))
        .map(|(id, vars)| format!("{id}: en {vars:?}, nb {:?}", nb[id]))
        .collect();
    assert!(differ.is_empty(), "variables differ:\n{}", differ.join("\n"));
}

/// Every string literal in `src/` that names a message: `msg!("id"`, `Msg::new("id"`,
/// `text(lang, "id"` and the terminal's `say("id"`.
fn ids_in_code() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root().join("src")) {
        let entry = entry.expect("walk src");
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read source");
        // Unit tests may name messages that do not exist on purpose.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for opening in ["msg!(\"", "Msg::new(\"", "text(lang, \"", "self.say(\""] {
            for (i, _) in code.match_indices(opening) {
                let rest = &code[i + opening.len()..];
                let id: String = rest.chars().take_while(|c| *c != '"').collect();
                if id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') && !id.is_empty() {
                    ids.insert(id);
                }
            }
        }
    }
    ids
}

#[test]
fn every_message_the_code_names_exists() {
    let ids = ids_in_code();
    assert!(ids.len() > 150, "only {} message ids found in src/", ids.len());
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !Lang::ALL.iter().all(|l| has_message(*l, id)))
        .collect();
    assert!(
        missing.is_empty(),
        "messages named in src/ but not in both catalogues: {missing:?}"
    );
}

/// Texts that come from another library (the TOML, CSV or ZIP reader, the file system) are
/// quoted as they are; they may only stand in these rules.
const PLAIN_ALLOWED: &[&str] = &["toml-syntax", "csv-syntax", "catalogue"];

fn fixture_diagnostics() -> Vec<Diagnostic> {
    let cat = catalogue();
    let paths: Vec<PathBuf> = vec![root().join("tests/fixtures/check"), root().join("agreements")];
    let mut diags = Vec::new();
    for p in paths {
        for entry in walkdir::WalkDir::new(&p).sort_by_file_name() {
            let entry = entry.expect("walk fixtures");
            if entry.path().extension().is_some_and(|e| e == "toml") {
                let run = load::load(&[entry.path().to_path_buf()], &cat);
                diags.extend(run.all_diags());
            }
        }
    }
    diags
}

#[test]
fn every_diagnostic_of_the_fixtures_has_a_bokmaal_text() {
    let diags = fixture_diagnostics();
    assert!(diags.len() > 50, "only {} diagnostics in the fixtures", diags.len());
    let mut untranslated = Vec::new();
    for d in &diags {
        let texts: Vec<&Text> = std::iter::once(&d.texts.message)
            .chain(d.texts.help.iter())
            .chain(d.texts.related.iter())
            .collect();
        for t in texts {
            let plain_ok = matches!(t, Text::Plain(_)) && PLAIN_ALLOWED.contains(&d.code);
            if !plain_ok && !t.is_translated(Lang::Nb) {
                untranslated.push(format!("{}: {}", d.code, t.render(Lang::En)));
            }
        }
        let l = localise(d, Lang::Nb);
        assert_eq!(l.help.is_some(), d.help.is_some());
        assert_eq!(l.related.len(), d.related.len());
        assert!(!l.message.contains('\u{2068}'), "isolation marks in {:?}", l.message);
        assert!(
            rule_summary_in(d.code, Lang::Nb).is_some(),
            "no rule summary for {}",
            d.code
        );
        // English stays what the diagnostic holds.
        assert_eq!(localise(d, Lang::En).message, d.message);
    }
    assert!(untranslated.is_empty(), "without bokmål:\n{}", untranslated.join("\n"));
}

/// `avtale check --diagnostic-format short` on a fixture with the environment given.
fn short_check(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut cmd = avtale();
    cmd.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["check", "--diagnostic-format", "short"])
        .args(args)
        .arg("tests/fixtures/check/email.toml")
        .output()
        .expect("avtale runs");
    assert_eq!(out.status.code(), Some(1));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rule codes of short-form lines, in order.
fn codes(short: &str) -> Vec<String> {
    short
        .lines()
        .filter_map(|l| l.split('[').nth(1)?.split(']').next().map(str::to_string))
        .collect()
}

#[test]
fn the_language_comes_from_the_flag_or_the_locale() {
    let (en_out, en_err) = short_check(&[], &[]);
    assert!(en_out.contains(": error[email]: "), "{en_out}");
    assert!(en_err.starts_with("checked 1 file, 1 agreement: 1 error"), "{en_err}");
    for (args, env) in [
        (&["--lang", "nb"][..], &[][..]),
        (&[][..], &[("LANG", "nb_NO.UTF-8")][..]),
        (&[][..], &[("LC_MESSAGES", "no_NO"), ("LANG", "en_US.UTF-8")][..]),
        (&["--lang", "nb"][..], &[("LC_ALL", "C")][..]),
    ] {
        let (out, err) = short_check(args, env);
        assert!(out.contains(": feil[email]: "), "{args:?} {env:?}: {out}");
        assert!(out.contains("er ikke en gyldig e-postadresse"), "{out}");
        assert!(err.starts_with("kontrollerte 1 fil, 1 avtale: 1 feil"), "{err}");
        assert_eq!(codes(&out), codes(&en_out), "rule codes are the same in every language");
    }
    for (args, env) in [
        (&[][..], &[("LANG", "de_DE.UTF-8")][..]),
        (&[][..], &[("LC_ALL", "C"), ("LANG", "nb_NO.UTF-8")][..]),
        (&["--lang", "en"][..], &[("LANG", "nb_NO.UTF-8")][..]),
    ] {
        assert_eq!(
            short_check(args, env),
            (en_out.clone(), en_err.clone()),
            "{args:?} {env:?}"
        );
    }
}

#[test]
fn the_flag_works_before_the_subcommand_and_for_the_tools_own_errors() {
    let out = avtale()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .args([
            "--lang",
            "nb",
            "new",
            "--orgnr",
            "974760673",
            "--navn",
            "X",
            "--tjeneste",
            "finnes-ikke",
        ])
        .output()
        .expect("avtale runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("feil: ukjent tjeneste `finnes-ikke`"), "{err}");
}

#[test]
fn mistakes_on_the_command_line_are_said_in_bokmaal_too() {
    let run = |args: &[&str], lang: &str| {
        let out = avtale()
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", lang)
            .args(args)
            .output()
            .expect("avtale runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let nb = "nb_NO.UTF-8";
    let cases: [(&[&str], &str, &[&str]); 5] = [
        (
            &["bild"],
            nb,
            &["feil: ukjent underkommando `bild`", "mente du `build`?", "Bruk: avtale"],
        ),
        (
            &["--lang", "nb", "build", "--bogus"],
            "C",
            &["feil: ukjent argument `--bogus`", "Bruk: avtale build"],
        ),
        (
            &["check", "--lang=nb", "--diagnostic-format", "xml"],
            "C",
            &["`xml` er ikke en gyldig verdi", "gyldige verdier: human, short"],
        ),
        (&["diff", "a.toml"], nb, &["feil: mangler `<NEW>`, som må være med"]),
        (
            &["build", "--no-atachments"],
            nb,
            &["mente du `--no-attachments`?", "Mer hjelp: avtale --help"],
        ),
    ];
    for (args, lang, wanted) in cases {
        let err = run(args, lang);
        for w in wanted {
            assert!(err.contains(w), "{args:?}: {w:?} not in\n{err}");
        }
    }
    // English stays clap's own text, and so does a word after `--`.
    assert!(run(&["bild"], "C").starts_with("error: unrecognized subcommand 'bild'"));
    assert!(run(&["--lang", "en", "bild"], nb).starts_with("error: unrecognized subcommand 'bild'"));
    assert!(run(&["diff", "--", "--lang", "nb"], "C").starts_with("error:"));
}

#[test]
fn json_keeps_its_keys_and_codes_with_bokmaal_messages() {
    let out = avtale()
        .args([
            "check",
            "--lang",
            "nb",
            "--diagnostic-format",
            "json",
            "tests/fixtures/check/email.toml",
        ])
        .output()
        .expect("avtale runs");
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.lines().next().expect("a line")).expect("JSON");
    assert_eq!(v["code"], "email");
    assert_eq!(v["severity"], "error");
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("e-postadresse")),
        "{v}"
    );
}

#[test]
fn diff_describes_changes_in_the_chosen_language() {
    let dir = tempfile::tempdir().unwrap();
    let old = root().join("agreements/nordlys-sparebank.toml");
    let text = std::fs::read_to_string(&old).unwrap();
    let new = dir.path().join("ny.toml");
    std::fs::write(&new, text.replacen("tittel = \"", "tittel = \"Ny ", 1)).unwrap();
    let run = |lang: &str| {
        let out = avtale()
            .env("LANG", "C")
            .args(["--lang", lang, "diff"])
            .arg(&old)
            .arg(&new)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let (en, nb) = (run("en"), run("nb"));
    assert!(en.contains("contact's title changed from"), "{en}");
    assert!(
        nb.contains("Tittelen til kontaktpersonen for") && nb.contains("er endret fra"),
        "{nb}"
    );
}
