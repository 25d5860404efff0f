//! A located value tree that both TOML files and CSV rows turn into, and a reader over it
//! that reports unknown keys, missing fields and wrong types as it goes.

use toml::de::{DeTable, DeValue};

use crate::base::diag::{Diagnostic, Loc, Sp};
use crate::base::i18n::Msg;
use crate::msg;

#[derive(Debug, Clone)]
pub enum Raw {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    Table(Table),
    /// A CSV cell: untyped text, read as whatever type the field needs.
    Cell(String),
}

impl Raw {
    /// What kind of value this is, as in "found a string".
    pub fn type_msg(&self) -> Msg {
        Msg::new(match self {
            Raw::Str(_) | Raw::Cell(_) => "type-string",
            Raw::Int(_) => "type-integer",
            Raw::Float(_) => "type-float",
            Raw::Bool(_) => "type-boolean-plain",
            Raw::Datetime(_) => "type-datetime",
            Raw::Array(_) => "type-array",
            Raw::Table(_) => "type-table",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub raw: Raw,
    pub loc: Loc,
    pub path: String,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub node: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }
}

/// The TOML path of `key` inside the table at `path`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Convert a parsed TOML table into a located tree.
pub fn from_toml(file: usize, table: &DeTable<'_>, path: &str) -> Table {
    let mut entries = Vec::with_capacity(table.len());
    for (k, v) in table.iter() {
        let key = k.get_ref().to_string();
        let p = join(path, &key);
        entries.push(Entry {
            key,
            key_loc: Loc::new(file, k.span()),
            node: value_from_toml(file, v.get_ref(), v.span(), p),
        });
    }
    Table { entries }
}

fn value_from_toml(file: usize, v: &DeValue<'_>, span: std::ops::Range<usize>, path: String) -> Node {
    let raw = match v {
        DeValue::String(s) => Raw::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            let prefix = match i.radix() {
                16 => "0x",
                8 => "0o",
                2 => "0b",
                _ => "",
            };
            let digits = digits.strip_prefix(prefix).unwrap_or(&digits);
            match i64::from_str_radix(digits, i.radix()) {
                Ok(n) => Raw::Int(n),
                Err(_) => Raw::Float(f64::NAN),
            }
        }
        DeValue::Float(f) => Raw::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Raw::Bool(*b),
        DeValue::Datetime(d) => Raw::Datetime(*d),
        DeValue::Array(a) => Raw::Array(
            a.iter()
                .enumerate()
                .map(|(i, e)| value_from_toml(file, e.get_ref(), e.span(), format!("{path}[{i}]")))
                .collect(),
        ),
        DeValue::Table(t) => Raw::Table(from_toml(file, t, &path)),
    };
    Node {
        raw,
        loc: Loc::new(file, span),
        path,
    }
}

/// Reads one table: unknown keys are reported when it is opened, every getter reports
/// missing or mistyped values. Getters return `None` after reporting.
pub struct Reader<'a> {
    pub table: &'a Table,
    pub loc: Loc,
    pub path: String,
}

pub type Diags = Vec<Diagnostic>;

impl<'a> Reader<'a> {
    pub fn open(diags: &mut Diags, table: &'a Table, loc: Loc, path: &str, known: &[&str]) -> Self {
        for e in &table.entries {
            if !known.contains(&e.key.as_str()) {
                let mut d = Diagnostic::error(
                    "unknown-key",
                    e.key_loc.clone(),
                    e.node.path.clone(),
                    msg!("unknown-key", key = &e.key),
                );
                d = match suggest(&e.key, known.iter().copied()) {
                    Some(s) => d.with_help(msg!("did-you-mean", suggestion = s)),
                    None => d.with_help(msg!("unknown-key-help", keys = quote_list(known))),
                };
                diags.push(d);
            }
        }
        Reader {
            table,
            loc,
            path: path.to_string(),
        }
    }

    pub fn node(&self, key: &str) -> Option<&'a Node> {
        self.table.get(key)
    }

    fn missing(&self, diags: &mut Diags, key: &str, help: Msg) {
        diags.push(
            Diagnostic::error(
                "missing-field",
                self.loc.clone(),
                join(&self.path, key),
                msg!("missing-field", key = key),
            )
            .with_help(help),
        );
    }

    pub fn str_opt(&self, diags: &mut Diags, key: &str) -> Option<Sp<String>> {
        let n = self.node(key)?;
        as_str(diags, n)
    }

    pub fn str_req(&self, diags: &mut Diags, key: &str, help: Msg) -> Option<Sp<String>> {
        match self.node(key) {
            Some(n) => {
                let s = as_str(diags, n)?;
                if s.v.trim().is_empty() {
                    diags.push(
                        Diagnostic::error("invalid-value", s.loc, s.path, msg!("empty-value", key = key))
                            .with_help(help),
                    );
                    return None;
                }
                Some(s)
            }
            None => {
                self.missing(diags, key, help);
                None
            }
        }
    }

    /// A string that must be one of `allowed`.
    pub fn enum_opt(&self, diags: &mut Diags, key: &str, allowed: &[&str]) -> Option<Sp<String>> {
        let s = self.str_opt(diags, key)?;
        check_enum(diags, s, allowed)
    }

    pub fn enum_req(&self, diags: &mut Diags, key: &str, allowed: &[&str]) -> Option<Sp<String>> {
        let s = self.str_req(diags, key, msg!("one-of", allowed = quote_list(allowed)))?;
        check_enum(diags, s, allowed)
    }

    pub fn bool_opt(&self, diags: &mut Diags, key: &str) -> Option<Sp<bool>> {
        let n = self.node(key)?;
        match &n.raw {
            Raw::Bool(b) => Some(Sp::new(*b, n.loc.clone(), n.path.clone())),
            Raw::Cell(s) if s == "true" || s == "false" => Some(Sp::new(s == "true", n.loc.clone(), n.path.clone())),
            other => {
                type_error(diags, n, msg!("type-boolean"), other);
                None
            }
        }
    }

    pub fn int_opt(&self, diags: &mut Diags, key: &str) -> Option<Sp<i64>> {
        let n = self.node(key)?;
        match &n.raw {
            Raw::Int(i) => Some(Sp::new(*i, n.loc.clone(), n.path.clone())),
            Raw::Cell(s) if s.parse::<i64>().is_ok() => {
                Some(Sp::new(s.parse().unwrap_or(0), n.loc.clone(), n.path.clone()))
            }
            other => {
                type_error(diags, n, msg!("type-integer"), other);
                None
            }
        }
    }

    pub fn date_opt(&self, diags: &mut Diags, key: &str) -> Option<Sp<chrono::NaiveDate>> {
        let n = self.node(key)?;
        as_date(diags, n)
    }

    pub fn date_req(&self, diags: &mut Diags, key: &str) -> Option<Sp<chrono::NaiveDate>> {
        match self.node(key) {
            Some(n) => as_date(diags, n),
            None => {
                self.missing(diags, key, msg!("missing-date-help"));
                None
            }
        }
    }

    /// A sub-table; `None` when absent (not reported) or of the wrong type (reported).
    pub fn table_opt(&self, diags: &mut Diags, key: &str) -> Option<(&'a Table, Loc, String)> {
        let n = self.node(key)?;
        match &n.raw {
            Raw::Table(t) => Some((t, n.loc.clone(), n.path.clone())),
            other => {
                type_error(diags, n, msg!("type-table"), other);
                None
            }
        }
    }

    pub fn table_req(&self, diags: &mut Diags, key: &str, help: Msg) -> Option<(&'a Table, Loc, String)> {
        if self.node(key).is_none() {
            self.missing(diags, key, help);
            return None;
        }
        self.table_opt(diags, key)
    }

    /// An array of tables (`[[key]]`); absent gives an empty list.
    pub fn tables(&self, diags: &mut Diags, key: &str) -> Vec<(&'a Table, Loc, String)> {
        let Some(n) = self.node(key) else { return Vec::new() };
        match &n.raw {
            Raw::Array(items) => items
                .iter()
                .filter_map(|item| match &item.raw {
                    Raw::Table(t) => Some((t, item.loc.clone(), item.path.clone())),
                    other => {
                        type_error(diags, item, msg!("type-table"), other);
                        None
                    }
                })
                .collect(),
            other => {
                type_error(diags, n, msg!("type-array-of-tables", key = key), other);
                Vec::new()
            }
        }
    }

    /// An array of strings; `None` when absent.
    pub fn str_array_opt(&self, diags: &mut Diags, key: &str) -> Option<(Vec<Sp<String>>, Loc)> {
        let n = self.node(key)?;
        match &n.raw {
            Raw::Array(items) => Some((items.iter().filter_map(|i| as_str(diags, i)).collect(), n.loc.clone())),
            // A CSV cell holds a list separated by `;`.
            Raw::Cell(s) => Some((
                s.split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Sp::new(p.to_string(), n.loc.clone(), n.path.clone()))
                    .collect(),
                n.loc.clone(),
            )),
            other => {
                type_error(diags, n, msg!("type-array-of-strings"), other);
                None
            }
        }
    }
}

fn check_enum(diags: &mut Diags, s: Sp<String>, allowed: &[&str]) -> Option<Sp<String>> {
    if allowed.contains(&s.v.as_str()) {
        return Some(s);
    }
    let mut d = Diagnostic::error_at("invalid-value", &s, msg!("not-allowed", value = &s.v));
    d = match suggest(&s.v, allowed.iter().copied()) {
        Some(x) => d.with_help(msg!("allowed-suggest", suggestion = x, allowed = quote_list(allowed))),
        None => d.with_help(msg!("allowed", allowed = quote_list(allowed))),
    };
    diags.push(d);
    None
}

pub fn as_str(diags: &mut Diags, n: &Node) -> Option<Sp<String>> {
    match &n.raw {
        Raw::Str(s) | Raw::Cell(s) => Some(Sp::new(s.clone(), n.loc.clone(), n.path.clone())),
        other => {
            type_error(diags, n, msg!("type-string"), other);
            None
        }
    }
}

fn as_date(diags: &mut Diags, n: &Node) -> Option<Sp<chrono::NaiveDate>> {
    let text = match &n.raw {
        Raw::Datetime(d) if d.date.is_some() && d.time.is_none() && d.offset.is_none() => d.to_string(),
        Raw::Cell(s) => s.trim().to_string(),
        other => {
            let mut d = Diagnostic::error(
                "invalid-type",
                n.loc.clone(),
                n.path.clone(),
                Msg::new("expected-date").nested("found", other.type_msg()),
            );
            d = d.with_help(match other {
                Raw::Str(s) => msg!("date-quoted-help", date = s.trim()),
                _ => msg!("date-type-help"),
            });
            diags.push(d);
            return None;
        }
    };
    match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(d) => Some(Sp::new(d, n.loc.clone(), n.path.clone())),
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    "invalid-value",
                    n.loc.clone(),
                    n.path.clone(),
                    msg!("not-a-date", value = &text),
                )
                .with_help(msg!("not-a-date-help")),
            );
            None
        }
    }
}

pub fn type_error(diags: &mut Diags, n: &Node, expected: Msg, found: &Raw) {
    diags.push(Diagnostic::error(
        "invalid-type",
        n.loc.clone(),
        n.path.clone(),
        Msg::new("expected-type")
            .nested("expected", expected)
            .nested("found", found.type_msg()),
    ));
}

/// Words longer than this (in bytes) get no suggestion.
const MAX_SUGGEST_LEN: usize = 100;

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Keys are short; comparing a huge one with every candidate would only cost time.
    if word.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score > best.map_or(0.0, |b| b.0) {
            best = Some((score, c));
        }
    }
    best.filter(|b| b.0 >= 0.8).map(|b| b.1)
}

pub fn quote_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_typos_only() {
        assert_eq!(
            suggest("organisasjonsnumer", ["navn", "organisasjonsnummer"]),
            Some("organisasjonsnummer")
        );
        assert_eq!(suggest("zzz", ["navn", "organisasjonsnummer"]), None);
    }
}
