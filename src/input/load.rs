//! From paths on the command line to checked agreements: file discovery, reading with size
//! limits, TOML and CSV parsing, segment expansion, the rules, and duplicate ids.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use crate::base::diag::{Diagnostic, Loc, Severity, Sources, Sp};
use crate::base::i18n::{Msg, Text};
use crate::catalog::Catalogue;
use crate::input::members_xlsx::{self, Sheet};
use crate::input::model::{self, Agreement};
use crate::input::raw::{self, Diags, Entry, Node, Raw, Reader, Table};
use crate::input::rules;
use crate::input::select::Selection;
use crate::msg;

/// Agreement and segment files larger than this are refused unread.
pub const MAX_TOML_BYTES: u64 = 4 * 1024 * 1024;
/// Member lists can be large registers; still, not unbounded.
pub const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;
/// Syntax errors shown for one file; a file of garbage would otherwise give millions.
pub const MAX_SYNTAX_ERRORS: usize = 100;

/// Files that are never agreements, skipped when searching directories.
const NOT_AGREEMENTS: &[&str] = &[
    "katalog.toml",
    "Cargo.toml",
    "taplo.toml",
    ".taplo.toml",
    "rustfmt.toml",
    "clippy.toml",
    "deny.toml",
    ".avtale.toml",
    "book.toml",
    "rust-toolchain.toml",
    "pyproject.toml",
];

/// Where an agreement came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Origin {
    pub file: PathBuf,
    /// For segment members: 0-based index among the members.
    pub member: Option<usize>,
    /// For members read from CSV: the file and 1-based line of the row.
    pub csv_row: Option<(PathBuf, usize)>,
}

pub struct Loaded {
    pub origin: Origin,
    pub agreement: Agreement,
    /// Problems of this agreement, including those of its file as a whole.
    pub diags: Vec<Diagnostic>,
    /// The file it came from has errors of its own (a segment file's shared part).
    pub blocked: bool,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.blocked || self.diags.iter().any(|d| d.severity == Severity::Error)
    }
}

#[derive(Default)]
pub struct Run {
    pub sources: Sources,
    pub agreements: Vec<Loaded>,
    /// Problems not tied to one agreement (a file that is not TOML, a broken CSV, ...).
    pub file_diags: Vec<Diagnostic>,
    /// Problems that stop the tool from doing its job for a path (exit 2).
    pub tool_errors: Vec<Text>,
    pub files: usize,
    /// Excel member sheets by their file in `sources`, to name the cell of each problem.
    sheets: Vec<(usize, Sheet)>,
}

impl Run {
    /// Every diagnostic of the run, sorted by file and position, repeats removed.
    pub fn all_diags(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.file_diags.clone();
        for a in &self.agreements {
            all.extend(a.diags.iter().cloned());
        }
        crate::base::diag::sort_and_dedup(&self.sources, &mut all);
        all
    }
}

/// Expand command-line paths into agreement files, in a stable order.
pub fn discover(paths: &[PathBuf], tool_errors: &mut Vec<Text>) -> Vec<PathBuf> {
    discover_in(paths, tool_errors, &Selection::default())
}

/// Like [`discover`], keeping of the files a directory search finds those `selection` takes
/// (a file named on its own is always read).
pub fn discover_in(paths: &[PathBuf], tool_errors: &mut Vec<Text>, selection: &Selection) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => tool_errors.push(msg!("cannot-read-error", file = p.display(), error = e).into()),
            Ok(m) if m.is_dir() => {
                let mut found = walk(p, tool_errors);
                found.retain(|f| selection.takes(f));
                if found.is_empty() {
                    tool_errors.push(msg!("no-agreement-files", dir = p.display()).into());
                }
                out.append(&mut found);
            }
            Ok(_) => out.push(p.clone()),
        }
    }
    out
}

/// The agreement files under a directory, sorted: `*.toml` files, skipping hidden
/// directories, `target`, the names in `NOT_AGREEMENTS`, and whatever `.gitignore`,
/// `.ignore` and git's exclude files leave out (as ripgrep and fd do), so that tool files and
/// build output in a repository are not read as agreements.
fn walk(dir: &Path, tool_errors: &mut Vec<Text>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_some_and(|t| t.is_dir()) && e.file_name() == "target"))
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                let f = e.into_path();
                let toml = f.extension().is_some_and(|x| x == "toml");
                if toml && !f.file_name().is_some_and(|n| NOT_AGREEMENTS.iter().any(|s| n == *s)) {
                    found.push(f);
                }
            }
            Ok(_) => {}
            Err(err) => tool_errors.push(msg!("cannot-read-error", file = dir.display(), error = err).into()),
        }
    }
    found
}

/// Read, parse and check every agreement under `paths`.
pub fn load(paths: &[PathBuf], cat: &Catalogue) -> Run {
    load_in(paths, cat, &Selection::default())
}

/// Like [`load`], with the project's include and exclude globs for directory searches.
pub fn load_in(paths: &[PathBuf], cat: &Catalogue, selection: &Selection) -> Run {
    let mut run = Run::default();
    let files = discover_in(paths, &mut run.tool_errors, selection);
    for f in files {
        load_file(&mut run, &f, cat);
    }
    check_duplicate_ids(&mut run);
    name_cells(&mut run);
    run
}

/// Start the message of each problem in an Excel sheet with its sheet and cell.
fn name_cells(run: &mut Run) {
    let sheets = std::mem::take(&mut run.sheets);
    if sheets.is_empty() {
        return;
    }
    let place = |loc: &Loc, message: &str| {
        sheets
            .iter()
            .find(|(f, _)| *f == loc.file)
            .and_then(|(_, sheet)| sheet.place(&loc.span))
            .filter(|_| !message.starts_with("ark "))
    };
    let diags = run
        .file_diags
        .iter_mut()
        .chain(run.agreements.iter_mut().flat_map(|a| a.diags.iter_mut()));
    for d in diags {
        if let Some(p) = place(&d.loc, &d.message) {
            d.place_before(None, &p);
        }
        for i in 0..d.related.len() {
            if let Some(p) = place(&d.related[i].0, &d.related[i].1) {
                d.place_before(Some(i), &p);
            }
        }
    }
    run.sheets = sheets;
}

/// Read a file within a size limit; the text is lossily decoded so that the position of
/// a bad byte can still be shown.
fn read_limited(path: &Path, limit: u64) -> Result<(String, Option<usize>), Msg> {
    read_bytes_limited(path, limit).map(decode)
}

/// Read a file's bytes within a size limit.
fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Msg> {
    use std::io::Read;
    let cannot = |e: std::io::Error| msg!("cannot-read-error", file = path.display(), error = e);
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > limit {
        return Err(msg!(
            "file-too-large",
            file = path.display(),
            size = format!("{:.1}", len as f64 / (1024.0 * 1024.0)),
            limit = limit / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(msg!(
            "file-over-limit",
            file = path.display(),
            limit = limit / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Text from file bytes: a UTF-8 byte-order mark is dropped, and invalid UTF-8 is decoded
/// lossily together with the offset of the first bad byte, so that it can be shown.
pub fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

pub fn display_path(p: &Path) -> String {
    p.display().to_string()
}

fn load_file(run: &mut Run, path: &Path, cat: &Catalogue) {
    match read_limited(path, MAX_TOML_BYTES) {
        Ok(decoded) => load_text(run, path, decoded, cat),
        Err(e) => run.tool_errors.push(e.into()),
    }
}

/// Check one agreement or segment file given as bytes, as if read from `path` (a segment
/// file's member CSV is still read beside `path`). For tests and fuzzing.
pub fn load_bytes(path: &Path, bytes: &[u8], cat: &Catalogue) -> Run {
    let mut run = Run::default();
    if bytes.len() as u64 > MAX_TOML_BYTES {
        run.tool_errors
            .push(msg!("over-size-limit", file = path.display()).into());
        return run;
    }
    load_text(&mut run, path, decode(bytes.to_vec()), cat);
    check_duplicate_ids(&mut run);
    name_cells(&mut run);
    run
}

fn load_text(run: &mut Run, path: &Path, (text, bad_utf8): (String, Option<usize>), cat: &Catalogue) {
    run.files += 1;
    let file = run.sources.add(display_path(path), text);
    let text = run.sources.text(file).to_string();
    if let Some(at) = bad_utf8 {
        run.file_diags.push(
            Diagnostic::error("toml-syntax", Loc::new(file, at..at), "", msg!("not-utf8"))
                .with_help(msg!("not-utf8-help")),
        );
        return;
    }
    let (table, errors) = DeTable::parse_recoverable(&text);
    if !errors.is_empty() {
        let total = errors.len();
        for e in errors.into_iter().take(MAX_SYNTAX_ERRORS) {
            let span = e.span().unwrap_or(0..0);
            run.file_diags.push(Diagnostic::error(
                "toml-syntax",
                Loc::new(file, span),
                "",
                e.message().trim().to_string(),
            ));
        }
        if total > MAX_SYNTAX_ERRORS {
            let end = text.len();
            run.file_diags.push(
                Diagnostic::error(
                    "toml-syntax",
                    Loc::new(file, end..end),
                    "",
                    Msg::new("more-syntax-errors").count("count", total - MAX_SYNTAX_ERRORS),
                )
                .with_help(msg!("more-syntax-errors-help")),
            );
        }
        return;
    }
    let root = raw::from_toml(file, table.get_ref(), "");
    let mut file_diags = Vec::new();
    check_format(&mut file_diags, &root, file);
    if root.get("felles").is_some() {
        load_segment(run, path, file, &root, file_diags, cat);
    } else {
        let mut diags = file_diags;
        let a = model::read_agreement(&mut diags, &root, Loc::new(file, 0..0), "");
        finish(
            run,
            Origin {
                file: path.to_path_buf(),
                member: None,
                csv_row: None,
            },
            a,
            diags,
            false,
            cat,
        );
    }
}

fn finish(run: &mut Run, origin: Origin, a: Agreement, mut diags: Diags, blocked: bool, cat: &Catalogue) {
    rules::check(&mut diags, &a, cat);
    run.agreements.push(Loaded {
        origin,
        agreement: a,
        diags,
        blocked,
    });
}

fn check_format(diags: &mut Diags, root: &Table, file: usize) {
    match root.get("format") {
        None => diags.push(
            Diagnostic::error("format-version", Loc::new(file, 0..0), "format", msg!("format-missing"))
                .with_help(msg!("format-missing-help")),
        ),
        Some(Node { raw: Raw::Int(1), .. }) => {}
        Some(n) => diags.push(
            Diagnostic::error("format-version", n.loc.clone(), "format", msg!("format-unsupported"))
                .with_help(msg!("format-unsupported-help")),
        ),
    }
}

const SEGMENT_ROOT_KEYS: &[&str] = &[
    "format",
    "medlemmer",
    "skilletegn",
    "ark",
    "segment",
    "felles",
    "medlem",
];
const SHARED_KEYS: &[&str] = &[
    "avtale",
    "virksomhet",
    "kontakt",
    "signatar",
    "databehandler",
    "vilkaar",
    "tjeneste",
];
const MEMBER_KEYS: &[&str] = SHARED_KEYS;
/// Tables merged key by key (member keys win); all others are replaced whole.
const MERGED_TABLES: &[&str] = &["avtale", "virksomhet", "vilkaar"];

/// A member's own table, its place, its TOML path and, for CSV members, its row.
type Member = (Table, Loc, String, Option<(PathBuf, usize)>);

/// Load a segment file: its shared part and members, each member checked as an agreement.
fn load_segment(run: &mut Run, path: &Path, file: usize, root: &Table, mut file_diags: Diags, cat: &Catalogue) {
    let r = Reader::open(&mut file_diags, root, Loc::new(file, 0..0), "", SEGMENT_ROOT_KEYS);
    let shared = read_shared(&mut file_diags, &r);
    let mut members = read_member_tables(&mut file_diags, &r);
    let list = r.str_opt(&mut file_diags, "medlemmer");
    let options = ListOptions {
        delimiter: r.str_opt(&mut file_diags, "skilletegn"),
        sheet: r.str_opt(&mut file_diags, "ark"),
    };
    options.check(&mut file_diags, list.as_ref());
    if let Some(list) = list {
        if !members.is_empty() {
            file_diags.push(
                Diagnostic::error("invalid-value", list.loc.clone(), "medlemmer", msg!("members-twice"))
                    .with_help(msg!("members-twice-help")),
            );
        }
        match read_list_file(path, &list) {
            Err(e) => file_diags.push(
                Diagnostic::error("invalid-value", list.loc.clone(), "medlemmer", e).with_help(
                    if is_workbook(&list.v) {
                        msg!("member-list-help-xlsx")
                    } else {
                        msg!("member-list-help-csv")
                    },
                ),
            ),
            Ok((list_path, bytes)) if is_workbook(&list.v) => {
                read_xlsx_members(run, &list_path, &bytes, &options, &mut members, &mut file_diags)
            }
            Ok((list_path, bytes)) => read_csv_members(run, &list_path, bytes, &options, &mut members, &mut file_diags),
        }
    } else if members.is_empty() {
        file_diags.push(
            Diagnostic::error("missing-field", Loc::new(file, 0..0), "medlemmer", msg!("no-members"))
                .with_help(msg!("no-members-help")),
        );
    }
    finish_members(run, path, root, &shared, members, file_diags, cat);
}

/// How the member list file is read: the segment file's `skilletegn` and `ark`.
struct ListOptions {
    /// The CSV separator, when declared.
    delimiter: Option<Sp<String>>,
    /// The Excel sheet, when not the first.
    sheet: Option<Sp<String>>,
}

impl ListOptions {
    /// Report a `skilletegn` that is not `,` or `;`, and options that do not fit the list.
    fn check(&self, diags: &mut Diags, list: Option<&Sp<String>>) {
        let workbook = list.is_some_and(|l| is_workbook(&l.v));
        let csv = list.is_some_and(|l| !is_workbook(&l.v));
        if let Some(d) = &self.delimiter {
            if !csv {
                diags.push(
                    Diagnostic::error_at("invalid-value", d, msg!("separator-without-csv"))
                        .with_help(msg!("separator-without-csv-help")),
                );
            } else if !matches!(d.v.as_str(), "," | ";") {
                diags.push(
                    Diagnostic::error_at("invalid-value", d, msg!("separator-not-allowed", value = &d.v))
                        .with_help(msg!("separator-not-allowed-help")),
                );
            }
        }
        if let Some(s) = &self.sheet
            && !workbook
        {
            diags.push(
                Diagnostic::error_at("invalid-value", s, msg!("sheet-without-xlsx"))
                    .with_help(msg!("sheet-without-xlsx-help")),
            );
        }
    }

    /// The declared separator as a byte, when it is an allowed one.
    fn delimiter(&self) -> Option<u8> {
        match self.delimiter.as_ref().map(|d| d.v.as_str()) {
            Some(",") => Some(b','),
            Some(";") => Some(b';'),
            _ => None,
        }
    }
}

/// Whether a member list file name is an Excel workbook's (by its extension).
fn is_workbook(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls"].iter().any(|x| lower.ends_with(x))
}

/// The segment file's `[felles]` table (its unknown keys reported), or an empty one.
fn read_shared(file_diags: &mut Diags, r: &Reader) -> Table {
    match r.table_opt(file_diags, "felles") {
        Some((t, loc, p)) => {
            Reader::open(file_diags, t, loc.clone(), &p, SHARED_KEYS);
            t.clone()
        }
        None => Table::default(),
    }
}

/// The members given as `[[medlem]]` tables, their unknown keys reported.
fn read_member_tables(file_diags: &mut Diags, r: &Reader) -> Vec<Member> {
    let mut members: Vec<Member> = Vec::new();
    for (t, loc, p) in r.tables(file_diags, "medlem") {
        Reader::open(file_diags, t, loc.clone(), &p, MEMBER_KEYS);
        members.push((t.clone(), loc, p, None));
    }
    members
}

/// The path and bytes of the member list named by `medlemmer`, beside the segment file.
fn read_list_file(path: &Path, list: &Sp<String>) -> Result<(PathBuf, Vec<u8>), Text> {
    if !crate::catalog::assets::is_plain_relative(&list.v) {
        return Err(msg!("member-list-outside", value = &list.v).into());
    }
    let list_path = path.parent().unwrap_or(Path::new(".")).join(&list.v);
    let bytes = read_bytes_limited(&list_path, MAX_CSV_BYTES)?;
    Ok((list_path, bytes))
}

/// Read the member CSV's rows into `members`; bytes that are not UTF-8 are reported at the
/// first bad one, with how to save the file from Excel, and not read.
fn read_csv_members(
    run: &mut Run,
    csv_path: &Path,
    bytes: Vec<u8>,
    options: &ListOptions,
    members: &mut Vec<Member>,
    file_diags: &mut Diags,
) {
    let problem = crate::input::members_csv::not_utf8(&bytes);
    let (text, _) = decode(bytes);
    let cf = run.sources.add(display_path(csv_path), text);
    if let Some((at, message)) = problem {
        let end = run.sources.text(cf)[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        file_diags.push(
            Diagnostic::error("csv-syntax", Loc::new(cf, at..end), "", message)
                .with_help(crate::input::members_csv::save_as_utf8()),
        );
        return;
    }
    let text = run.sources.text(cf).to_string();
    for (t, loc, line) in crate::input::members_csv::read_with_delimiter(file_diags, cf, &text, options.delimiter()) {
        members.push((t, loc, String::new(), Some((csv_path.to_path_buf(), line))));
    }
}

/// Read the rows of the Excel member list's sheet into `members`. The sheet is added to the
/// run's sources as text (line `n` is row `n`), so that problems point at their cells.
fn read_xlsx_members(
    run: &mut Run,
    xlsx_path: &Path,
    bytes: &[u8],
    options: &ListOptions,
    members: &mut Vec<Member>,
    file_diags: &mut Diags,
) {
    let wanted = options.sheet.as_ref().map(|s| s.v.as_str());
    let mut sheet = match members_xlsx::open(bytes, wanted) {
        Ok(sheet) => sheet,
        Err(members_xlsx::Problem::NoSuchSheet(names)) => {
            if let Some(s) = &options.sheet {
                file_diags.push(members_xlsx::no_such_sheet(s.loc.clone(), &s.v, &names));
            }
            return;
        }
        Err(members_xlsx::Problem::Workbook(message, help)) => {
            let xf = run.sources.add(display_path(xlsx_path), String::new());
            file_diags.push(Diagnostic::error("csv-syntax", Loc::new(xf, 0..0), "", message).with_help(help));
            return;
        }
    };
    let xf = run
        .sources
        .add(display_path(xlsx_path), std::mem::take(&mut sheet.text));
    for (t, loc, row) in members_xlsx::read(file_diags, xf, &sheet) {
        members.push((t, loc, String::new(), Some((xlsx_path.to_path_buf(), row))));
    }
    run.sheets.push((xf, sheet));
}

/// Record the segment file's own problems, then read and check each member's merged agreement.
fn finish_members(
    run: &mut Run,
    path: &Path,
    root: &Table,
    shared: &Table,
    members: Vec<Member>,
    file_diags: Diags,
    cat: &Catalogue,
) {
    let file_has_errors = file_diags.iter().any(|d| d.severity == Severity::Error);
    run.file_diags.extend(file_diags.iter().cloned());
    let segment = root.get("segment");
    let format = root.get("format");
    for (i, (member, loc, mpath, csv_row)) in members.into_iter().enumerate() {
        let merged = merge(shared, &member, segment, format);
        let mut diags = Vec::new();
        let a = model::read_agreement(&mut diags, &merged, loc.clone(), &mpath);
        let origin = Origin {
            file: path.to_path_buf(),
            member: Some(i),
            csv_row,
        };
        finish(run, origin, a, diags, file_has_errors, cat);
    }
}

/// One member's agreement: shared tables, overridden by the member's own.
fn merge(shared: &Table, member: &Table, segment: Option<&Node>, format: Option<&Node>) -> Table {
    let mut out = Table::default();
    if let Some(f) = format {
        out.entries.push(Entry {
            key: "format".into(),
            key_loc: f.loc.clone(),
            node: f.clone(),
        });
    }
    if let Some(s) = segment {
        out.entries.push(Entry {
            key: "segment".into(),
            key_loc: s.loc.clone(),
            node: s.clone(),
        });
    }
    for e in &shared.entries {
        let own = member.entries.iter().find(|m| m.key == e.key);
        match (own, &e.node.raw) {
            (Some(m), Raw::Table(st)) if MERGED_TABLES.contains(&e.key.as_str()) => {
                if let Raw::Table(mt) = &m.node.raw {
                    let mut t = st.clone();
                    for me in &mt.entries {
                        t.entries.retain(|x| x.key != me.key);
                        t.entries.push(me.clone());
                    }
                    out.entries.push(Entry {
                        key: e.key.clone(),
                        key_loc: m.key_loc.clone(),
                        node: Node {
                            raw: Raw::Table(t),
                            loc: m.node.loc.clone(),
                            path: m.node.path.clone(),
                        },
                    });
                } else {
                    out.entries.push(m.clone());
                }
            }
            (Some(m), _) => out.entries.push(m.clone()),
            (None, _) => out.entries.push(e.clone()),
        }
    }
    for m in &member.entries {
        if !out.entries.iter().any(|x| x.key == m.key) {
            out.entries.push(m.clone());
        }
    }
    out
}

fn check_duplicate_ids(run: &mut Run) {
    let mut first: HashMap<String, Loc> = HashMap::new();
    for a in &mut run.agreements {
        let Some(id) = &a.agreement.avtale.id else { continue };
        match first.get(&id.v) {
            Some(loc) => a.diags.push(
                Diagnostic::error_at("duplicate-id", id, msg!("duplicate-id", id = &id.v))
                    .with_related(loc.clone(), msg!("related-first-used"))
                    .with_help(msg!("duplicate-id-help")),
            ),
            None => {
                first.insert(id.v.clone(), id.loc.clone());
            }
        }
    }
}
