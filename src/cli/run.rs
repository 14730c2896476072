//! `initlab run`: train a study headless with a progress bar, stop cleanly on Ctrl-C or
//! SIGTERM (what a cluster sends before preempting a job), and write the report.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use initlab::report::{default_dir, pm};

use super::write_report;
use initlab::study::{RunOptions, StudyResult, load_data, run_study_table, total_steps};
use initlab::train::TrainEvent;

use super::args::{RunArgs, build_spec};

/// Exit status of a run stopped by a signal (128 + SIGINT), after its partial results are
/// written: scripts and schedulers see that it did not finish.
pub const INTERRUPTED: i32 = 130;

/// Runs the study; returns the exit status (0, or [`INTERRUPTED`] after a signal).
pub fn run(args: &RunArgs) -> Result<i32> {
    let (spec, base) = build_spec(args)?;
    if let Some(shard) = &args.shard {
        return super::shard::run_shard_cli(args, &spec, shard);
    }
    if spec.is_sweep() {
        return super::sweep::run_sweep_cli(args, &spec, base.as_deref());
    }
    let out = args.out.clone().unwrap_or_else(|| default_dir(&spec));
    let (table, data) = load_data(&spec, base.as_deref(), &mut |_| {})?;
    let options = RunOptions {
        threads: args.threads.unwrap_or(RunOptions::default().threads).max(1),
    };
    if !args.quiet {
        eprintln!("{}", data.summary.describe());
    }

    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total_steps(&spec, &data, options.threads) as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {percent:>3}% {pos}/{len} steps  {elapsed} elapsed, ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let epochs = spec.train.epochs;
    let emit = |e: TrainEvent| match e {
        TrainEvent::Steps { steps } => bar.inc(steps as u64),
        TrainEvent::Epoch { metrics, .. } => {
            bar.set_message(format!("epoch {}/{epochs}", metrics.epoch))
        }
        TrainEvent::Diverged { arm, epoch } => {
            bar.println(format!("arm {arm} diverged at epoch {epoch}"))
        }
        TrainEvent::Diagnostics { .. } | TrainEvent::InitialHistograms { .. } => {}
    };
    let cancel = cancel_on_signals();
    let result = run_study_table(&spec, &table, &options, &emit, &cancel)?;
    bar.finish_and_clear();

    write_report(&result, &out, args.force)?;
    print_table(&result);
    Ok(finish(&cancel, result.wall_seconds, &out))
}

/// The last line of a run (study or sweep) and its exit status: [`INTERRUPTED`] after a signal.
pub(super) fn finish(cancel: &AtomicBool, wall_seconds: f64, out: &std::path::Path) -> i32 {
    let report = out.join("report.html");
    if cancel.load(Ordering::SeqCst) {
        println!(
            "stopped after {wall_seconds:.2} s: partial results written to {}",
            report.display()
        );
        return INTERRUPTED;
    }
    println!("wall time {wall_seconds:.2} s; wrote {}", report.display());
    0
}

/// Sets `cancel` on the first SIGINT, SIGTERM or SIGHUP, so training stops between two steps
/// and the partial results are written; a second signal exits at once.
pub(super) fn cancel_on_signals() -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let installed = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED);
        }
        eprintln!("\nstopping after the current step (press Ctrl-C again to quit at once)…");
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C will not keep partial results: {e}");
    }
    cancel
}

fn print_table(r: &StudyResult) {
    let metric = format!("val {}", r.data.task.score_name());
    let width = r
        .summary
        .iter()
        .map(|s| s.initializer.len())
        .max()
        .unwrap_or(11)
        .max(11);
    println!(
        "{:<width$}  {:>20}  {:>20}  {:>8}",
        "initializer", "final val loss", metric, "diverged"
    );
    for s in &r.summary {
        let score = pm(s.score_mean(), s.score_std());
        println!(
            "{:<width$}  {:>20}  {:>20}  {:>5}/{}",
            s.initializer,
            pm(s.final_val_loss_mean, s.final_val_loss_std),
            score,
            s.diverged,
            s.repeats
        );
    }
}
