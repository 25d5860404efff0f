//! The floor for batch builds: in-process Typst alone (compile and PDF export) over Typst
//! sources that `avtale render --format typst` wrote, with the same worker threads and cache
//! eviction as `avtale build`, but no reading, checking or templating.
//!
//!   cargo bench --bench floor -- DIR      (DIR holds *.typ files)

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use avtale::catalog::assets::Assets;
use avtale::document::{PdfSettings, Typesetter};

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .expect("usage: cargo bench --bench floor -- DIR");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "typ"))
        // Documents only, not the template files copied beside them.
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|s| s.contains("#show: dokument.with(")))
        .collect();
    files.sort();
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, std::fs::read_to_string(p).expect("UTF-8 source"))
        })
        .collect();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();

    let started = Instant::now();
    // The same output as the typst CLI in bench/segment.sh: PDF/A-2a + UA-1, no fields.
    let settings = PdfSettings {
        standards: vec!["a-2a".into(), "ua-1".into()],
        signature_fields: false,
        attachments: false,
    };
    let renderer = Typesetter::new(Assets::Embedded, &settings).expect("renderer");
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some((id, src)) = sources.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (pdf, _) = renderer.compile(src.clone(), id, date, Vec::new()).expect("compiles");
                    std::hint::black_box(pdf);
                    typst::comemo::evict(0);
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!("documents: {}", sources.len());
    println!(
        "in-process Typst alone: {secs:.2} s ({:.1} documents/s)",
        sources.len() as f64 / secs
    );
}
