//! `avtale build` and `avtale render`: checked agreements into PDF files or Typst source.
//!
//! A build runs on every core with a few worker threads fed from a shared queue (one Typst
//! world per document, the cache evicted after each, so memory stays flat however many
//! agreements there are), skips agreements whose PDF is up to date according to the
//! manifest in the output directory, and can build a deterministic share of the agreements
//! (`--shard K/N`) so that a large segment can be split across CI jobs.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::hex;
use crate::cli::{BuildArgs, EXIT_INVALID, EXIT_OK, EXIT_TROUBLE, RenderArgs, RenderFormat, setup};
use crate::load;
use crate::pdf::{BuildError, Renderer, strip_markers};

/// Write `bytes` to `path` so that readers see the old file or the whole new one, never a
/// part: a temporary file in the same directory, synced, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like `write_atomic`, but never replaces an existing file.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// `bytes` in a synced temporary file beside `path`, ready to be renamed into place. A
/// target that exists and is neither a regular file nor a symbolic link (a directory, a
/// device, a pipe) is refused rather than replaced. A symbolic link is replaced by the file,
/// never written through.
fn staged(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    if let Ok(m) = std::fs::symlink_metadata(path)
        && !m.is_file()
        && !m.file_type().is_symlink()
    {
        return Err(std::io::Error::other(if m.is_dir() {
            "it is a directory"
        } else {
            "it is not a regular file"
        }));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".avtale-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Ordinary document permissions, not the temporary file's private ones.
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// The file in the output directory that records what each PDF was built from.
pub const MANIFEST: &str = ".avtale-manifest.json";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Agreement id → what its PDF was built from and what it holds.
    pub entries: BTreeMap<String, ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// SHA-256 of the input fingerprint, catalogue, templates, tool version and standards.
    pub key: String,
    pub sha256: String,
    pub pages: usize,
    pub size: u64,
}

impl Manifest {
    /// The manifest of `dir`; a missing, unreadable or oversized one is empty (everything
    /// is rebuilt). Only a regular file is read.
    pub fn read(dir: &Path) -> Manifest {
        read_regular(&dir.join(MANIFEST), MAX_MANIFEST_BYTES)
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.format == 1)
            .unwrap_or_default()
    }

    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        write_atomic(&dir.join(MANIFEST), &bytes)
    }
}

/// `K/N`: build the K-th of N shares (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or("write the shard as K/N, e.g. 2/4")?;
        let index: u64 = k.trim().parse().map_err(|_| format!("`{k}` is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| format!("`{n}` is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {index}/{count}: K must be between 1 and N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the agreement with this id belongs to this shard: by a hash of the id, so
    /// the split is the same on every machine and does not shift when files move.
    pub fn contains(&self, id: &str) -> bool {
        let h = Sha256::digest(id.as_bytes());
        let n = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
        n % self.count == self.index - 1
    }
}

/// What happened to one agreement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Built,
    UpToDate,
    /// Errors in the agreement: no PDF.
    Invalid,
    Failed,
}

#[derive(Debug, Serialize)]
struct ReportEntry<'a> {
    id: Option<&'a str>,
    source: &'a load::Origin,
    status: Status,
    output: Option<PathBuf>,
    sha256: Option<String>,
    pages: Option<usize>,
    diagnostics: Vec<crate::diag::Located<'a>>,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    tool_version: &'static str,
    output_dir: &'a Path,
    built: usize,
    up_to_date: usize,
    failed: usize,
    seconds: f64,
    agreements: Vec<ReportEntry<'a>>,
}

/// The result of building one agreement, sent from a worker to the main thread.
enum Done {
    Built {
        sha256: String,
        pages: usize,
        size: u64,
    },
    Input(Vec<crate::diag::Diagnostic>),
    Template(String),
    Io(String),
    /// The target holds a digital signature; it is not overwritten without --force.
    Signed(PathBuf),
}

/// A manifest larger than this is not read (it would list millions of PDFs).
const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;
/// How much of an existing PDF is searched for a signature.
const MAX_SIGNED_SCAN_BYTES: u64 = 256 * 1024 * 1024;

/// The first `limit` bytes of `path` if it is a regular file (not a symbolic link, pipe or
/// device, which could block or never end).
fn read_regular(path: &Path, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Whether the file at `path` holds a digital signature (a signed field's byte range).
/// Only a regular file counts: a symbolic link in its place is replaced, not followed.
pub fn is_signed(path: &Path) -> bool {
    read_regular(path, MAX_SIGNED_SCAN_BYTES).is_some_and(|b| b.windows(10).any(|w| w == b"/ByteRange"))
}

/// Whether files can be created in `dir`, tried with a temporary file that is removed at
/// once: an unwritable directory is reported before any document is built.
fn writable(dir: &Path) -> std::io::Result<()> {
    tempfile::Builder::new()
        .prefix(".avtale-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map(drop)
}

/// An exclusive lock on the output directory for the length of a build, so that two runs
/// on one directory take turns and each sees the other's manifest. `None` where the
/// platform cannot lock a directory; the run then goes on unlocked.
fn lock_dir(dir: &Path, quiet: bool) -> Option<std::fs::File> {
    let f = std::fs::File::open(dir).ok()?;
    match f.try_lock() {
        Ok(()) => Some(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            if !quiet {
                eprintln!("waiting for another avtale build writing to {}", dir.display());
            }
            f.lock().ok().map(|()| f)
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn build(args: &BuildArgs) -> i32 {
    let started = Instant::now();
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let settings = args.pdf.settings();
    let renderer = match Renderer::new(setup.assets.clone(), &settings) {
        Ok(r) => r.with_limits(args.pdf.limits()),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    let mut run = load::load(&args.paths, &setup.catalogue);
    if let Some(shard) = &args.shard {
        run.agreements
            .retain(|a| a.agreement.avtale.id.as_ref().is_none_or(|id| shard.contains(&id.v)));
    }
    let out_dir = args.out_dir.clone();
    let dir_ok = match std::fs::create_dir_all(&out_dir).and_then(|()| writable(&out_dir)) {
        Ok(()) => true,
        Err(e) => {
            run.tool_errors
                .push(format!("cannot write to output directory {}: {e}", out_dir.display()));
            false
        }
    };
    // Held until the run ends; the manifest is read under it.
    let _lock = if dir_ok { lock_dir(&out_dir, args.quiet) } else { None };

    // What every PDF depends on besides its own agreement: tool, catalogue, templates,
    // every terms text and the PDF settings.
    let terms: String = setup
        .catalogue
        .vilkaar
        .iter()
        .flat_map(|d| &d.versjoner)
        .flat_map(|v| v.all_texts())
        .map(|t| t.sha256.as_str())
        .collect();
    let context = format!(
        "{}\n{}\n{}\n{terms}\n{:?}",
        env!("CARGO_PKG_VERSION"),
        setup.catalogue.sha256,
        setup.assets.digest(),
        settings
    );
    let mut manifest = Manifest::read(&out_dir);
    manifest.format = 1;
    let n = run.agreements.len();
    let mut status: Vec<Option<Status>> = vec![None; n];
    let mut outputs: Vec<Option<(String, usize)>> = vec![None; n];
    let mut keys: Vec<String> = vec![String::new(); n];
    let mut jobs = Vec::new();
    for (i, a) in run.agreements.iter().enumerate() {
        if a.has_errors() {
            status[i] = Some(Status::Invalid);
            continue;
        }
        let id = a.agreement.avtale.id.as_ref().map(|s| s.v.clone()).unwrap_or_default();
        keys[i] = sha256_hex(format!("{context}\n{}", crate::render::fingerprint(&a.agreement)).as_bytes());
        if !args.force
            && let Some(e) = manifest.entries.get(&id)
            && e.key == keys[i]
            && std::fs::symlink_metadata(out_dir.join(format!("{id}.pdf"))).is_ok_and(|m| {
                // A signed PDF is the built one plus signature updates.
                m.is_file()
                    && (m.len() == e.size || (m.len() > e.size && is_signed(&out_dir.join(format!("{id}.pdf")))))
            })
        {
            status[i] = Some(Status::UpToDate);
            outputs[i] = Some((e.sha256.clone(), e.pages));
            continue;
        }
        jobs.push(i);
    }

    let quiet = args.quiet;
    let bar = (!quiet && std::io::stderr().is_terminal() && !jobs.is_empty()).then(|| {
        let pb = indicatif::ProgressBar::new(jobs.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });

    let mut template_error: Option<String> = None;
    let mut extra: Vec<(usize, Vec<crate::diag::Diagnostic>)> = Vec::new();
    let mut io_errors: Vec<String> = Vec::new();
    let mut signed: Vec<PathBuf> = Vec::new();
    let force = args.force;
    // Only a run that built something rewrites the manifest.
    let mut dirty = false;
    if dir_ok && !jobs.is_empty() {
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(jobs.len())
            .max(1);
        let (tx, rx) = mpsc::channel::<(usize, Done)>();
        let agreements = &run.agreements;
        let catalogue = &setup.catalogue;
        let renderer = &renderer;
        let jobs = &jobs;
        let out_dir = &out_dir;
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let (next, stop) = (&next, &stop);
                scope.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let Some(&i) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        let loaded = &agreements[i];
                        let attach = |v: &crate::render::View| {
                            crate::provenance::attachments(loaded, v, catalogue, &renderer.settings)
                        };
                        let id = loaded
                            .agreement
                            .avtale
                            .id
                            .as_ref()
                            .map(|s| s.v.as_str())
                            .unwrap_or_default();
                        let target = out_dir.join(format!("{id}.pdf"));
                        if !force && is_signed(&target) {
                            let _ = tx.send((i, Done::Signed(target)));
                            continue;
                        }
                        let result = renderer.build(&loaded.agreement, catalogue, &attach);
                        // Nothing of one document is worth keeping for the next.
                        typst::comemo::evict(0);
                        let done = match result {
                            Ok(b) => match write_atomic(&target, &b.pdf) {
                                Ok(()) => Done::Built {
                                    sha256: sha256_hex(&b.pdf),
                                    pages: b.pages,
                                    size: b.pdf.len() as u64,
                                },
                                Err(e) => Done::Io(format!("cannot write {}: {e}", target.display())),
                            },
                            Err(BuildError::Input(d)) => Done::Input(d),
                            Err(BuildError::Template(m)) => {
                                stop.store(true, Ordering::Relaxed);
                                Done::Template(m)
                            }
                            Err(BuildError::Limit { message, stop: halt }) => {
                                if halt {
                                    // The work cannot be cancelled: start no more.
                                    stop.store(true, Ordering::Relaxed);
                                }
                                Done::Io(format!("{id}: {message}"))
                            }
                            Err(e @ (BuildError::Other(_) | BuildError::Overflow(_))) => Done::Io(format!("{id}: {e}")),
                        };
                        if tx.send((i, done)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut last_save = Instant::now();
            for (i, done) in rx {
                let id = agreements[i]
                    .agreement
                    .avtale
                    .id
                    .as_ref()
                    .map(|s| s.v.clone())
                    .unwrap_or_default();
                match done {
                    Done::Built { sha256, pages, size } => {
                        if let Some(pb) = &bar {
                            pb.set_message(id.clone());
                        } else if !quiet {
                            eprintln!("built {} ({pages} pages)", out_dir.join(format!("{id}.pdf")).display());
                        }
                        dirty = true;
                        manifest.entries.insert(
                            id,
                            ManifestEntry {
                                key: keys[i].clone(),
                                sha256: sha256.clone(),
                                pages,
                                size,
                            },
                        );
                        status[i] = Some(Status::Built);
                        outputs[i] = Some((sha256, pages));
                    }
                    Done::Input(d) => {
                        status[i] = Some(Status::Failed);
                        extra.push((i, d));
                    }
                    Done::Template(m) => {
                        status[i] = Some(Status::Failed);
                        template_error.get_or_insert(m);
                    }
                    Done::Io(m) => {
                        status[i] = Some(Status::Failed);
                        io_errors.push(m);
                    }
                    Done::Signed(p) => {
                        status[i] = Some(Status::Failed);
                        signed.push(p);
                    }
                }
                if let Some(pb) = &bar {
                    pb.inc(1);
                }
                // Record progress now and then, so an interrupted run keeps what it built.
                if last_save.elapsed() > Duration::from_secs(2) {
                    if dirty {
                        let _ = manifest.write(out_dir);
                    }
                    last_save = Instant::now();
                }
            }
        });
        if let Some(pb) = &bar {
            pb.finish_and_clear();
        }
    }
    for (i, d) in extra {
        run.agreements[i].diags.extend(d);
    }
    run.tool_errors.extend(io_errors);
    for p in &signed {
        eprintln!(
            "error: {} holds a digital signature and was not overwritten; move it away or use --force",
            p.display()
        );
    }
    if let Some(m) = template_error {
        run.tool_errors.push(format!("the document template failed:\n{m}"));
    }
    if dir_ok
        && dirty
        && let Err(e) = manifest.write(&out_dir)
    {
        run.tool_errors
            .push(format!("cannot write {}: {e}", out_dir.join(MANIFEST).display()));
    }

    let built = status.iter().filter(|s| matches!(s, Some(Status::Built))).count();
    let up_to_date = status.iter().filter(|s| matches!(s, Some(Status::UpToDate))).count();
    let failed = n - built - up_to_date;
    let code = crate::cli::report(&args.common, &args.output, &run, "checked", !quiet);
    let seconds = started.elapsed().as_secs_f64();
    if !quiet || failed > 0 {
        eprintln!(
            "built {built}, up to date {up_to_date}, failed {failed}, in {seconds:.2} s (output: {})",
            out_dir.display()
        );
    }

    if let Some(path) = &args.report {
        let entries = run
            .agreements
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let id = a.agreement.avtale.id.as_ref().map(|s| s.v.as_str());
                let st = status[i].clone().unwrap_or(Status::Failed);
                let ok = matches!(st, Status::Built | Status::UpToDate);
                ReportEntry {
                    id,
                    source: &a.origin,
                    output: id.filter(|_| ok).map(|id| out_dir.join(format!("{id}.pdf"))),
                    sha256: outputs[i].as_ref().map(|o| o.0.clone()),
                    pages: outputs[i].as_ref().map(|o| o.1),
                    status: st,
                    diagnostics: a.diags.iter().map(|d| run.sources.locate(d)).collect(),
                }
            })
            .collect();
        let report = Report {
            tool_version: env!("CARGO_PKG_VERSION"),
            output_dir: &out_dir,
            built,
            up_to_date,
            failed,
            seconds,
            agreements: entries,
        };
        let written = serde_json::to_vec_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|mut b| {
                b.push(b'\n');
                write_atomic(path, &b)
            });
        if let Err(e) = written {
            eprintln!("error: cannot write report {}: {e}", path.display());
            return EXIT_TROUBLE;
        }
    }
    if code == EXIT_OK && failed > 0 {
        EXIT_INVALID
    } else {
        code
    }
}

pub fn render(args: &RenderArgs) -> i32 {
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let renderer = match Renderer::new(setup.assets.clone(), &args.pdf.settings()) {
        Ok(r) => r.with_limits(args.pdf.limits()),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    let run = load::load(std::slice::from_ref(&args.file), &setup.catalogue);
    let selected: Vec<&load::Loaded> = run
        .agreements
        .iter()
        .filter(|a| {
            args.id
                .as_ref()
                .is_none_or(|id| a.agreement.avtale.id.as_ref().is_some_and(|x| &x.v == id))
        })
        .collect();
    if selected.is_empty() || selected.iter().any(|a| a.has_errors()) || !run.tool_errors.is_empty() {
        let out = crate::cli::Output {
            format: crate::diag::Format::Human,
            deny_warnings: false,
        };
        let code = crate::cli::report(&args.common, &out, &run, "checked", true);
        if selected.is_empty() && code == EXIT_OK {
            eprintln!(
                "error: no agreement{} in {}",
                args.id.as_ref().map(|i| format!(" with id `{i}`")).unwrap_or_default(),
                args.file.display()
            );
            return EXIT_TROUBLE;
        }
        return if code == EXIT_OK { EXIT_INVALID } else { code };
    }
    let mut stdout = std::io::stdout().lock();
    for a in selected {
        let attach =
            |v: &crate::render::View| crate::provenance::attachments(a, v, &setup.catalogue, &renderer.settings);
        let (src, view, _) = match renderer.source(&a.agreement, &setup.catalogue, &attach) {
            Ok(x) => x,
            Err(BuildError::Input(d)) => {
                let mut err = crate::cli::stderr(args.common.color);
                let _ = crate::diag::emit(&mut err, crate::diag::Format::Human, &run.sources, &d);
                return EXIT_INVALID;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_TROUBLE;
            }
        };
        let written = match args.format {
            RenderFormat::Typst => stdout
                .write_all(strip_markers(&src).as_bytes())
                .map_err(|e| e.to_string()),
            RenderFormat::Json => serde_json::to_string_pretty(&view)
                .map_err(|e| e.to_string())
                .and_then(|j| writeln!(stdout, "{j}").map_err(|e| e.to_string())),
            RenderFormat::Text => crate::text::agreement_text(&view, &setup.catalogue)
                .and_then(|t| stdout.write_all(t.as_bytes()).map_err(|e| e.to_string())),
            RenderFormat::Png => {
                // The pages exactly as `build` lays them out.
                match renderer.document(&a.agreement, &setup.catalogue, &attach) {
                    Ok((_, _, doc)) => write_pngs(&doc, &args.out_dir, &view.id),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return EXIT_TROUBLE;
                    }
                }
            }
        };
        if let Err(e) = written {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    }
    EXIT_OK
}

/// One PNG per page, `<id>-side-<n>.png`, at 144 dpi.
fn write_pngs(doc: &typst_layout::PagedDocument, dir: &Path, id: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (i, page) in doc.pages().iter().enumerate() {
        let pixmap = typst_render::render(page, &typst_render::RenderOptions::default());
        let png = pixmap.encode_png().map_err(|e| e.to_string())?;
        let target = dir.join(format!("{id}-side-{}.png", i + 1));
        write_atomic(&target, &png).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        println!("{}", target.display());
    }
    Ok(())
}
