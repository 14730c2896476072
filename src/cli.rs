//! The command line: `initlab` (the app), `initlab run` (a study, headless), `initlab list`
//! (the catalogue) and `initlab bench` (the speed benchmark).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use initlab::activation::Activation;
use initlab::data::{MissingPolicy, Task, TaskChoice};
use initlab::files::timestamp;
use initlab::init::{CATALOGUE, Initializer};
use initlab::report::{unique_dir, write_report};
use initlab::study::{RunOptions, StudyResult, StudySpec, load_data, run_study, total_steps};
use initlab::train::{OptimizerKind, TrainEvent};

#[derive(Parser)]
#[command(
    name = "initlab",
    version,
    about = "Compare neural-network weight initializers side by side on your own data"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a study headless and write study.json and results.json.
    Run(Box<RunArgs>),
    /// List the initializers with their formulas, and the activations and optimizers.
    List,
    /// Time the benchmark workloads (digits-8x3, synthetic-100k).
    Bench(BenchArgs),
    /// Load a CSV and show its columns, types and (with --target) what preparation does.
    Inspect(InspectArgs),
    /// Re-render the report of a saved results.json.
    Report(ReportArgs),
}

#[derive(Args)]
struct ReportArgs {
    /// A results.json written by `initlab run` or the app.
    results: PathBuf,
    /// Output folder [default: reports/<dataset>-<date-time>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct InspectArgs {
    /// CSV file (or bundled:NAME).
    #[arg(long)]
    data: String,
    /// Target column: also prepare the data and show the summary.
    #[arg(long)]
    target: Option<String>,
}

#[derive(Args)]
struct BenchArgs {
    /// digits-8x3, synthetic-100k or all.
    #[arg(long, default_value = "all")]
    workload: String,
    /// Timed runs per workload (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Training threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// synthetic_100k.csv as written by the spec's make_synthetic.py [default: generated here].
    #[arg(long = "synthetic-csv")]
    synthetic_csv: Option<PathBuf>,
    /// Turn the per-layer diagnostics off (to measure their cost).
    #[arg(long = "no-diagnostics")]
    no_diagnostics: bool,
}

#[derive(Args, Default)]
struct RunArgs {
    /// CSV file (or bundled:NAME for a bundled dataset: digits, iris, wine, breast_cancer, diabetes).
    #[arg(long)]
    data: Option<String>,
    /// Target column name.
    #[arg(long)]
    target: Option<String>,
    /// Output folder [default: reports/<dataset>-<date-time>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// A whole study spec from a file; flags given here override it.
    #[arg(long)]
    study: Option<PathBuf>,
    /// auto | classification | regression.
    #[arg(long)]
    task: Option<String>,
    /// Hidden layer widths, e.g. 128,128.
    #[arg(long)]
    hidden: Option<String>,
    /// relu, leaky-relu, tanh, sigmoid, gelu, selu, softsign, identity.
    #[arg(long)]
    activation: Option<String>,
    /// Initializers to compare, comma-separated (see `initlab list`).
    #[arg(long)]
    init: Option<String>,
    /// Bias initialization for every arm: zeros or constant:V.
    #[arg(long)]
    bias: Option<String>,
    /// Repeats per initializer (each repeat draws its own weights and batch order).
    #[arg(long, visible_alias = "seeds")]
    repeats: Option<usize>,
    #[arg(long)]
    epochs: Option<usize>,
    /// Mini-batch size.
    #[arg(long)]
    batch: Option<usize>,
    /// adam | sgd | momentum.
    #[arg(long)]
    optimizer: Option<String>,
    /// Momentum factor for --optimizer momentum.
    #[arg(long)]
    momentum: Option<f64>,
    /// Nesterov momentum.
    #[arg(long)]
    nesterov: bool,
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    #[arg(long = "val-fraction")]
    val_fraction: Option<f64>,
    /// Study seed: fixes the split, batch orders and initial weights.
    #[arg(long)]
    seed: Option<u64>,
    /// drop | impute: rows with missing feature cells are dropped, or cells get the training mean.
    #[arg(long)]
    missing: Option<String>,
    /// Columns to exclude from the features, comma-separated.
    #[arg(long)]
    ignore: Option<String>,
    /// Training threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
    /// Skip the per-layer diagnostics.
    #[arg(long = "no-diagnostics")]
    no_diagnostics: bool,
}

/// Runs the command line; returns the process exit status (2 for bad input).
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run_app(),
        Some(Command::Run(args)) => run(&args).map(|_| ()),
        Some(Command::List) => {
            list();
            Ok(())
        }
        Some(Command::Bench(args)) => bench(&args),
        Some(Command::Inspect(args)) => inspect(&args),
        Some(Command::Report(args)) => report(&args),
    };
    match result {
        Ok(()) => 0,
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

fn run_app() -> Result<()> {
    initlab::app::run_native().map_err(|e| {
        anyhow::anyhow!("cannot open the window: {e} (headless use: `initlab run --help`)")
    })
}

fn report(args: &ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("cannot read {}", args.results.display()))?;
    let result = StudyResult::from_json(&text, &args.results.display().to_string())?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&result.spec));
    write_report(&result, &out, args.force)?;
    println!("wrote {}", out.join("report.html").display());
    Ok(())
}

/// `reports/<dataset>-<date-time>`, never an existing folder.
fn default_out(spec: &StudySpec) -> PathBuf {
    unique_dir(&PathBuf::from("reports").join(format!("{}-{}", dataset_stem(spec), timestamp())))
}

fn inspect(args: &InspectArgs) -> Result<()> {
    let spec = StudySpec {
        data: args.data.clone(),
        ..StudySpec::default()
    };
    let started = std::time::Instant::now();
    let bar = ProgressBar::new(100);
    let table = spec
        .data_source(None)
        .load(&mut |p| bar.set_position((p.fraction() * 100.0) as u64))?;
    bar.finish_and_clear();
    let loaded = started.elapsed().as_secs_f64();
    println!(
        "{}: {} rows, {} columns, delimiter {:?}, loaded in {loaded:.2} s",
        table.source,
        table.n_rows,
        table.columns.len(),
        table.delimiter as char
    );
    for c in &table.columns {
        let detail = match &c.kind {
            initlab::data::ColumnKind::Text { reason } => format!(" ({reason})"),
            initlab::data::ColumnKind::Categorical { levels } => format!(" ({levels} levels)"),
            initlab::data::ColumnKind::Numeric => String::new(),
        };
        println!(
            "  {:<24} {:<12} {} missing{detail}",
            c.name,
            c.kind.label(),
            c.missing
        );
    }
    if let Some(target) = &args.target {
        let opts = initlab::data::PrepareOptions {
            target: target.clone(),
            ..Default::default()
        };
        let p = initlab::data::prepare(&table, &opts, 0)?;
        println!("{}", p.summary.describe());
        println!(
            "prepared in {:.2} s in all",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn bench(args: &BenchArgs) -> Result<()> {
    let threads = args.threads.unwrap_or(RunOptions::default().threads).max(1);
    let all = args.workload == "all";
    if !all && !matches!(args.workload.as_str(), "digits-8x3" | "synthetic-100k") {
        bail!(
            "--workload: unknown workload '{}' (valid: digits-8x3, synthetic-100k, all)",
            args.workload
        );
    }
    let diagnostics = |mut w: initlab::bench::Workload| {
        w.spec.diagnostics = !args.no_diagnostics;
        w
    };
    if all || args.workload == "digits-8x3" {
        initlab::bench::run_and_print(
            &diagnostics(initlab::bench::digits_8x3()?),
            args.runs,
            threads,
        )?;
    }
    if all || args.workload == "synthetic-100k" {
        let csv = match &args.synthetic_csv {
            Some(p) => Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?),
            None => None,
        };
        initlab::bench::run_and_print(
            &diagnostics(initlab::bench::synthetic_100k(csv.as_deref())?),
            args.runs,
            threads,
        )?;
    }
    Ok(())
}

fn list() {
    println!("Initializers (name or name:param; the same names work in study files and the app):");
    for e in CATALOGUE {
        println!("  {:<46} {}", e.syntax, e.formula);
        println!("  {:<46} source: {}", "", e.source);
    }
    println!(
        "\nGains: gain=auto uses PyTorch's calculate_gain for the activation (sigmoid 1, tanh 5/3, relu sqrt 2, leaky-relu sqrt(2/(1+0.01^2)), selu 3/4, identity 1)."
    );
    let acts: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
    println!("Activations: {}", acts.join(", "));
    let opts: Vec<&str> = OptimizerKind::ALL.iter().map(|o| o.name()).collect();
    println!(
        "Optimizers: {} (PyTorch defaults: Adam betas 0.9/0.999, eps 1e-8; momentum 0.9, no dampening)",
        opts.join(", ")
    );
}

/// Merges a study file (if any) with the flags, which win.
fn build_spec(args: &RunArgs) -> Result<(StudySpec, Option<PathBuf>)> {
    let (mut spec, base) = match &args.study {
        Some(path) => (StudySpec::load(path)?, path.parent().map(Path::to_path_buf)),
        None => (StudySpec::default(), None),
    };
    if args.study.is_none() && (args.data.is_some() != args.target.is_some()) {
        bail!("--data and --target go together (or give --study)");
    }
    if let Some(d) = &args.data {
        spec.data = d.clone();
    }
    if let Some(t) = &args.target {
        spec.prepare.target = t.clone();
    }
    if let Some(t) = &args.task {
        spec.prepare.task = match t.as_str() {
            "auto" => TaskChoice::Auto,
            "classification" => TaskChoice::Classification,
            "regression" => TaskChoice::Regression,
            other => {
                bail!("--task: unknown task '{other}' (valid: auto, classification, regression)")
            }
        };
    }
    if let Some(h) = &args.hidden {
        spec.model.hidden = parse_list(h, "--hidden")?;
    }
    if let Some(a) = &args.activation {
        spec.model.activation = a
            .parse()
            .map_err(anyhow::Error::msg)
            .context("--activation")?;
    }
    if let Some(list) = &args.init {
        spec.initializers = split_inits(list)
            .iter()
            .map(|s| s.parse::<Initializer>())
            .collect::<Result<_, _>>()
            .context("--init")?;
    }
    if let Some(b) = &args.bias {
        spec.model.bias = b.parse().map_err(anyhow::Error::msg).context("--bias")?;
    }
    if let Some(s) = args.repeats {
        spec.repeats = s;
    }
    if let Some(e) = args.epochs {
        spec.train.epochs = e;
    }
    if let Some(b) = args.batch {
        spec.train.batch_size = b;
    }
    if let Some(o) = &args.optimizer {
        spec.train.optimizer.kind = o
            .parse()
            .map_err(anyhow::Error::msg)
            .context("--optimizer")?;
    }
    if let Some(m) = args.momentum {
        spec.train.optimizer.momentum = m;
    }
    if args.nesterov {
        spec.train.optimizer.nesterov = true;
    }
    if let Some(lr) = args.lr {
        spec.train.lr = lr;
    }
    if let Some(v) = args.val_fraction {
        spec.prepare.val_fraction = v;
    }
    if let Some(s) = args.seed {
        spec.seed = s;
    }
    if let Some(m) = &args.missing {
        spec.prepare.missing = match m.as_str() {
            "drop" => MissingPolicy::DropRow,
            "impute" | "impute-mean" => MissingPolicy::ImputeMean,
            other => bail!("--missing: unknown policy '{other}' (valid: drop, impute)"),
        };
    }
    if let Some(i) = &args.ignore {
        spec.prepare.ignore = i
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
    }
    if args.no_diagnostics {
        spec.diagnostics = false;
    }
    spec.validate()?;
    Ok((spec, base))
}

/// Splits `a,b:gain=auto,mode=fan-out,c` at commas that start a new initializer (an option such
/// as `mode=` or a bare `fan-out` continues the previous one).
fn split_inits(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let continues =
            !part.contains(':') && (part.contains('=') || matches!(part, "fan-in" | "fan-out"));
        match out.last_mut() {
            Some(last) if continues => {
                last.push(',');
                last.push_str(part);
            }
            _ => out.push(part.to_owned()),
        }
    }
    out
}

fn parse_list(s: &str, flag: &str) -> Result<Vec<usize>> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<usize>()
                .with_context(|| format!("{flag}: '{p}' is not a whole number"))
        })
        .collect()
}

fn dataset_stem(spec: &StudySpec) -> String {
    let d = spec.data.strip_prefix("bundled:").unwrap_or(&spec.data);
    Path::new(d)
        .file_stem()
        .map_or_else(|| "study".into(), |s| s.to_string_lossy().into_owned())
}

fn run(args: &RunArgs) -> Result<StudyResult> {
    let (spec, base) = build_spec(args)?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("reports").join(format!("{}-{}", dataset_stem(&spec), timestamp()))
    });
    let (_table, data) = load_data(&spec, base.as_deref(), &mut |_| {})?;
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
    let cancel = AtomicBool::new(false);
    let result = run_study(&spec, &data, &options, &emit, &cancel)?;
    bar.finish_and_clear();

    write_report(&result, &out, args.force)?;
    print_table(&result);
    println!(
        "wall time {:.2} s; wrote {}",
        result.wall_seconds,
        out.join("report.html").display()
    );
    Ok(result)
}

fn pm(mean: Option<f64>, std: Option<f64>, digits: usize) -> String {
    match (mean, std) {
        (Some(m), Some(s)) => format!("{m:.digits$} ± {s:.digits$}"),
        (Some(m), None) => format!("{m:.digits$}"),
        _ => "—".into(),
    }
}

fn print_table(r: &StudyResult) {
    let regression = r.data.task == Task::Regression;
    let metric = if regression {
        "val R²"
    } else {
        "val accuracy"
    };
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
        let score = if regression {
            pm(s.final_val_r2_mean, s.final_val_r2_std, 3)
        } else {
            pm(s.final_val_accuracy_mean, s.final_val_accuracy_std, 3)
        };
        println!(
            "{:<width$}  {:>20}  {:>20}  {:>5}/{}",
            s.initializer,
            pm(s.final_val_loss_mean, s.final_val_loss_std, 4),
            score,
            s.diverged,
            s.repeats
        );
    }
}
