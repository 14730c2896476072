//! `initlab theory`: mean-field predictions for a point of the phase diagram, or for every
//! initializer of a study layer by layer, beside what the study's actual initial weights do on
//! its probe batch.

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;

use initlab::activation::Activation;
use initlab::report::num;
use initlab::study::{StudySpec, load_data, probe_rows};
use initlab::theory::propagation::{LayerMeasurement, measure_initializer};
use initlab::theory::{InitCoordinates, MeanField, PhasePoint, coordinates, critical_sigma_w2};

use super::args::{RunArgs, build_spec};

#[derive(Args)]
pub struct TheoryArgs {
    /// relu, leaky-relu, tanh, sigmoid, gelu, selu, softsign, identity [point default: tanh].
    #[arg(long)]
    pub activation: Option<String>,
    /// Weight variance sigma_w^2 = fan_in Var(W): a point of the phase diagram (several:
    /// comma-separated).
    #[arg(long = "sigma-w2", allow_negative_numbers = true)]
    pub sigma_w2: Option<String>,
    /// Bias variance sigma_b^2 of the point [default: 0].
    #[arg(long = "sigma-b2", allow_negative_numbers = true)]
    pub sigma_b2: Option<String>,
    /// A study file: its model and initializers (flags below override it).
    #[arg(long)]
    pub study: Option<std::path::PathBuf>,
    /// CSV file (or bundled:NAME): sets the input width and measures on its probe rows.
    #[arg(long)]
    pub data: Option<String>,
    /// Target column (with --data).
    #[arg(long)]
    pub target: Option<String>,
    /// Hidden layer widths, e.g. 128,128.
    #[arg(long)]
    pub hidden: Option<String>,
    /// Initializers, comma-separated (see `initlab list`).
    #[arg(long)]
    pub init: Option<String>,
    /// Bias initialization: zeros or constant:V.
    #[arg(long)]
    pub bias: Option<String>,
    /// Input width, instead of loading data (standardised inputs assumed; nothing measured).
    #[arg(long)]
    pub inputs: Option<usize>,
    /// Output width with --inputs.
    #[arg(long, default_value_t = 1)]
    pub outputs: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn theory(args: &TheoryArgs) -> Result<()> {
    if args.sigma_w2.is_some() {
        point(args)
    } else if args.sigma_b2.is_some() {
        bail!("--sigma-b2 goes with --sigma-w2 (a point of the phase diagram)")
    } else {
        study(args)
    }
}

/// A non-negative finite number, with the flag in the error.
fn variance(text: &str, flag: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) => bail!("{flag}: a variance must be a finite number >= 0, got {v}"),
        Err(_) => bail!("{flag}: '{}' is not a number", text.trim()),
    }
}

fn activation(text: &str) -> Result<Activation> {
    text.parse()
        .map_err(anyhow::Error::msg)
        .context("--activation")
}

#[derive(Serialize)]
struct PointReport {
    activation: Activation,
    sigma_b2: f64,
    critical_sigma_w2: Option<f64>,
    points: Vec<PhasePoint>,
}

fn point(args: &TheoryArgs) -> Result<()> {
    if args.study.is_some() || args.data.is_some() || args.init.is_some() || args.hidden.is_some() {
        bail!(
            "--sigma-w2 gives a point of the phase diagram: leave out --study, --data, --init and --hidden"
        );
    }
    let act = activation(args.activation.as_deref().unwrap_or("tanh"))?;
    let b = match &args.sigma_b2 {
        Some(t) => variance(t, "--sigma-b2")?,
        None => 0.0,
    };
    let ws: Vec<f64> = args
        .sigma_w2
        .iter()
        .flat_map(|s| s.split(','))
        .map(|t| variance(t, "--sigma-w2"))
        .collect::<Result<_>>()?;
    let points = ws
        .iter()
        .map(|&w| Ok(MeanField::new(act, w, b)?.phase_point()))
        .collect::<Result<Vec<_>>>()?;
    let report = PointReport {
        activation: act,
        sigma_b2: b,
        critical_sigma_w2: critical_sigma_w2(act, b),
        points,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "{act}, sigma_b2 = {}: critical sigma_w2 = {}",
        num(b),
        report.critical_sigma_w2.map_or("none".into(), num)
    );
    println!("{}", header(&["sigma_w2"]));
    for p in &report.points {
        println!("{:>9}  {}", num(p.sigma_w2), row(p));
    }
    Ok(())
}

fn header(first: &[&str]) -> String {
    let lead: Vec<String> = first.iter().map(|h| format!("{h:>9}")).collect();
    format!(
        "{}  {:<9} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>9}",
        lead.join("  "),
        "phase",
        "q*",
        "chi_1",
        "c*",
        "chi_c",
        "xi_c",
        "xi_grad",
        "max depth"
    )
}

fn row(p: &PhasePoint) -> String {
    let n = |x: f64| if x.is_finite() { num(x) } else { "inf".into() };
    format!(
        "{:<9} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>9}",
        format!("{:?}", p.phase).to_lowercase(),
        n(p.q_star),
        n(p.chi_1),
        n(p.c_star),
        n(p.chi_c),
        n(p.xi_c),
        n(p.xi_grad),
        n(p.max_depth)
    )
}

fn row_of_dashes() -> String {
    format!(
        "{:<9} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>9}",
        "—", "—", "—", "—", "—", "—", "—", "—"
    )
}

#[derive(Serialize)]
struct StudyReport {
    activation: Activation,
    inputs: usize,
    outputs: usize,
    /// Mean square of the input features (1 when assumed).
    input_sq: f64,
    critical_sigma_w2: Option<f64>,
    initializers: Vec<InitReport>,
}

#[derive(Serialize)]
struct InitReport {
    #[serde(flatten)]
    theory: InitCoordinates,
    /// Measured on the study's probe rows with the arm of repeat 0 (absent with --inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    measured: Option<Vec<LayerMeasurement>>,
}

fn study(args: &TheoryArgs) -> Result<()> {
    let run = RunArgs {
        study: args.study.clone(),
        data: args.data.clone(),
        target: args.target.clone(),
        hidden: args.hidden.clone(),
        activation: args.activation.clone(),
        init: args.init.clone(),
        bias: args.bias.clone(),
        ..RunArgs::default()
    };
    let (spec, base) = build_spec(&run)?;
    let (inputs, outputs, input_sq, probe) = match args.inputs {
        Some(n) if n > 0 => (n, args.outputs.max(1), 1.0, None),
        Some(_) => bail!("--inputs: the input width must be at least 1"),
        None => {
            let (_table, data) = load_data(&spec, base.as_deref(), &mut |_| {})?;
            let x = &data.x_train;
            let sq = x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len().max(1) as f64;
            let probe = probe_rows(&data, spec.seed);
            (data.n_inputs, data.n_outputs(), sq, Some(probe))
        }
    };
    let report = study_report(&spec, (inputs, outputs), input_sq, probe.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_study(&report, &spec);
    }
    Ok(())
}

fn study_report(
    spec: &StudySpec,
    (inputs, outputs): (usize, usize),
    input_sq: f64,
    probe: Option<&[f32]>,
) -> Result<StudyReport> {
    let initializers = spec
        .initializers
        .iter()
        .map(|init| {
            let measured = probe
                .map(|p| measure_initializer(init, &spec.model, (inputs, outputs), p, spec.seed, 0))
                .transpose()?;
            Ok(InitReport {
                theory: coordinates(init, &spec.model, (inputs, outputs), input_sq),
                measured,
            })
        })
        .collect::<Result<_>>()?;
    Ok(StudyReport {
        activation: spec.model.activation,
        inputs,
        outputs,
        input_sq,
        critical_sigma_w2: critical_sigma_w2(spec.model.activation, 0.0),
        initializers,
    })
}

fn print_study(r: &StudyReport, spec: &StudySpec) {
    println!(
        "{} inputs (mean square {}) -> {} outputs, {}, bias {} (sigma_b2 = 0); critical sigma_w2 = {}",
        r.inputs,
        num(r.input_sq),
        r.outputs,
        r.activation,
        spec.model.bias,
        r.critical_sigma_w2.map_or("none".into(), num)
    );
    for init in &r.initializers {
        let t = &init.theory;
        println!("\n{}", t.initializer);
        println!(
            "{}  {:>10} {:>10}",
            header(&["layer", "sigma_w2"]),
            "q^l pred",
            "q^l meas"
        );
        for (l, layer) in t.layers.iter().enumerate() {
            let pred = t.lengths.as_ref().map_or("—".into(), |q| num(q[l]));
            let meas = init.measured.as_ref().map_or("—".into(), |m| num(m[l].q));
            let (sigma, point) = match (layer.sigma_w2, &layer.point) {
                (Some(s), Some(p)) => (num(s), row(p)),
                _ => ("—".into(), row_of_dashes()),
            };
            println!("{:>9}  {:>9}  {point}  {pred:>10} {meas:>10}", l + 1, sigma);
        }
        for c in &t.caveats {
            println!("  note: {c}");
        }
    }
}
