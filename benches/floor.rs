//! The floor of a batch build, and how close `avtale build` comes to it.
//!
//! The floor is the work Typst must do for the agreements of DIR however they are built:
//! each distinct set of appendices laid out once, each agreement's own pages laid out, and
//! the combined pages exported to PDF with the same settings as `avtale build` (PDF/A-3a +
//! PDF/UA-1, the attachments), on the same number of worker threads with the same cache
//! eviction. Nothing else: no reading or checking, no templates, no signature fields, no
//! writing. Then `avtale build` (defaults) runs on the same directory, and the ratio of the
//! two is printed. Both run with the same allocator (jemalloc, as the binary).
//!
//!   cargo bench --bench floor -- DIR      (DIR holds agreement files)

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use avtale::base::diag::Sources;
use avtale::catalog::Catalogue;
use avtale::catalog::assets::Assets;
use avtale::document::splice::{placeholder_page, splice};
use avtale::document::template::{APPENDIX_TEMPLATE, MAIN_TEMPLATE};
use avtale::document::world::{APPENDIX_PATH, MAIN_PATH};
use avtale::document::{PdfSettings, Typesetter, provenance};
use avtale::input::load;
use typst_layout::Page;

type Files = Vec<(String, Vec<u8>)>;

// The floor is measured with the allocator `avtale build` uses, so that the ratio compares
// the work done and not the allocators.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// One agreement, ready for Typst: its main source (with blank pages for its appendices),
/// the files it attaches, and which set of appendices goes on the blank pages.
struct Job {
    id: String,
    date: chrono::NaiveDate,
    main: String,
    files: Files,
    appendix: usize,
}

/// A distinct set of appendices: its source and the terms texts it includes.
struct AppendixSet {
    src: String,
    terms: Files,
    date: chrono::NaiveDate,
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .expect("usage: cargo bench --bench floor -- DIR");
    let cat = Catalogue::load(&Assets::Embedded, "katalog.toml", &mut Sources::default()).expect("catalogue");
    let ts = Typesetter::new(Assets::Embedded, &PdfSettings::default()).expect("typesetter");
    let run = load::load(std::slice::from_ref(&dir), &cat);
    assert!(!run.agreements.is_empty(), "no agreements in {}", dir.display());
    let (jobs, sets) = prepare(&ts, &cat, &run.agreements);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());

    let started = Instant::now();
    let laid_out: Vec<Vec<Page>> = parallel(workers, &sets, |set| {
        let (_, doc) = ts
            .engine
            .compile_doc(APPENDIX_PATH, set.src.clone(), set.date, set.terms.clone())
            .expect("the appendices lay out");
        doc.pages().to_vec()
    });
    let appendix_secs = started.elapsed().as_secs_f64();
    parallel(workers, &jobs, |job| {
        let (_, doc) = ts
            .engine
            .compile_doc(MAIN_PATH, job.main.clone(), job.date, job.files.clone())
            .expect("the agreement lays out");
        let first = placeholder_page(&doc).expect("blank pages for the appendices");
        let doc = splice(&doc, &laid_out[job.appendix], first);
        let options = ts.pdf_options(&job.id, job.date).expect("options");
        let pdf = typst_pdf::pdf(&doc, &options).expect("exports");
        std::hint::black_box(pdf);
        typst::comemo::evict(0);
    });
    let floor = started.elapsed().as_secs_f64();

    let out = tempfile::tempdir().expect("a temporary directory");
    let started = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_avtale"))
        .args(["build", "--quiet", "--force", "-o"])
        .arg(out.path())
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("avtale runs");
    let build = started.elapsed().as_secs_f64();
    assert!(status.success(), "avtale build failed");

    println!(
        "agreements: {} ({} sets of appendices), {workers} workers",
        jobs.len(),
        sets.len()
    );
    println!("floor (appendix sets once, agreement pages laid out, combined pages exported): {floor:.2} s");
    println!("  of which the appendix sets: {appendix_secs:.2} s");
    println!("avtale build (defaults): {build:.2} s");
    println!("build / floor = {:.2}", build / floor);
}

/// The jobs, and the distinct appendix sets they use; the templates are filled here, before
/// anything is timed, with the appendices laid out once to know how many pages they take.
fn prepare(ts: &Typesetter, cat: &Catalogue, agreements: &[load::Loaded]) -> (Vec<Job>, Vec<AppendixSet>) {
    let mut sets: Vec<AppendixSet> = Vec::new();
    let mut pages_of: HashMap<String, (usize, usize)> = HashMap::new();
    let mut jobs = Vec::new();
    for loaded in agreements {
        let attach = |v: &avtale::document::View| provenance::attachments(loaded, v, cat, &ts.settings);
        let (mut view, terms, files) = ts.layout_inputs(&loaded.agreement, cat, &attach).expect("checks");
        let date = view.dato_iso;
        let src = ts
            .engine
            .fill_template(APPENDIX_TEMPLATE, &view)
            .expect("appendix template");
        let (set, pages) = *pages_of.entry(src.clone()).or_insert_with(|| {
            let (_, doc) = ts
                .engine
                .compile_doc(APPENDIX_PATH, src.clone(), date, terms.clone())
                .expect("the appendices lay out");
            sets.push(AppendixSet {
                src,
                terms: terms.clone(),
                date,
            });
            (sets.len() - 1, doc.pages().len())
        });
        view.vedleggssider = Some(pages);
        let main = ts.engine.fill_template(MAIN_TEMPLATE, &view).expect("main template");
        // The agreement's own pages read only the attached files, not the terms texts.
        let files = files
            .into_iter()
            .filter(|(name, _)| !terms.iter().any(|(t, _)| t == name))
            .collect();
        jobs.push(Job {
            id: view.id.clone(),
            date,
            main,
            files,
            appendix: set,
        });
    }
    typst::comemo::evict(0);
    (jobs, sets)
}

/// `f` over `items` on `workers` threads; the results in the order of `items`.
fn parallel<T: Sync, R: Send>(workers: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut out: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker")).collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}
