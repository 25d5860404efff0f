//! `avtale build` and `avtale render`: checked agreements into PDF files or Typst source.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::cli::{BuildArgs, EXIT_INVALID, EXIT_OK, EXIT_TROUBLE, RenderArgs, RenderFormat, setup};
use crate::load;
use crate::pdf::{BuildError, Renderer, strip_markers};

/// Write `bytes` to `path` so that readers see the old file or the whole new one, never a
/// part: a temporary file in the same directory, synced, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub fn build(args: &BuildArgs) -> i32 {
    let started = Instant::now();
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let renderer = match Renderer::new(setup.assets.clone(), &args.pdf_standard) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    let mut run = load::load(&args.paths, &setup.catalogue);
    if let Err(e) = std::fs::create_dir_all(&args.out_dir) {
        run.tool_errors.push(format!(
            "cannot create output directory {}: {e}",
            args.out_dir.display()
        ));
    }
    let mut built = 0usize;
    let mut template_errors = Vec::new();
    if run.tool_errors.is_empty() || args.out_dir.is_dir() {
        for i in 0..run.agreements.len() {
            if run.agreements[i].has_errors() {
                continue;
            }
            let result = renderer.build(&run.agreements[i].agreement, &setup.catalogue);
            typst::comemo::evict(0);
            match result {
                Ok(b) => {
                    let target = args.out_dir.join(format!("{}.pdf", b.view.id));
                    match write_atomic(&target, &b.pdf) {
                        Ok(()) => built += 1,
                        Err(e) => {
                            run.tool_errors.push(format!("cannot write {}: {e}", target.display()));
                        }
                    }
                }
                Err(BuildError::Input(diags)) => {
                    run.agreements[i].diags.extend(diags);
                }
                Err(BuildError::Template(m)) => {
                    // A broken template breaks every document: stop at the first.
                    template_errors.push(m);
                    break;
                }
                Err(BuildError::Other(m)) => {
                    run.tool_errors.push(m);
                }
            }
        }
    }
    let failed = run.agreements.len() - built;
    for m in template_errors {
        run.tool_errors.push(format!("the document template failed:\n{m}"));
    }
    let code = crate::cli::report(&args.common, &args.output, &run, "checked");
    eprintln!(
        "built {built} {} into {}, {failed} failed, in {:.2} s",
        if built == 1 { "PDF" } else { "PDFs" },
        args.out_dir.display(),
        started.elapsed().as_secs_f64()
    );
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
    let renderer = match Renderer::new(setup.assets.clone(), &[]) {
        Ok(r) => r,
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
        let code = crate::cli::report(&args.common, &out, &run, "checked");
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
        match args.format {
            RenderFormat::Typst => match renderer.source(&a.agreement, &setup.catalogue) {
                Ok((src, _)) => {
                    let _ = stdout.write_all(strip_markers(&src).as_bytes());
                }
                Err(BuildError::Input(d)) => {
                    let mut err = crate::cli::stderr(args.common.color);
                    let _ = crate::diag::emit(&mut err, crate::diag::Format::Human, &run.sources, &d);
                    return EXIT_INVALID;
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_TROUBLE;
                }
            },
        }
    }
    EXIT_OK
}
