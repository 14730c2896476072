//! `initlab run` on a study with a sweep: the grid's size and estimated time first, a limit on
//! the number of networks, then one progress bar over every point and the sweep's report.

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use initlab::report::{default_dir, write_sweep_report};
use initlab::study::sweep::{DEFAULT_MAX_NETWORKS, estimate, load_tables, run_sweep};
use initlab::study::{RunOptions, StudySpec, SweepResult};
use initlab::train::TrainEvent;

use super::args::RunArgs;
use super::run::{cancel_on_signals, finish};

/// Runs the sweep of `spec`; returns the exit status.
pub fn run_sweep_cli(
    args: &RunArgs,
    spec: &StudySpec,
    base: Option<&std::path::Path>,
) -> Result<i32> {
    let limit = args.max_networks.unwrap_or(DEFAULT_MAX_NETWORKS);
    let networks = spec.network_count();
    if networks > limit {
        bail!(
            "this sweep trains {networks} networks, above the limit of {limit}: pass \
             --max-networks {networks} to run it"
        );
    }
    let out = args.out.clone().unwrap_or_else(|| default_dir(spec));
    let (spec, tables) = load_tables(spec, base, &mut |_| {})?;
    let options = RunOptions {
        threads: args.threads.unwrap_or(RunOptions::default().threads).max(1),
    };
    let est = estimate(&spec, &tables, options.threads)?;
    if !args.quiet {
        eprintln!(
            "sweep: {} points, {} networks, {:.2} M parameters; estimated {:.0} s on {} \
             threads (calibrated on {})",
            est.points,
            est.networks,
            est.parameters / 1e6,
            est.seconds.max(1.0),
            options.threads,
            est.calibrated_on
        );
    }
    let bar = progress(args, &spec);
    let emit = |e: TrainEvent| {
        if let TrainEvent::Epoch { .. } = e {
            bar.inc(1);
        }
    };
    let cancel = cancel_on_signals();
    let result = run_sweep(&spec, &tables, &options, &emit, &cancel)?;
    bar.finish_and_clear();
    write_sweep_report(&result, &out, args.force).map_err(super::force_hint)?;
    print_points(&result);
    Ok(finish(&cancel, result.wall_seconds, &out))
}

/// One tick per network-epoch (epoch 0 included), so every point counts by its size.
fn progress(args: &RunArgs, spec: &StudySpec) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
    let per_point = spec.initializers.len() * spec.repeats * (spec.train.epochs + 1);
    let points = spec.sweep.as_ref().map_or(1, |s| s.point_count());
    let bar = ProgressBar::new((per_point * points) as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {percent:>3}% {pos}/{len} network-epochs  {elapsed} elapsed, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Per point, how many repeats of each initializer trained.
fn print_points(r: &SweepResult) {
    let Some(sweep) = &r.spec.sweep else { return };
    let inits = r.spec.initializer_names();
    let width = inits.iter().map(String::len).max().unwrap_or(8).max(8);
    let label_width = r
        .points
        .iter()
        .map(|p| sweep.point_label(&p.coords).len())
        .max()
        .unwrap_or(5);
    print!("{:<label_width$}", "point");
    for i in &inits {
        print!("  {i:>width$}");
    }
    println!("   (repeats trained / repeats)");
    for p in &r.points {
        print!("{:<label_width$}", sweep.point_label(&p.coords));
        for i in &inits {
            let (mut trained, mut n) = (0, 0);
            for (run, t) in p.result.runs.iter().zip(&p.trainability) {
                if &run.initializer == i {
                    n += 1;
                    trained += usize::from(t.trained);
                }
            }
            print!("  {:>width$}", format!("{trained}/{n}"));
        }
        println!();
    }
}
