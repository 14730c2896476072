//! The command line: `initlab` (the app), `initlab run` (a study, headless), `initlab list`
//! (the catalogue), `initlab bench` (the speed benchmark), `initlab gallery` (the experiments)
//! and the others below.

mod args;
mod commands;
mod gallery;
mod run;
mod shard;
mod sweep;
mod theory;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use args::RunArgs;

#[derive(Parser)]
#[command(
    name = "initlab",
    version,
    about = "Compare neural-network weight initializers side by side on your own data"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    /// Open the app with this CSV, study or results file.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a study headless and write study.json and results.json.
    Run(Box<RunArgs>),
    /// List the initializers with their formulas, and the activations and optimizers.
    List,
    /// Time the benchmark workloads (digits-8x3, synthetic-100k, depth-sweep).
    Bench(BenchArgs),
    /// Load a CSV and show its columns, types and (with --target) what preparation does.
    Inspect(InspectArgs),
    /// Compare initializers across finished studies (report folders or results.json files):
    /// ranks per study, Friedman's test and the critical-difference diagram.
    Compare(CompareArgs),
    /// Re-render the report of a saved results.json.
    Report(ReportArgs),
    /// Mean-field theory: a point of the phase diagram, or each initializer of a study.
    Theory(theory::TheoryArgs),
    /// Merge the part files of a sharded study (`run --shard i/n`) into one result and report.
    Merge(shard::MergeArgs),
    /// The experiment gallery: list the experiments, or run one and write its report with the
    /// paper's claim and the verdict.
    Gallery(gallery::GalleryArgs),
}

#[derive(Args)]
pub struct ReportArgs {
    /// A results.json written by `initlab run` or the app.
    pub results: PathBuf,
    /// Output folder [default: reports/<dataset>-<date-time>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct CompareArgs {
    /// Finished studies: report folders (with results.json) or results.json files.
    #[arg(required = true, num_args = 2..)]
    pub studies: Vec<PathBuf>,
    /// Output folder [default: reports/compare-<date-time>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct InspectArgs {
    /// CSV file (or bundled:NAME).
    #[arg(long)]
    pub data: String,
    /// Target column: also prepare the data and show the summary.
    #[arg(long)]
    pub target: Option<String>,
}

#[derive(Args)]
pub struct BenchArgs {
    /// digits-8x3, synthetic-100k, depth-sweep or all.
    #[arg(long, default_value = "all")]
    pub workload: String,
    /// Timed runs per workload (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Training threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// synthetic_100k.csv as written by the spec's make_synthetic.py [default: generated here].
    #[arg(long = "synthetic-csv")]
    pub synthetic_csv: Option<PathBuf>,
    /// Turn the per-layer diagnostics off (to measure their cost).
    #[arg(long = "no-diagnostics")]
    pub no_diagnostics: bool,
}

/// Runs the command line; returns the process exit status (2 for bad input).
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run_app(cli.files),
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::List) => {
            commands::list();
            Ok(0)
        }
        Some(Command::Bench(args)) => commands::bench(&args).map(|()| 0),
        Some(Command::Inspect(args)) => commands::inspect(&args).map(|()| 0),
        Some(Command::Report(args)) => commands::report(&args).map(|()| 0),
        Some(Command::Merge(args)) => shard::merge_cli(&args).map(|()| 0),
        Some(Command::Compare(args)) => commands::compare(&args).map(|()| 0),
        Some(Command::Theory(args)) => theory::theory(&args).map(|()| 0),
        Some(Command::Gallery(args)) => gallery::gallery(&args),
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            2
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}

/// Writes the report folder; a folder that exists gets the CLI's own advice (`--force`).
fn write_report(
    result: &initlab::study::StudyResult,
    out: &std::path::Path,
    force: bool,
) -> Result<()> {
    initlab::report::write_report(result, out, force)
        .map(drop)
        .map_err(force_hint)
}

/// A report error, with the CLI's advice when the folder exists.
fn force_hint(e: initlab::report::ReportError) -> anyhow::Error {
    match e {
        initlab::report::ReportError::Exists(_) => {
            anyhow::anyhow!("{e} (or pass --force to replace it)")
        }
        e => e.into(),
    }
}

fn run_app(files: Vec<PathBuf>) -> Result<i32> {
    initlab::app::run_native(files).map(|()| 0).map_err(|e| {
        anyhow::anyhow!("cannot open the window: {e} (headless use: `initlab run --help`)")
    })
}
