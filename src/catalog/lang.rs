//! The fixed text of the agreement in each language it can be written in: labels, headings,
//! the declaration, dates. The tables live in `templates/spraak/*.toml` beside the templates,
//! so that they can be edited without a rebuild; every table must have the keys and
//! placeholders of the bokmål one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::catalog::assets::Assets;
use crate::catalog::{BASE_LANGUAGE, LANGUAGES};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    navn: String,
    dato: String,
    maaneder: Vec<String>,
    og: String,
    etikett: BTreeMap<String, String>,
    erklaering: BTreeMap<String, String>,
    tekst: BTreeMap<String, String>,
}

/// One language's fixed text.
#[derive(Debug, Clone)]
pub struct LanguageTable {
    pub code: String,
    pub navn: String,
    dato: String,
    maaneder: Vec<String>,
    og: String,
    etikett: BTreeMap<String, String>,
    erklaering: BTreeMap<String, String>,
    /// Headings, labels and sentences of the templates, by key.
    pub tekst: BTreeMap<String, String>,
}

impl LanguageTable {
    /// `12. mai 2026`, `12 May 2026`.
    pub fn date(&self, d: NaiveDate) -> String {
        fill(
            &self.dato,
            &[
                ("dag", &d.day().to_string()),
                ("maaned", &self.maaneder[d.month0() as usize]),
                ("aar", &d.year().to_string()),
            ],
        )
    }

    /// A label for a value of the agreement file (`utkast`, `teknisk`, ...); values without
    /// a label are printed as they are.
    pub fn label(&self, value: &str) -> String {
        self.etikett.get(value).cloned().unwrap_or_else(|| value.to_string())
    }

    /// A clause of the declaration.
    pub fn clause(&self, key: &str) -> String {
        self.erklaering.get(key).cloned().unwrap_or_default()
    }

    /// A template text with its placeholders filled in.
    pub fn text(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.tekst.get(key).map_or(key, String::as_str), values)
    }

    /// `a, b og c`.
    pub fn join(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} {} {}", init.join(", "), self.og, last),
        }
    }
}

/// Replace `{name}` placeholders; text outside them is kept as it is.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + end + 2]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn placeholders(s: &str) -> BTreeSet<&str> {
    let mut set = BTreeSet::new();
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                set.insert(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    set
}

/// Read and parse one language's table.
fn parse(assets: &Assets, code: &str) -> Result<LanguageTable, String> {
    let path = format!("spraak/{code}.toml");
    let name = assets.display(&path);
    let text = assets.read_string(&path)?;
    let f = toml::from_str::<TableFile>(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(":{}", text[..s.start].matches('\n').count() + 1))
            .unwrap_or_default();
        format!("{name}{at}: {}", e.message())
    })?;
    if f.maaneder.len() != 12 {
        return Err(format!("{name}: `maaneder` must name 12 months"));
    }
    Ok(LanguageTable {
        code: code.to_string(),
        navn: f.navn,
        dato: f.dato,
        maaneder: f.maaneder,
        og: f.og,
        etikett: f.etikett,
        erklaering: f.erklaering,
        tekst: f.tekst,
    })
}

/// The tables of every language.
#[derive(Debug, Clone)]
pub struct Texts {
    tables: BTreeMap<String, LanguageTable>,
}

impl Texts {
    /// Load and check `spraak/<lang>.toml` for every language: each table must have exactly
    /// the keys, and per key the placeholders, of the shipped bokmål table, which is what the
    /// code and the shipped templates ask for; a missing clause must not vanish silently.
    pub fn load(assets: &Assets) -> Result<Texts, Vec<String>> {
        let mut tables = BTreeMap::new();
        let mut errors = Vec::new();
        for code in LANGUAGES {
            match parse(assets, code) {
                Ok(t) => {
                    tables.insert(code.to_string(), t);
                }
                Err(e) => errors.push(e),
            }
        }
        let shipped;
        let base = match assets {
            Assets::Embedded => tables.get(BASE_LANGUAGE),
            _ => {
                shipped = parse(&Assets::Embedded, BASE_LANGUAGE).map_err(|e| vec![e])?;
                Some(&shipped)
            }
        };
        if let Some(base) = base {
            for (code, t) in &tables {
                let name = assets.display(&format!("spraak/{code}.toml"));
                if placeholders(&t.dato) != placeholders(&base.dato) {
                    errors.push(format!(
                        "{name}: `dato` must use the placeholders {:?}",
                        placeholders(&base.dato)
                    ));
                }
                for (section, want, have) in [
                    ("etikett", &base.etikett, &t.etikett),
                    ("erklaering", &base.erklaering, &t.erklaering),
                    ("tekst", &base.tekst, &t.tekst),
                ] {
                    for (key, value) in want {
                        match have.get(key) {
                            None => errors.push(format!(
                                "{name}: `{section}.{key}` is missing (the shipped bokmål table has it)"
                            )),
                            Some(v) if placeholders(v) != placeholders(value) => errors.push(format!(
                                "{name}: `{section}.{key}` must use the placeholders {:?}",
                                placeholders(value)
                            )),
                            Some(_) => {}
                        }
                    }
                    for key in have.keys().filter(|k| !want.contains_key(*k)) {
                        errors.push(format!(
                            "{name}: `{section}.{key}` is unknown (the shipped bokmål table does not have it)"
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(Texts { tables })
        } else {
            Err(errors)
        }
    }

    /// The table for a language; bokmål for one the tool does not know.
    pub fn table(&self, code: &str) -> &LanguageTable {
        self.tables
            .get(code)
            .or_else(|| self.tables.get(BASE_LANGUAGE))
            .or_else(|| self.tables.values().next())
            .expect("at least one language table is loaded")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        assert_eq!(fill("{a} og {b}", &[("a", "x"), ("b", "{a}")]), "x og {a}");
        assert_eq!(fill("{c} {", &[]), "{c} {");
    }

    #[test]
    fn every_shipped_table_loads_with_the_same_keys() {
        let t = Texts::load(&Assets::Embedded).expect("the shipped tables load");
        let d = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
        assert_eq!(t.table("nb").date(d), "12. mai 2026");
        assert_eq!(t.table("nn").date(d), "12. mai 2026");
        assert_eq!(t.table("en").date(d), "12 May 2026");
        assert_eq!(t.table("en").join(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(t.table("nn").label("daglig_leder"), "Dagleg leiar");
    }
}
