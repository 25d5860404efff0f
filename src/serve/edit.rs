//! Changes to an agreement file's text at a TOML path, made with `toml_edit` so that
//! comments, key order and layout of everything else stay as they were.

use serde::Deserialize;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

// A change outside the tables an agreement file has at its top is refused.
use crate::input::model::ROOT_KEYS;

/// One step of a TOML path such as `tjeneste[1].utleveringsgrunnlag.type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The most steps a path of the form has (`tjeneste[1].utleveringsgrunnlag.type` has four).
const MAX_STEPS: usize = 6;

/// The steps of a path; `None` when it is not one (empty keys, bad indexes, a first key that
/// is not a part of an agreement, more steps than the form ever uses).
pub fn parse_path(path: &str) -> Option<Vec<Step>> {
    if path.len() > 200 || !ROOT_KEYS.iter().any(|k| path.split(['.', '[']).next() == Some(*k)) {
        return None;
    }
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return None;
        }
        steps.push(Step::Key(key.to_string()));
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            steps.push(Step::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        }
        if !rest.is_empty() || steps.len() > MAX_STEPS {
            return None;
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// A value as a form field gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// A string; empty removes the key (an optional value left out).
    Text(String),
    /// A date `YYYY-MM-DD`; anything else is kept as a string, for `check` to report.
    Date(String),
    Bool(bool),
    /// A list of strings, e.g. `miljoe` or `retur_url`.
    List(Vec<String>),
}

/// A change the editor asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// Set the value at `path`.
    Set { path: String, value: FieldValue },
    /// Remove the value or table at `path` (an array element: `kontakt[1]`).
    Remove { path: String },
    /// Add a new element to the array of tables `path` (e.g. `kontakt`), or add the table
    /// `path` (e.g. `segment`) when it is not there.
    Add { path: String },
    /// Move the array element at `path` to index `to`.
    Move { path: String, to: usize },
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Set { path, .. } | Change::Remove { path } | Change::Add { path } | Change::Move { path, .. } => {
                path
            }
        }
    }
}

/// Apply `change` to `text`; the new text, or why the change cannot be made (the text is
/// not TOML, or the path does not lead anywhere in it).
pub fn apply(text: &str, change: &Change, new_table: &dyn Fn(&str) -> Table) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|_| "filen er ikke gyldig TOML; rett feilen i TOML-fanen først".to_string())?;
    let steps = parse_path(change.path()).ok_or_else(|| format!("`{}` er ikke en gyldig sti", change.path()))?;
    match change {
        Change::Set { value, .. } => set(&mut doc, &steps, value)?,
        Change::Remove { .. } => remove(&mut doc, &steps)?,
        Change::Add { path, .. } => add(&mut doc, &steps, new_table(path))?,
        Change::Move { to, .. } => move_element(&mut doc, &steps, *to)?,
    }
    Ok(doc.to_string())
}

fn not_found(steps: &[Step]) -> String {
    format!("finner ikke `{}` i filen", display(steps))
}

fn display(steps: &[Step]) -> String {
    let mut s = String::new();
    for step in steps {
        match step {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// A mutable place in the document, by what it holds.
enum Place<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
    Tables(&'a mut ArrayOfTables),
    Array(&'a mut Array),
    Scalar,
}

fn of_item(item: &mut Item) -> Place<'_> {
    match item {
        Item::Table(t) => Place::Table(t),
        Item::ArrayOfTables(a) => Place::Tables(a),
        Item::Value(v) => of_value(v),
        Item::None => Place::Scalar,
    }
}

fn of_value(v: &mut Value) -> Place<'_> {
    match v {
        Value::InlineTable(t) => Place::Inline(t),
        Value::Array(a) => Place::Array(a),
        _ => Place::Scalar,
    }
}

/// The place at `steps`, creating missing tables on the way when `create` is set.
fn walk<'a>(doc: &'a mut DocumentMut, steps: &[Step], create: bool) -> Option<Place<'a>> {
    let mut place = Place::Table(doc.as_table_mut());
    for step in steps {
        place = match (place, step) {
            (Place::Table(t), Step::Key(k)) => {
                if create && !t.contains_key(k) {
                    let mut sub = Table::new();
                    sub.set_implicit(true);
                    t.insert(k, Item::Table(sub));
                }
                of_item(t.get_mut(k)?)
            }
            (Place::Inline(t), Step::Key(k)) => {
                if create && !t.contains_key(k) {
                    t.insert(k, Value::InlineTable(InlineTable::new()));
                }
                of_value(t.get_mut(k)?)
            }
            (Place::Tables(a), Step::Index(i)) => Place::Table(a.get_mut(*i)?),
            (Place::Array(a), Step::Index(i)) => of_value(a.get_mut(*i)?),
            _ => return None,
        };
    }
    Some(place)
}

/// The value a field gives, as TOML.
fn to_value(v: &FieldValue) -> Option<Value> {
    Some(match v {
        FieldValue::Text(s) if s.is_empty() => return None,
        FieldValue::Text(s) => Value::from(s.as_str()),
        FieldValue::Date(s) if s.is_empty() => return None,
        FieldValue::Date(s) => match s.parse::<toml_edit::Datetime>() {
            Ok(d) if d.date.is_some() && d.time.is_none() => Value::from(d),
            _ => Value::from(s.as_str()),
        },
        FieldValue::Bool(b) => Value::from(*b),
        FieldValue::List(items) => {
            let mut a = Array::new();
            for s in items.iter().filter(|s| !s.trim().is_empty()) {
                a.push(s.trim());
            }
            Value::Array(a)
        }
    })
}

/// Replace `old` by `new`, keeping the comments and spacing around `old`.
fn replace_value(old: &mut Value, mut new: Value) {
    *new.decor_mut() = old.decor().clone();
    *old = new;
}

fn set(doc: &mut DocumentMut, steps: &[Step], v: &FieldValue) -> Result<(), String> {
    let Some((Step::Key(last), parent)) = steps.split_last() else {
        return Err(not_found(steps));
    };
    let Some(new) = to_value(v) else {
        // An emptied field leaves the key out; a key that is not there is fine.
        return remove(doc, steps).or(Ok(()));
    };
    match walk(doc, parent, true) {
        Some(Place::Table(t)) => match t.get_mut(last) {
            Some(Item::Value(old)) => replace_value(old, new),
            _ => {
                t.insert(last, Item::Value(new));
            }
        },
        Some(Place::Inline(t)) => match t.get_mut(last) {
            Some(old) => replace_value(old, new),
            None => {
                t.insert(last, new);
            }
        },
        _ => return Err(not_found(steps)),
    }
    Ok(())
}

fn remove(doc: &mut DocumentMut, steps: &[Step]) -> Result<(), String> {
    let err = not_found(steps);
    let (last, parent) = steps.split_last().ok_or_else(|| err.clone())?;
    let removed = match (walk(doc, parent, false), last) {
        (Some(Place::Table(t)), Step::Key(k)) => t.remove(k).is_some(),
        (Some(Place::Inline(t)), Step::Key(k)) => t.remove(k).is_some(),
        (Some(Place::Tables(a)), Step::Index(i)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        (Some(Place::Array(a)), Step::Index(i)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    };
    if removed { Ok(()) } else { Err(err) }
}

fn add(doc: &mut DocumentMut, steps: &[Step], new: Table) -> Result<(), String> {
    let err = not_found(steps);
    let Some((Step::Key(last), parent)) = steps.split_last() else {
        return Err(err);
    };
    let Some(Place::Table(t)) = walk(doc, parent, true) else {
        return Err(err);
    };
    match t.get_mut(last) {
        Some(Item::ArrayOfTables(a)) => a.push(new),
        Some(Item::Value(Value::Array(a))) => a.push(new.into_inline_table()),
        Some(Item::Table(existing)) if existing.is_empty() => *existing = new,
        Some(_) => return Err(format!("`{}` finnes allerede", display(steps))),
        None if is_array_of_tables(last) => {
            let mut a = ArrayOfTables::new();
            a.push(new);
            t.insert(last, Item::ArrayOfTables(a));
        }
        None => {
            t.insert(last, Item::Table(new));
        }
    }
    renumber(doc.as_table_mut(), &mut 0);
    Ok(())
}

/// The parts of an agreement that repeat (`[[kontakt]]` and the like).
pub fn is_array_of_tables(key: &str) -> bool {
    matches!(key, "kontakt" | "signatar" | "databehandler" | "tjeneste")
}

fn move_element(doc: &mut DocumentMut, steps: &[Step], to: usize) -> Result<(), String> {
    let err = not_found(steps);
    let Some((Step::Index(from), parent)) = steps.split_last() else {
        return Err(err);
    };
    let from = *from;
    match walk(doc, parent, false) {
        Some(Place::Tables(a)) if from < a.len() && to < a.len() => {
            let mut tables: Vec<Table> = std::mem::take(a).into_iter().collect();
            let t = tables.remove(from);
            tables.insert(to, t);
            a.extend(tables);
        }
        Some(Place::Array(a)) if from < a.len() && to < a.len() => {
            let v = a.remove(from);
            a.insert_formatted(to, v);
        }
        _ => return Err(err),
    }
    renumber(doc.as_table_mut(), &mut 0);
    Ok(())
}

/// Give the tables of `table` document positions in their logical order: siblings in the
/// order they were written, each element of an array of tables followed by its own
/// sub-tables. Tables keep their place relative to each other; moved or added elements of an
/// array of tables are written where the array says.
fn renumber(table: &mut Table, next: &mut isize) {
    let mut children: Vec<(isize, String)> = table
        .iter()
        .filter_map(|(k, item)| first_position(item).map(|p| (p, k.to_string())))
        .collect();
    children.sort();
    for (_, key) in children {
        match table.get_mut(&key) {
            Some(Item::Table(t)) => {
                if !t.is_implicit() {
                    t.set_position(Some(*next));
                    *next += 1;
                }
                renumber(t, next);
            }
            Some(Item::ArrayOfTables(a)) => {
                for t in a.iter_mut() {
                    t.set_position(Some(*next));
                    *next += 1;
                    renumber(t, next);
                }
            }
            _ => {}
        }
    }
}

/// Where the first table of `item` is written; new tables without a position go last.
fn first_position(item: &Item) -> Option<isize> {
    match item {
        Item::Table(t) => {
            let own = (!t.is_implicit()).then(|| t.position().unwrap_or(isize::MAX));
            let inner = t.iter().filter_map(|(_, i)| first_position(i)).min();
            own.into_iter().chain(inner).min().or(Some(isize::MAX))
        }
        Item::ArrayOfTables(a) => a
            .iter()
            .map(|t| t.position().unwrap_or(isize::MAX))
            .min()
            .or(Some(isize::MAX)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# Avtalen om lønnsdata
[avtale]
id = \"a-1\" # beholdes
status = \"utkast\"

[[kontakt]]
# første kontakt
rolle = \"forretning\"
navn = \"Kari\"

[[kontakt]]
rolle = \"teknisk\"
navn = \"Ola\"

[[tjeneste]]
id = \"inntekt\"

[tjeneste.utleveringsgrunnlag]
type = \"hjemmel\"

[[tjeneste]]
id = \"skattetrekk\"

[tjeneste.utleveringsgrunnlag]
type = \"samtykke\"
";

    fn run(change: Change) -> Result<String, String> {
        apply(TEXT, &change, &|_| {
            let mut t = Table::new();
            t["navn"] = toml_edit::value("");
            t
        })
    }

    fn set(path: &str, value: FieldValue) -> Change {
        Change::Set {
            path: path.into(),
            value,
        }
    }

    #[test]
    fn paths_parse_or_are_refused() {
        assert_eq!(
            parse_path("tjeneste[1].utleveringsgrunnlag.type"),
            Some(vec![
                Step::Key("tjeneste".into()),
                Step::Index(1),
                Step::Key("utleveringsgrunnlag".into()),
                Step::Key("type".into()),
            ])
        );
        for bad in [
            "",
            ".",
            "avtale..b",
            "kontakt[",
            "kontakt[x]",
            "kontakt[-1]",
            "[0]",
            "avtale]b",
            "avtale b",
            "kontakt[0]x",
            "ukjent.id",
            "avtalen.id",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
        let deep = format!("avtale{}", ".a".repeat(10_000));
        assert_eq!(parse_path(&deep), None, "a path deeper than the form is refused");
        assert_eq!(parse_path("avtale.a.a.a.a.a.a"), None);
        assert!(parse_path("avtale.a.a.a.a.a").is_some());
    }

    #[test]
    fn setting_a_value_changes_that_line_only_and_keeps_its_comment() {
        let out = run(set("avtale.id", FieldValue::Text("a-2".into()))).unwrap();
        assert_eq!(out, TEXT.replace("id = \"a-1\" # beholdes", "id = \"a-2\" # beholdes"));
        let out = run(set("kontakt[1].epost", FieldValue::Text("ola@example.no".into()))).unwrap();
        assert!(out.contains("navn = \"Ola\"\nepost = \"ola@example.no\"\n"), "{out}");
        assert!(out.starts_with("# Avtalen om lønnsdata\n"));
    }

    #[test]
    fn an_emptied_field_leaves_its_key_out() {
        let out = run(set("kontakt[0].navn", FieldValue::Text(String::new()))).unwrap();
        assert!(!out.contains("Kari"));
        assert!(out.contains("# første kontakt\nrolle = \"forretning\"\n"), "{out}");
        // Emptying a key that is not there changes nothing.
        assert_eq!(
            run(set("kontakt[0].epost", FieldValue::Text(String::new()))).unwrap(),
            TEXT
        );
    }

    #[test]
    fn dates_lists_and_booleans_get_their_toml_types() {
        let out = run(set("avtale.gyldig_fra", FieldValue::Date("2027-01-01".into()))).unwrap();
        assert!(out.contains("gyldig_fra = 2027-01-01\n"), "{out}");
        let out = run(set("avtale.gyldig_fra", FieldValue::Date("1. januar".into()))).unwrap();
        assert!(out.contains("gyldig_fra = \"1. januar\"\n"), "{out}");
        let out = run(set(
            "avtale.miljoe",
            FieldValue::List(vec!["test".into(), "produksjon".into()]),
        ))
        .unwrap();
        assert!(out.contains("miljoe = [\"test\", \"produksjon\"]"), "{out}");
        let out = run(set("avtale.testdata", FieldValue::Bool(true))).unwrap();
        assert!(out.contains("testdata = true"), "{out}");
    }

    #[test]
    fn moving_a_service_moves_its_sub_tables_with_it() {
        let out = run(Change::Move {
            path: "tjeneste[1]".into(),
            to: 0,
        })
        .unwrap();
        let doc: toml::Table = toml::from_str(&out).unwrap();
        let services = doc["tjeneste"].as_array().unwrap();
        assert_eq!(services[0]["id"].as_str(), Some("skattetrekk"));
        assert_eq!(services[0]["utleveringsgrunnlag"]["type"].as_str(), Some("samtykke"));
        assert_eq!(services[1]["utleveringsgrunnlag"]["type"].as_str(), Some("hjemmel"));
        let first = out.find("id = \"skattetrekk\"").unwrap();
        let samtykke = out.find("type = \"samtykke\"").unwrap();
        let inntekt = out.find("id = \"inntekt\"").unwrap();
        assert!(first < samtykke && samtykke < inntekt, "{out}");
        // The contacts before the services stay where they were.
        assert!(out.find("navn = \"Ola\"").unwrap() < first);
    }

    #[test]
    fn adding_and_removing_repeated_parts() {
        let out = run(Change::Add { path: "kontakt".into() }).unwrap();
        let doc: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(doc["kontakt"].as_array().unwrap().len(), 3);
        // The new contact is written after the other contacts, before the services.
        let new = out.find("navn = \"\"").unwrap();
        assert!(out.find("navn = \"Ola\"").unwrap() < new && new < out.find("[[tjeneste]]").unwrap());
        let out = run(Change::Add {
            path: "signatar".into(),
        })
        .unwrap();
        assert!(out.trim_end().ends_with("[[signatar]]\nnavn = \"\""), "{out}");
        let out = run(Change::Remove {
            path: "kontakt[0]".into(),
        })
        .unwrap();
        assert!(!out.contains("Kari") && out.contains("Ola"));
        assert!(
            run(Change::Remove {
                path: "kontakt[5]".into()
            })
            .is_err()
        );
        assert!(
            run(Change::Add { path: "avtale".into() }).is_err(),
            "a filled table is not replaced"
        );
    }

    #[test]
    fn hostile_changes_are_errors_not_panics() {
        for path in ["avtale.id.x", "kontakt[9].navn", "kontakt.navn", "tjeneste[0][1]"] {
            for change in [
                set(path, FieldValue::Text("x".into())),
                Change::Remove { path: path.into() },
                Change::Add { path: path.into() },
                Change::Move {
                    path: path.into(),
                    to: 7,
                },
            ] {
                let _ = run(change);
            }
        }
        assert!(apply("[avtale", &Change::Remove { path: "avtale".into() }, &|_| Table::new()).is_err());
    }
}
