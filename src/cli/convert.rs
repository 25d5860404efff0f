//! From parsed arguments to the plain options of the commands.

use crate::base::diag::Format;
use crate::batch::BatchOptions;
use crate::cli::args::{
    BuildArgs, CheckArgs, Common, DiagnosticFormat, DiffArgs, ExtractArgs, ImpactArgs, NewArgs, Output, PdfArgs,
    RenderArgs, ReviewFormat as ReviewArg, ServeArgs, SignArgs, VerifyArgs, VerifyFormat as VerifyArg, WatchArgs,
};
use crate::cli::config::Config;
use crate::commands::build::{BuildOptions, PdfOptions};
use crate::commands::check::CheckOptions;
use crate::commands::diff::{DiffOptions, ReviewFormat};
use crate::commands::extract::ExtractOptions;
use crate::commands::impact::ImpactOptions;
use crate::commands::new::NewOptions;
use crate::commands::render::{RenderFormat, RenderOptions};
use crate::commands::report::DiagnosticOptions;
use crate::commands::serve::ServeCommand;
use crate::commands::setup::SourceOptions;
use crate::commands::sign::{Password, SignOptions};
use crate::commands::verify::{VerifyFormat, VerifyOptions};
use crate::commands::watch::WatchOptions;
use crate::document::settings::{DEFAULT_STANDARDS, DEFAULT_STANDARDS_NO_ATTACHMENTS, Limits, PdfSettings};
use crate::scaffold::NewAgreement;
use crate::serve::ServeOptions;
use crate::verify::Request;

fn sources(c: &Common, cfg: &Config) -> SourceOptions {
    SourceOptions {
        catalogue: c.catalogue.clone().or_else(|| cfg.catalogue.clone()),
        templates: c.templates.clone().or_else(|| cfg.templates.clone()),
        selection: cfg.selection.clone(),
    }
}

fn diagnostics(o: &Output, cfg: &Config) -> DiagnosticOptions {
    DiagnosticOptions {
        format: match o.format {
            DiagnosticFormat::Human => Format::Human,
            DiagnosticFormat::Short => Format::Short,
            DiagnosticFormat::Json => Format::Json,
            DiagnosticFormat::Github => Format::Github,
            DiagnosticFormat::Sarif => Format::Sarif,
        },
        deny_warnings: o.deny_warnings || cfg.deny_warnings,
    }
}

fn pdf(p: &PdfArgs) -> PdfOptions {
    let defaults = if p.no_attachments {
        DEFAULT_STANDARDS_NO_ATTACHMENTS
    } else {
        DEFAULT_STANDARDS
    };
    PdfOptions {
        settings: PdfSettings {
            standards: p
                .pdf_standard
                .clone()
                .unwrap_or_else(|| defaults.iter().map(|s| s.to_string()).collect()),
            signature_fields: !p.no_signature_fields,
            attachments: !p.no_attachments,
        },
        limits: Limits {
            max_pages: usize::try_from(p.max_pages).unwrap_or(usize::MAX),
            time: std::time::Duration::from_secs(p.time_limit),
            ..Limits::default()
        },
    }
}

fn review_format(f: ReviewArg) -> ReviewFormat {
    match f {
        ReviewArg::Human => ReviewFormat::Human,
        ReviewArg::Json => ReviewFormat::Json,
    }
}

pub fn check(a: CheckArgs, cfg: &Config) -> CheckOptions {
    CheckOptions {
        stdin_filename: a.stdin_filename,
        diagnostics: diagnostics(&a.output, cfg),
        sources: sources(&a.common, cfg),
        paths: a.paths,
    }
}

pub fn build(a: BuildArgs, cfg: &Config) -> BuildOptions {
    BuildOptions {
        batch: BatchOptions {
            out_dir: a.out_dir.or_else(|| cfg.output.clone()).unwrap_or_else(|| "out".into()),
            force: a.force,
            shard: a.shard,
        },
        pdf: pdf(&a.pdf),
        report: a.report,
        quiet: a.quiet,
        diagnostics: diagnostics(&a.output, cfg),
        sources: sources(&a.common, cfg),
        paths: a.paths,
    }
}

pub fn serve(a: ServeArgs, cfg: &Config) -> ServeCommand {
    ServeCommand {
        serve: ServeOptions {
            dir: a.dir,
            port: a.port,
            out_dir: a.out_dir.or_else(|| cfg.output.clone()).unwrap_or_else(|| "out".into()),
            selection: cfg.selection.clone(),
        },
        pdf: pdf(&a.pdf),
        sources: sources(&a.common, cfg),
        open: a.open,
    }
}

pub fn render(a: RenderArgs, cfg: &Config) -> RenderOptions {
    use crate::cli::args::RenderFormat as Arg;
    RenderOptions {
        format: match a.format {
            Arg::Typst => RenderFormat::Typst,
            Arg::Text => RenderFormat::Text,
            Arg::Json => RenderFormat::Json,
            Arg::Png => RenderFormat::Png,
        },
        pdf: pdf(&a.pdf),
        sources: sources(&a.common, cfg),
        file: a.file,
        id: a.id,
        out_dir: a.out_dir,
    }
}

pub fn extract(a: ExtractArgs) -> ExtractOptions {
    ExtractOptions {
        pdf: a.pdf,
        out_dir: a.out_dir,
        force: a.force,
    }
}

pub fn verify(a: VerifyArgs, cfg: &Config) -> VerifyOptions {
    VerifyOptions {
        format: match a.format {
            VerifyArg::Human => VerifyFormat::Human,
            VerifyArg::Json => VerifyFormat::Json,
        },
        sources: sources(&a.common, cfg),
        request: Request {
            pdf: a.pdf,
            agreement: a.agreement,
            preflight: a.preflight.is_some(),
            trust: a.trust.into_iter().chain(cfg.trust.iter().cloned()).collect(),
        },
    }
}

pub fn diff(a: DiffArgs, cfg: &Config) -> DiffOptions {
    DiffOptions {
        format: review_format(a.format),
        sources: sources(&a.common, cfg),
        old: a.old,
        new: a.new,
    }
}

pub fn impact(a: ImpactArgs, cfg: &Config) -> ImpactOptions {
    ImpactOptions {
        format: review_format(a.format),
        sources: sources(&a.common, cfg),
        paths: a.paths,
        terms: a.terms,
        service: a.service,
        package: a.package,
    }
}

pub fn new(a: NewArgs, cfg: &Config) -> NewOptions {
    NewOptions {
        sources: sources(&a.common, cfg),
        output: a.output,
        agreement: NewAgreement {
            orgnr: a.orgnr,
            navn: a.navn,
            id: a.id,
            dato: a.dato.unwrap_or_else(|| chrono::Utc::now().date_naive()),
            segment: a.segment,
            tjeneste: a.tjeneste,
        },
    }
}

pub fn sign(a: SignArgs) -> SignOptions {
    SignOptions {
        password: match (a.password_env, a.password_file) {
            (Some(var), _) => Password::Env(var),
            (None, Some(file)) => Password::File(file),
            (None, None) => Password::Prompt,
        },
        pdf: a.pdf,
        field: a.field,
        p12: a.p12,
        output: a.output,
    }
}

pub fn watch(a: WatchArgs, cfg: &Config) -> WatchOptions {
    WatchOptions {
        max_rebuilds: a.max_rebuilds,
        build: build(a.build, cfg),
    }
}
