//! `initlab run`'s flags and how they combine with a study file into one `StudySpec`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use initlab::data::{MissingPolicy, TaskChoice};
use initlab::init::Initializer;
use initlab::study::{Axis, StudySpec, Sweep};

#[derive(Args, Default)]
pub struct RunArgs {
    /// CSV file (or bundled:NAME for a bundled dataset: digits, iris, wine, breast_cancer,
    /// diabetes).
    #[arg(long)]
    pub data: Option<String>,
    /// Target column name.
    #[arg(long)]
    pub target: Option<String>,
    /// Output folder [default: reports/<dataset>-<date-time>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A whole study spec from a file; flags given here override it.
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// auto | classification | regression.
    #[arg(long)]
    pub task: Option<String>,
    /// Hidden layer widths, e.g. 128,128.
    #[arg(long)]
    pub hidden: Option<String>,
    /// relu, leaky-relu, tanh, sigmoid, gelu, selu, softsign, identity.
    #[arg(long)]
    pub activation: Option<String>,
    /// Initializers to compare, comma-separated (see `initlab list`).
    #[arg(long)]
    pub init: Option<String>,
    /// Bias initialization for every arm: zeros, constant:V or normal:STD (drawn per repeat).
    #[arg(long)]
    pub bias: Option<String>,
    /// Repeats per initializer (each repeat draws its own weights and batch order).
    #[arg(long, visible_alias = "seeds")]
    pub repeats: Option<usize>,
    /// What else differs between repeats: seeds (nothing: one split), splits (each repeat its
    /// own stratified split; the default of a study built from flags), splits:S (S splits
    /// crossed with the repeats: the report splits the spread into split and seed) or folds:K
    /// (K-fold cross-validation). A study file without repeat_mode means seeds.
    #[arg(long = "repeat-mode")]
    pub repeat_mode: Option<String>,
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Mini-batch size.
    #[arg(long)]
    pub batch: Option<usize>,
    /// adam | sgd | momentum.
    #[arg(long)]
    pub optimizer: Option<String>,
    /// Momentum factor for --optimizer momentum.
    #[arg(long)]
    pub momentum: Option<f64>,
    /// Nesterov momentum.
    #[arg(long)]
    pub nesterov: bool,
    #[arg(long, allow_negative_numbers = true)]
    pub lr: Option<f64>,
    #[arg(long = "val-fraction")]
    pub val_fraction: Option<f64>,
    /// Study seed: fixes the split, batch orders and initial weights.
    #[arg(long)]
    pub seed: Option<u64>,
    /// drop | impute: rows with missing feature cells are dropped, or cells get the training mean.
    #[arg(long)]
    pub missing: Option<String>,
    /// Columns to exclude from the features, comma-separated.
    #[arg(long)]
    pub ignore: Option<String>,
    /// Training threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Skip the per-layer diagnostics.
    #[arg(long = "no-diagnostics")]
    pub no_diagnostics: bool,
    /// Sweep an axis: NAME=VALUES, e.g. depth=2,4,8,16,32, depth=2..32:x2, lr=1e-4..1e-1:log7,
    /// gain=0.5..2:lin7, activation=relu,tanh, data=bundled:iris@species,bundled:wine. Repeat
    /// the flag for a second or third axis. Axes: depth, width, lr, gain, bias-std,
    /// activation, batch, data, parametrization (standard, mup).
    #[arg(long = "sweep", value_name = "NAME=VALUES")]
    pub sweep: Vec<String>,
    /// Train only shard i of n (0-based) of the study's work items and write
    /// OUT/part-i-of-n.json; `auto` reads the index (and count) from Slurm's
    /// SLURM_ARRAY_TASK_ID/_MIN/_COUNT, `auto/N` from Kubernetes' JOB_COMPLETION_INDEX.
    #[arg(long)]
    pub shard: Option<String>,
    /// Allow a sweep of more networks than the default limit.
    #[arg(long = "max-networks")]
    pub max_networks: Option<usize>,
}

/// Merges a study file (if any) with the flags, which win; returns the spec and the study
/// file's folder (relative data paths resolve against it).
pub fn build_spec(args: &RunArgs) -> Result<(StudySpec, Option<PathBuf>)> {
    let (mut spec, base) = match &args.study {
        Some(path) => (StudySpec::load(path)?, path.parent().map(Path::to_path_buf)),
        None => (StudySpec::default(), None),
    };
    apply_sweep_flags(args, &mut spec)?;
    let data_axis = spec
        .sweep
        .as_ref()
        .is_some_and(|s| s.axes.iter().any(|a| matches!(a, Axis::Data(_))));
    if args.study.is_none() && !data_axis && (args.data.is_some() != args.target.is_some()) {
        bail!("--data and --target go together (or give --study)");
    }
    apply_data_flags(args, &mut spec)?;
    apply_model_flags(args, &mut spec)?;
    apply_training_flags(args, &mut spec)?;
    spec.validate()?;
    Ok((spec, base))
}

/// --sweep (replaces the study file's axes, keeps its rule).
fn apply_sweep_flags(args: &RunArgs, spec: &mut StudySpec) -> Result<()> {
    if args.sweep.is_empty() {
        return Ok(());
    }
    let axes = args
        .sweep
        .iter()
        .map(|a| Axis::parse_arg(a).map_err(|e| anyhow::anyhow!("--sweep: {e}")))
        .collect::<Result<Vec<_>>>()?;
    spec.sweep.get_or_insert_with(Sweep::default).axes = axes;
    if let Some(s) = &spec.sweep {
        s.validate()?;
    }
    Ok(())
}

/// --data, --target, --task, --missing, --ignore, --val-fraction, --seed.
fn apply_data_flags(args: &RunArgs, spec: &mut StudySpec) -> Result<()> {
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
    if let Some(v) = args.val_fraction {
        spec.prepare.val_fraction = v;
    }
    if let Some(s) = args.seed {
        spec.seed = s;
    }
    Ok(())
}

/// --hidden, --activation, --init, --bias, --repeats, --no-diagnostics.
fn apply_model_flags(args: &RunArgs, spec: &mut StudySpec) -> Result<()> {
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
    if let Some(m) = &args.repeat_mode {
        spec.repeat_mode = m
            .parse()
            .map_err(anyhow::Error::msg)
            .context("--repeat-mode")?;
    }
    if args.no_diagnostics {
        spec.diagnostics = false;
    }
    Ok(())
}

/// --epochs, --batch, --optimizer, --momentum, --nesterov, --lr.
fn apply_training_flags(args: &RunArgs, spec: &mut StudySpec) -> Result<()> {
    let t = &mut spec.train;
    if let Some(e) = args.epochs {
        t.epochs = e;
    }
    if let Some(b) = args.batch {
        t.batch_size = b;
    }
    if let Some(o) = &args.optimizer {
        t.optimizer.kind = o
            .parse()
            .map_err(anyhow::Error::msg)
            .context("--optimizer")?;
    }
    if let Some(m) = args.momentum {
        t.optimizer.momentum = m;
    }
    if args.nesterov {
        t.optimizer.nesterov = true;
    }
    if let Some(lr) = args.lr {
        t.lr = lr;
    }
    Ok(())
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
