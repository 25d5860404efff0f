//! Review helpers: `avtale diff` (what changed, in plain words and as a text diff, between
//! two versions of an agreement, either side from a git revision) and `avtale impact` (which
//! agreements a change of terms, service or rights package touches).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::catalog::{BASE_LANGUAGE, Catalogue, DELINGSVILKAAR, TermsStatus};
use crate::cli::{Common, EXIT_INVALID, EXIT_OK, EXIT_TROUBLE, setup};
use crate::lang::Texts;
use crate::load::{self, Loaded};
use crate::render::{self, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old version: a file, or REV:PATH for a file in a git revision
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new version: a file, or REV:PATH
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Form of the result
    #[arg(long, value_enum, default_value_t = ReviewFormat::Human)]
    pub format: ReviewFormat,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct ImpactArgs {
    /// Agreement or segment files, or directories to search
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// A terms version, as DOCUMENT@VERSION (e.g. `iskr@2023-01`, `delingsvilkaar@2020-06`)
    #[arg(long, value_name = "DOC@VERSION")]
    pub terms: Option<String>,
    /// A service id (e.g. `inntekt`)
    #[arg(long, value_name = "ID")]
    pub service: Option<String>,
    /// A rights package (e.g. `sbl`)
    #[arg(long, value_name = "ID")]
    pub package: Option<String>,
    /// Form of the result
    #[arg(long, value_enum, default_value_t = ReviewFormat::Human)]
    pub format: ReviewFormat,
    #[command(flatten)]
    pub common: Common,
}

/// One side of a diff, materialised as files on disk.
struct Side {
    path: PathBuf,
    label: String,
    _tmp: Option<tempfile::TempDir>,
}

fn git_show(rev: &str, path: &str) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    // `REV:./path` is relative to the working directory, `REV:path` to the repository root.
    for spec in [
        format!("{rev}:./{}", path.trim_start_matches("./")),
        format!("{rev}:{path}"),
    ] {
        let out = Process::new("git")
            .args(["show", &spec])
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        last = String::from_utf8_lossy(&out.stderr).trim().to_string();
    }
    Err(format!("git cannot show {rev}:{path}: {last}"))
}

fn side(spec: &str) -> Result<Side, String> {
    if Path::new(spec).exists() {
        return Ok(Side {
            path: PathBuf::from(spec),
            label: spec.to_string(),
            _tmp: None,
        });
    }
    let Some((rev, path)) = spec.split_once(':').filter(|(r, p)| !r.is_empty() && !p.is_empty()) else {
        return Err(format!(
            "{spec}: no such file (write REV:PATH for a file in a git revision)"
        ));
    };
    let bytes = git_show(rev, path)?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "avtale.toml".into());
    let target = tmp.path().join(&name);
    std::fs::write(&target, &bytes).map_err(|e| e.to_string())?;
    // A segment file's member list comes from the same revision.
    if let Ok(table) = std::str::from_utf8(&bytes).unwrap_or("").parse::<toml::Table>()
        && let Some(csv) = table.get("medlemmer").and_then(|v| v.as_str())
        && crate::assets::is_plain_relative(csv)
    {
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        let csv_path = dir.join(csv);
        let data = git_show(rev, &csv_path.to_string_lossy())?;
        let csv_target = tmp.path().join(csv);
        if let Some(parent) = csv_target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(csv_target, data).map_err(|e| e.to_string())?;
    }
    Ok(Side {
        path: target,
        label: spec.to_string(),
        _tmp: Some(tmp),
    })
}

#[derive(Debug, Serialize)]
pub struct Change {
    pub section: &'static str,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct AgreementDiff {
    pub id: String,
    pub changes: Vec<Change>,
    /// Unified diff of the text rendering.
    pub diff: String,
}

fn push(changes: &mut Vec<Change>, section: &'static str, what: &str, old: &str, new: &str) {
    if old != new {
        changes.push(Change {
            section,
            message: format!("{what} changed from «{old}» to «{new}»"),
        });
    }
}

/// Entries only in `old` are reported as `removed`, entries only in `new` as `added`.
fn set_changes(c: &mut Vec<Change>, section: &'static str, old: &[String], new: &[String], removed: &str, added: &str) {
    for x in old.iter().filter(|x| !new.contains(x)) {
        c.push(Change {
            section,
            message: format!("{removed}: {x}"),
        });
    }
    for x in new.iter().filter(|x| !old.contains(x)) {
        c.push(Change {
            section,
            message: format!("{added}: {x}"),
        });
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("–")
}

fn terms_version(v: &View, id: &str) -> Option<String> {
    v.dokumenter.iter().find(|d| d.id == id).map(|d| d.versjon.clone())
}

/// What changed between two views of an agreement, grouped by section.
pub fn changes(a: &View, b: &View) -> Vec<Change> {
    let mut c = Vec::new();
    push(&mut c, "avtale", "the agreement id", &a.id, &b.id);
    push(&mut c, "avtale", "the date", &a.dato, &b.dato);
    push(&mut c, "avtale", "the status", &a.status, &b.status);
    push(
        &mut c,
        "avtale",
        "the start date",
        opt(&a.gyldig_fra),
        opt(&b.gyldig_fra),
    );
    push(
        &mut c,
        "avtale",
        "the replaced agreement",
        opt(&a.erstatter),
        opt(&b.erstatter),
    );

    let (ka, kb) = (&a.konsument, &b.konsument);
    push(&mut c, "parter", "the consumer's name", &ka.navn, &kb.navn);
    push(
        &mut c,
        "parter",
        "the consumer's organisation number",
        &ka.orgnr,
        &kb.orgnr,
    );
    push(
        &mut c,
        "parter",
        "the organisation form",
        opt(&ka.organisasjonsform),
        opt(&kb.organisasjonsform),
    );
    push(&mut c, "parter", "the postal address", &ka.adresse, &kb.adresse);
    push(
        &mut c,
        "parter",
        "the notification address",
        &ka.varslingsadresse,
        &kb.varslingsadresse,
    );
    let seg = |v: &View| {
        v.segment
            .as_ref()
            .map(|s| format!("{} ({}, {})", s.id, s.ansvarlig_navn, s.ansvarlig_orgnr))
    };
    push(&mut c, "parter", "the segment", opt(&seg(a)), opt(&seg(b)));

    for kx in &a.kontakter {
        match b.kontakter.iter().find(|y| y.rolle == kx.rolle) {
            None => c.push(Change {
                section: "kontakter",
                message: format!("the {} contact {} removed", kx.rolle, kx.navn),
            }),
            Some(ky) => {
                let who = format!("the {} contact's", kx.rolle);
                push(&mut c, "kontakter", &format!("{who} name"), &kx.navn, &ky.navn);
                push(
                    &mut c,
                    "kontakter",
                    &format!("{who} title"),
                    opt(&kx.tittel),
                    opt(&ky.tittel),
                );
                push(&mut c, "kontakter", &format!("{who} e-mail"), &kx.epost, &ky.epost);
                push(
                    &mut c,
                    "kontakter",
                    &format!("{who} phone"),
                    opt(&kx.telefon),
                    opt(&ky.telefon),
                );
            }
        }
    }
    for ky in b
        .kontakter
        .iter()
        .filter(|y| !a.kontakter.iter().any(|x| x.rolle == y.rolle))
    {
        c.push(Change {
            section: "kontakter",
            message: format!("a {} contact added: {} ({})", ky.rolle, ky.navn, ky.epost),
        });
    }

    let sig = |v: &View| {
        v.signatarer
            .iter()
            .map(|s| format!("{}, {}, {}", s.navn, s.tittel, s.fullmakt))
            .collect::<Vec<_>>()
    };
    set_changes(
        &mut c,
        "signatarer",
        &sig(a),
        &sig(b),
        "signatory removed",
        "signatory added",
    );

    let key = |t: &render::TjenesteView| (t.id.clone(), t.pakke.clone());
    for tx in &a.tjenester {
        match b.tjenester.iter().find(|ty| key(ty) == key(tx)) {
            None => c.push(Change {
                section: "tjenester",
                message: format!("service `{}` with rights package `{}` removed", tx.id, tx.pakke),
            }),
            Some(ty) => {
                let what = |f: &str| format!("`{}`: the {f}", tx.id);
                push(&mut c, "tjenester", &what("purpose"), &tx.formaal, &ty.formaal);
                push(&mut c, "tjenester", &what("environments"), &tx.miljoe, &ty.miljoe);
                push(&mut c, "tjenester", &what("connection"), &tx.tilkobling, &ty.tilkobling);
                let basis = |t: &render::TjenesteView| format!("{}: {}", t.utlevering_type, t.utlevering_henvisning);
                push(&mut c, "tjenester", &what("disclosure basis"), &basis(tx), &basis(ty));
                let proc = |t: &render::TjenesteView| format!("{}: {}", t.behandling_type, t.behandling_henvisning);
                push(&mut c, "tjenester", &what("processing basis"), &proc(tx), &proc(ty));
                push(
                    &mut c,
                    "tjenester",
                    &what("own statute"),
                    opt(&tx.egen_hjemmel),
                    opt(&ty.egen_hjemmel),
                );
                push(
                    &mut c,
                    "tjenester",
                    &what("return addresses"),
                    &tx.retur_url.join(", "),
                    &ty.retur_url.join(", "),
                );
                push(
                    &mut c,
                    "vilkaar",
                    &format!("bruksvilkår for `{}`", tx.id),
                    &tx.bruksvilkaar,
                    &ty.bruksvilkaar,
                );
            }
        }
    }
    for ty in b
        .tjenester
        .iter()
        .filter(|ty| !a.tjenester.iter().any(|tx| key(tx) == key(ty)))
    {
        c.push(Change {
            section: "tjenester",
            message: format!(
                "service `{}` added with rights package `{}` ({})",
                ty.id,
                ty.pakke,
                ty.utlevering_type.to_lowercase()
            ),
        });
    }

    let dbh = |v: &View| {
        v.databehandlere
            .iter()
            .map(|d| {
                format!(
                    "{} ({}), {}, {}, {}",
                    d.navn, d.orgnr, d.rolle, d.avtaledato, d.tjenester
                )
            })
            .collect::<Vec<_>>()
    };
    set_changes(
        &mut c,
        "databehandlere",
        &dbh(a),
        &dbh(b),
        "data processor removed or changed",
        "data processor added or changed",
    );

    if let (Some(x), Some(y)) = (terms_version(a, DELINGSVILKAAR), terms_version(b, DELINGSVILKAAR))
        && x != y
    {
        c.push(Change {
            section: "vilkaar",
            message: format!("delingsvilkår {x} → {y}"),
        });
    }
    c
}

/// Each agreement's view in its own language (for the text diff) and in bokmål (for the
/// changes in plain words, so that a change of language does not show as every label changed).
fn views(run: &load::Run, cat: &Catalogue, texts: &Texts) -> Result<Vec<(View, View)>, String> {
    let mut out = Vec::new();
    for a in &run.agreements {
        if a.has_errors() {
            return Err("has errors (run avtale check)".into());
        }
        let own = render::view(&a.agreement, cat, texts).map_err(|e| e.0)?;
        let base = if own.spraak == BASE_LANGUAGE {
            own.clone()
        } else {
            render::view_in(&a.agreement, cat, texts.table(BASE_LANGUAGE)).map_err(|e| e.0)?
        };
        out.push((own, base));
    }
    Ok(out)
}

pub fn diff(args: &DiffArgs) -> i32 {
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (old, new) = match (side(&args.old), side(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    let texts = match Texts::load(&setup.assets) {
        Ok(t) => t,
        Err(errors) => {
            eprintln!("error: the language tables are broken:\n  {}", errors.join("\n  "));
            return EXIT_TROUBLE;
        }
    };
    let mut sides = Vec::new();
    for s in [&old, &new] {
        let run = load::load(std::slice::from_ref(&s.path), &setup.catalogue);
        let file_errors = run
            .file_diags
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error);
        if !run.tool_errors.is_empty() || file_errors || run.agreements.iter().any(Loaded::has_errors) {
            let out = crate::cli::Output {
                format: crate::diag::Format::Human,
                deny_warnings: false,
            };
            crate::cli::report(&args.common, &out, &run, "checked", true);
            eprintln!("error: {} cannot be compared while it has errors", s.label);
            return EXIT_TROUBLE;
        }
        match views(&run, &setup.catalogue, &texts) {
            Ok(v) => sides.push(v),
            Err(e) => {
                eprintln!("error: {}: {e}", s.label);
                return EXIT_TROUBLE;
            }
        }
    }
    let (va, vb) = (&sides[0], &sides[1]);
    let mut result: Vec<AgreementDiff> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    type Pair<'a> = (Option<&'a (View, View)>, Option<&'a (View, View)>);
    let pairs: Vec<Pair> = if va.len() == 1 && vb.len() == 1 {
        vec![(Some(&va[0]), Some(&vb[0]))]
    } else {
        let mut p: Vec<Pair> = va
            .iter()
            .map(|a| (Some(a), vb.iter().find(|b| b.0.id == a.0.id)))
            .collect();
        p.extend(
            vb.iter()
                .filter(|b| !va.iter().any(|a| a.0.id == b.0.id))
                .map(|b| (None, Some(b))),
        );
        p
    };
    for (a, b) in pairs {
        match (a, b) {
            (Some((a, a_base)), Some((b, b_base))) => {
                let ta = crate::text::agreement_text(a, &setup.catalogue).unwrap_or_default();
                let tb = crate::text::agreement_text(b, &setup.catalogue).unwrap_or_default();
                let mut changes = changes(a_base, b_base);
                if a.spraak != b.spraak {
                    changes.insert(
                        0,
                        Change {
                            section: "avtale",
                            message: format!("the language changed from «{}» to «{}»", a.spraak, b.spraak),
                        },
                    );
                }
                if changes.is_empty() && ta == tb {
                    continue;
                }
                let diff = similar::TextDiff::from_lines(&ta, &tb)
                    .unified_diff()
                    .context_radius(3)
                    .header(&old.label, &new.label)
                    .to_string();
                result.push(AgreementDiff {
                    id: b.id.clone(),
                    changes,
                    diff,
                });
            }
            (Some((a, _)), None) => notes.push(format!("agreement {} removed", a.id)),
            (None, Some((b, _))) => notes.push(format!("agreement {} added", b.id)),
            (None, None) => {}
        }
    }
    let changed = !result.is_empty() || !notes.is_empty();
    match args.format {
        ReviewFormat::Json => {
            let v = serde_json::json!({ "changed": changed, "agreements": result, "notes": notes });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ReviewFormat::Human => {
            for n in &notes {
                println!("{n}");
            }
            for d in &result {
                println!(
                    "{}: {} {}",
                    d.id,
                    d.changes.len(),
                    if d.changes.len() == 1 { "change" } else { "changes" }
                );
                let mut last = "";
                for ch in &d.changes {
                    if ch.section != last {
                        println!("  {}:", ch.section);
                        last = ch.section;
                    }
                    println!("    - {}", ch.message);
                }
                println!();
                print!("{}", d.diff);
            }
            if !changed {
                println!("no differences");
            }
        }
    }
    if changed { EXIT_INVALID } else { EXIT_OK }
}

#[derive(Debug, Serialize)]
struct ImpactHit {
    id: String,
    file: PathBuf,
    member: Option<usize>,
    /// What the agreement references that matched.
    matches: Vec<String>,
}

pub fn impact(args: &ImpactArgs) -> i32 {
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cat = &setup.catalogue;
    let terms = match &args.terms {
        Some(t) => match t.split_once('@') {
            Some((d, v)) if cat.terms(d).is_some_and(|doc| doc.version(v).is_some()) => {
                Some((d.to_string(), v.to_string()))
            }
            _ => {
                eprintln!(
                    "error: `{t}` is not a terms version in the catalogue (write DOCUMENT@VERSION, e.g. iskr@2023-01)"
                );
                return EXIT_TROUBLE;
            }
        },
        None => None,
    };
    if let Some(s) = &args.service
        && cat.service(s).is_none()
    {
        eprintln!("error: unknown service `{s}`");
        return EXIT_TROUBLE;
    }
    let run = load::load(&args.paths, cat);
    if !run.tool_errors.is_empty()
        || run
            .file_diags
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    {
        let out = crate::cli::Output {
            format: crate::diag::Format::Human,
            deny_warnings: false,
        };
        crate::cli::report(&args.common, &out, &run, "checked", true);
        eprintln!("error: files that cannot be read leave the answer incomplete");
        return EXIT_TROUBLE;
    }
    let filtering = terms.is_some() || args.service.is_some() || args.package.is_some();
    let mut hits = Vec::new();
    let mut stale = Vec::new();
    for a in &run.agreements {
        let ag = &a.agreement;
        let id = ag.avtale.id.as_ref().map(|s| s.v.clone()).unwrap_or_default();
        // Every terms pin of the agreement: (document, version, where).
        let mut pins: Vec<(String, String, String)> = Vec::new();
        if let Some(p) = &ag.vilkaar.delingsvilkaar {
            pins.push((DELINGSVILKAAR.into(), p.v.clone(), "delingsvilkaar".into()));
        }
        for t in &ag.tjeneste {
            if let (Some(sid), Some(pin)) = (&t.id, &t.bruksvilkaar)
                && let Some(s) = cat.service(&sid.v)
            {
                pins.push((s.bruksvilkaar.clone(), pin.v.clone(), format!("tjeneste {}", sid.v)));
            }
        }
        let mut matches = Vec::new();
        let mut ok = true;
        if let Some((d, v)) = &terms {
            let found: Vec<String> = pins
                .iter()
                .filter(|(pd, pv, _)| pd == d && pv == v)
                .map(|(pd, pv, w)| format!("{pd}@{pv} ({w})"))
                .collect();
            ok &= !found.is_empty();
            matches.extend(found);
        }
        if args.service.is_some() || args.package.is_some() {
            let found: Vec<String> = ag
                .tjeneste
                .iter()
                .filter(|t| {
                    args.service
                        .as_ref()
                        .is_none_or(|s| t.id.as_ref().is_some_and(|x| &x.v == s))
                })
                .filter(|t| {
                    args.package
                        .as_ref()
                        .is_none_or(|p| t.rettighetspakke.as_ref().is_some_and(|x| &x.v == p))
                })
                .map(|t| {
                    format!(
                        "tjeneste {} / {}",
                        t.id.as_ref().map(|x| x.v.as_str()).unwrap_or(""),
                        t.rettighetspakke.as_ref().map(|x| x.v.as_str()).unwrap_or("")
                    )
                })
                .collect();
            ok &= !found.is_empty();
            matches.extend(found);
        }
        if filtering && ok {
            hits.push(ImpactHit {
                id: id.clone(),
                file: a.origin.file.clone(),
                member: a.origin.member,
                matches,
            });
        }
        let old: Vec<String> = pins
            .iter()
            .filter_map(|(d, v, w)| {
                let doc = cat.terms(d)?;
                let st = doc.version(v)?.status;
                (st != TermsStatus::Gjeldende).then(|| {
                    let cur = doc
                        .current()
                        .map(|c| format!(", current {}", c.versjon))
                        .unwrap_or_default();
                    format!("{d}@{v} ({w}; {}{cur})", st.label())
                })
            })
            .collect();
        if !old.is_empty() {
            stale.push(ImpactHit {
                id,
                file: a.origin.file.clone(),
                member: a.origin.member,
                matches: old,
            });
        }
    }
    match args.format {
        ReviewFormat::Json => {
            let v = serde_json::json!({ "matching": hits, "superseded": stale, "agreements": run.agreements.len() });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ReviewFormat::Human => {
            if filtering {
                println!("{} of {} agreements match:", hits.len(), run.agreements.len());
                for h in &hits {
                    println!("  {} ({}): {}", h.id, h.file.display(), h.matches.join("; "));
                }
            }
            println!("{} agreements pin superseded or withdrawn terms:", stale.len());
            for h in &stale {
                println!("  {} ({}): {}", h.id, h.file.display(), h.matches.join("; "));
            }
        }
    }
    EXIT_OK
}
