//! `initlab gallery`: list the experiments, run one headless and write its report, or export
//! its study file to edit and run on other data.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use initlab::gallery::{EXPERIMENTS, Experiment, Size, by_name, names};
use initlab::study::{Results, RunOptions, StudySpec};
use initlab::train::TrainEvent;

use super::run::{INTERRUPTED, cancel_on_signals};

#[derive(Args)]
pub struct GalleryArgs {
    /// The experiment to run; without it, list them.
    pub name: Option<String>,
    /// Output folder [default: reports/gallery-NAME-<date-time>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run the reduced setup the tests check (seconds instead of up to a minute).
    #[arg(long)]
    pub reduced: bool,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write the experiment's study file here instead of running it (edit it, then
    /// `initlab run --study FILE`).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Training threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Lists, exports or runs; returns the exit status.
pub fn gallery(args: &GalleryArgs) -> Result<i32> {
    let Some(name) = &args.name else {
        list();
        return Ok(0);
    };
    let e = by_name(name).ok_or_else(|| {
        anyhow!(
            "no experiment '{name}' in the gallery (known: {})",
            names().join(", ")
        )
    })?;
    let size = if args.reduced {
        Size::Reduced
    } else {
        Size::Full
    };
    if let Some(file) = &args.export {
        let spec = (e.spec)(size);
        std::fs::write(file, spec.to_json())
            .with_context(|| format!("cannot write {}", file.display()))?;
        println!(
            "wrote {} (run it with `initlab run --study FILE`)",
            file.display()
        );
        return Ok(0);
    }
    run(e, size, args)
}

/// One line per experiment: its name, then its claim.
fn list() {
    let width = EXPERIMENTS.iter().map(|e| e.name.len()).max().unwrap_or(8);
    for e in EXPERIMENTS {
        println!("{:<width$}  {}: {}", e.name, e.title, e.claim);
    }
}

fn run(e: &Experiment, size: Size, args: &GalleryArgs) -> Result<i32> {
    let spec = (e.spec)(size);
    let out = args.out.clone().unwrap_or_else(|| {
        initlab::report::unique_dir(&PathBuf::from("reports").join(format!(
            "gallery-{}-{}",
            e.name,
            initlab::files::timestamp()
        )))
    });
    let options = RunOptions {
        threads: args.threads.unwrap_or(RunOptions::default().threads).max(1),
    };
    if !args.quiet {
        eprintln!("{}: {}", e.title, e.claim);
    }
    let bar = progress(args, &spec);
    let emit = |ev: TrainEvent| {
        if let TrainEvent::Epoch { .. } = ev {
            bar.inc(1);
        }
    };
    let cancel = cancel_on_signals();
    let result = e.run(size, &options, &emit, &cancel)?;
    bar.finish_and_clear();
    let (verdict, wall) = match &result {
        Results::Study(r) => {
            super::write_report(r, &out, args.force)?;
            (r.verdict.clone(), r.wall_seconds)
        }
        Results::Sweep(r) => {
            initlab::report::write_sweep_report(r, &out, args.force).map_err(super::force_hint)?;
            (r.verdict.clone(), r.wall_seconds)
        }
    };
    if let Some(v) = verdict {
        println!("{}", v.text);
    }
    println!(
        "wall time {wall:.2} s; wrote {}",
        out.join("report.html").display()
    );
    Ok(if cancel.load(Ordering::SeqCst) {
        INTERRUPTED
    } else {
        0
    })
}

/// One tick per network-epoch (epoch 0 included) over every point.
fn progress(args: &GalleryArgs, spec: &StudySpec) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
    let points = spec.sweep.as_ref().map_or(1, |s| s.point_count());
    let total = spec.initializers.len() * spec.repeats * (spec.train.epochs + 1) * points;
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed} elapsed, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
