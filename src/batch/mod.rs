//! Many agreements into PDF files at once: plan (shard, incremental keys, what is up to
//! date), build on a worker pool, record each result in the output index, and report.
//! Nothing here prints: what happens is told to an observer.

pub mod index;
pub mod plan;
pub mod pool;
#[cfg(target_os = "linux")]
mod procs;
pub mod report;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::base::diag::Diagnostic;
use crate::base::i18n::Text;
use crate::batch::index::{INDEX_FILE, IndexEntry, OutputIndex};
use crate::batch::plan::{Shard, Status, context_key, id_of, plan};
use crate::batch::pool::{Done, Work, WorkerKind, Workers};
use crate::catalog::Catalogue;
use crate::catalog::assets::Assets;
use crate::document::Typesetter;
use crate::input::load::Run;
use crate::msg;

/// How a batch is built.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Directory the PDFs are written to.
    pub out_dir: PathBuf,
    /// Rebuild every PDF, even those that are up to date (and replace signed ones).
    pub force: bool,
    /// Build only this share of the agreements.
    pub shard: Option<Shard>,
}

/// What a build tells its observer as it goes.
pub enum Event<'a> {
    /// Another build holds the output directory; this one waits for it.
    Waiting(&'a Path),
    /// Planning is done: this many documents will be built.
    Started { jobs: usize },
    /// A document was built and written.
    Built { id: &'a str, path: &'a Path, pages: usize },
    /// A document is done, built or not.
    Finished,
}

/// What a build did.
pub struct Outcome {
    /// Per agreement of the run (after sharding).
    pub status: Vec<Option<Status>>,
    /// SHA-256 and page count of each agreement's PDF, when it has one.
    pub outputs: Vec<Option<(String, usize)>>,
    /// PDFs that hold a digital signature and were not replaced.
    pub signed: Vec<PathBuf>,
    pub built: usize,
    pub up_to_date: usize,
    pub failed: usize,
    /// The workers that built the documents (none when nothing was built).
    pub workers: Option<Workers>,
}

/// Build the valid agreements of `run` into `opts.out_dir`. Problems of single agreements
/// are added to their diagnostics, problems of the run to `run.tool_errors`.
pub fn build(
    run: &mut Run,
    cat: &Catalogue,
    assets: &Assets,
    typesetter: &Typesetter,
    opts: &BatchOptions,
    observe: &mut dyn FnMut(Event<'_>),
) -> Outcome {
    if let Some(shard) = &opts.shard {
        run.agreements
            .retain(|a| a.agreement.avtale.id.as_ref().is_none_or(|id| shard.contains(&id.v)));
    }
    let out_dir = &opts.out_dir;
    let dir_ok = match std::fs::create_dir_all(out_dir).and_then(|()| writable(out_dir)) {
        Ok(()) => true,
        Err(e) => {
            run.tool_errors
                .push(msg!("cannot-write-output-dir", dir = out_dir.display(), error = e).into());
            false
        }
    };
    // Held until the run ends; the index is read under it.
    let _lock = if dir_ok { lock_dir(out_dir, observe) } else { None };
    let context = context_key(cat, assets, &typesetter.settings);
    let mut index = OutputIndex::read(out_dir);
    index.format = 1;
    let planned = plan(&run.agreements, &context, &index, out_dir, opts.force);
    observe(Event::Started {
        jobs: planned.jobs.len(),
    });
    let mut rec = Recorder::new(planned, index);
    let mut workers = None;
    if dir_ok && !rec.plan.jobs.is_empty() {
        let jobs = std::mem::take(&mut rec.plan.jobs);
        let work = Work {
            agreements: &run.agreements,
            catalogue: cat,
            typesetter,
            jobs: &jobs,
            out_dir,
            force: opts.force,
        };
        workers = Some(work_on(&work, &mut |i, done| {
            rec.record(run, i, done, out_dir, observe)
        }));
    }
    let mut outcome = rec.finish(run, dir_ok, out_dir);
    outcome.workers = workers;
    outcome
}

/// Build every job on as many workers as there are cores (at most one per job), and hand
/// each result to `receive` on the calling thread, in the order they finish.
///
/// On Linux a batch of at least four documents per core is built by worker processes
/// (`procs`), when this process runs no other thread; else by threads. `AVTALE_WORKERS`
/// set to `threads` or `processes` chooses for any batch (processes still only where they
/// can be forked).
fn work_on(work: &Work<'_>, receive: &mut dyn FnMut(usize, Done)) -> Workers {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(work.jobs.len())
        .max(1);
    #[cfg(target_os = "linux")]
    {
        let wanted = match std::env::var("AVTALE_WORKERS").as_deref() {
            Ok("threads") => false,
            Ok("processes") => true,
            _ => workers > 1 && work.jobs.len() >= 4 * workers,
        };
        if wanted && procs::can_fork() && procs::run(work, workers, receive).is_some() {
            return Workers {
                kind: WorkerKind::Processes,
                count: workers,
            };
        }
    }
    pool::threads(work, workers, receive);
    Workers {
        kind: WorkerKind::Threads,
        count: workers,
    }
}

/// The results of the workers, gathered on the calling thread.
struct Recorder {
    plan: plan::Plan,
    index: OutputIndex,
    extra: Vec<(usize, Vec<Diagnostic>)>,
    io_errors: Vec<String>,
    template_error: Option<String>,
    signed: Vec<PathBuf>,
    /// Only a run that built something rewrites the index.
    dirty: bool,
    last_save: Instant,
}

impl Recorder {
    fn new(plan: plan::Plan, index: OutputIndex) -> Recorder {
        Recorder {
            plan,
            index,
            extra: Vec::new(),
            io_errors: Vec::new(),
            template_error: None,
            signed: Vec::new(),
            dirty: false,
            last_save: Instant::now(),
        }
    }

    fn record(&mut self, run: &Run, i: usize, done: Done, out_dir: &Path, observe: &mut dyn FnMut(Event<'_>)) {
        let id = id_of(&run.agreements[i]).to_string();
        let failed = Some(Status::Failed);
        match done {
            Done::Built { sha256, pages, size } => {
                let path = out_dir.join(format!("{id}.pdf"));
                observe(Event::Built {
                    id: &id,
                    path: &path,
                    pages,
                });
                self.dirty = true;
                let key = self.plan.keys[i].clone();
                let entry = IndexEntry {
                    key,
                    sha256: sha256.clone(),
                    pages,
                    size,
                };
                self.index.entries.insert(id, entry);
                self.plan.status[i] = Some(Status::Built);
                self.plan.outputs[i] = Some((sha256, pages));
            }
            Done::Input(d) => {
                self.plan.status[i] = failed;
                self.extra.push((i, d));
            }
            Done::Template(m) => {
                self.plan.status[i] = failed;
                self.template_error.get_or_insert(m);
            }
            Done::Io(m) => {
                self.plan.status[i] = failed;
                self.io_errors.push(m);
            }
            Done::Signed(p) => {
                self.plan.status[i] = failed;
                self.signed.push(p);
            }
        }
        observe(Event::Finished);
        // Record progress now and then, so an interrupted run keeps what it built.
        if self.last_save.elapsed() > Duration::from_secs(2) {
            if self.dirty {
                let _ = self.index.write(out_dir);
            }
            self.last_save = Instant::now();
        }
    }

    fn finish(self, run: &mut Run, dir_ok: bool, out_dir: &Path) -> Outcome {
        for (i, d) in self.extra {
            run.agreements[i].diags.extend(d);
        }
        run.tool_errors.extend(self.io_errors.into_iter().map(Text::Plain));
        if let Some(m) = self.template_error {
            run.tool_errors.push(msg!("template-failed", error = m).into());
        }
        if dir_ok
            && self.dirty
            && let Err(e) = self.index.write(out_dir)
        {
            run.tool_errors
                .push(msg!("cannot-write", file = out_dir.join(INDEX_FILE).display(), error = e).into());
        }
        let status = self.plan.status;
        let built = status.iter().filter(|s| matches!(s, Some(Status::Built))).count();
        let up_to_date = status.iter().filter(|s| matches!(s, Some(Status::UpToDate))).count();
        Outcome {
            failed: status.len() - built - up_to_date,
            status,
            outputs: self.plan.outputs,
            signed: self.signed,
            built,
            up_to_date,
            workers: None,
        }
    }
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
/// on one directory take turns and each sees the other's index. `None` where the platform
/// cannot lock a directory; the run then goes on unlocked.
fn lock_dir(dir: &Path, observe: &mut dyn FnMut(Event<'_>)) -> Option<std::fs::File> {
    let f = std::fs::File::open(dir).ok()?;
    match f.try_lock() {
        Ok(()) => Some(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            observe(Event::Waiting(dir));
            f.lock().ok().map(|()| f)
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}
