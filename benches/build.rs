//! Time to build one agreement into a PDF: cold (first document in the process, with the
//! fonts and standard library set up) and warm (later documents), and the PDF's size.
//!
//!   cargo bench --bench build [-- FILE [RUNS]]

use std::path::PathBuf;
use std::time::Instant;

use avtale::base::diag::Sources;
use avtale::catalog::Catalogue;
use avtale::catalog::assets::Assets;
use avtale::document::{PdfSettings, Typesetter};
use avtale::input::load;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let file = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("agreements/fjordvik-kommune.toml"));
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(30);

    let t0 = Instant::now();
    let cat = Catalogue::load(&Assets::Embedded, "katalog.toml", &mut Sources::default()).expect("catalogue");
    let renderer = Typesetter::new(Assets::Embedded, &PdfSettings::default()).expect("renderer");
    let run = load::load(std::slice::from_ref(&file), &cat);
    let loaded = run.agreements.first().expect("an agreement");
    let agreement = &loaded.agreement;
    let setup = t0.elapsed();

    let t1 = Instant::now();
    let first = renderer
        .build(agreement, &cat, &|v| {
            avtale::document::provenance::attachments(loaded, v, &cat, &renderer.settings)
        })
        .expect("builds");
    let cold = t1.elapsed();
    typst::comemo::evict(0);

    let mut warm = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let b = renderer
            .build(agreement, &cat, &|v| {
                avtale::document::provenance::attachments(loaded, v, &cat, &renderer.settings)
            })
            .expect("builds");
        warm.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(b.pdf.len(), first.pdf.len());
        // As in a batch: nothing cached from the previous document is reused.
        typst::comemo::evict(0);
    }
    warm.sort_by(|a, b| a.total_cmp(b));
    let median = warm[warm.len() / 2];
    println!("agreement:            {}", file.display());
    println!(
        "setup (catalogue, fonts, library): {:.1} ms",
        setup.as_secs_f64() * 1000.0
    );
    println!(
        "cold build (first document):       {:.1} ms",
        cold.as_secs_f64() * 1000.0
    );
    println!(
        "warm build, median of {runs}:         {median:.1} ms (min {:.1}, max {:.1})",
        warm[0],
        warm[warm.len() - 1]
    );
    println!(
        "pages: {}, PDF size: {} bytes ({:.0} KiB)",
        first.pages,
        first.pdf.len(),
        first.pdf.len() as f64 / 1024.0
    );
}
