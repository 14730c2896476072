//! The smaller commands: `list`, `inspect`, `bench` and `report`.

use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;

use initlab::activation::Activation;
use initlab::init::CATALOGUE;
use initlab::report::default_dir;

use super::write_report;
use initlab::study::{Results, RunOptions, StudyResult, StudySpec};
use initlab::train::OptimizerKind;

use super::{BenchArgs, CompareArgs, InspectArgs, ReportArgs};

pub fn report(args: &ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("cannot read {}", args.results.display()))?;
    let out_for = |spec: &StudySpec| args.out.clone().unwrap_or_else(|| default_dir(spec));
    let out = match Results::from_json(&text, &args.results.display().to_string())? {
        Results::Study(result) => {
            let out = out_for(&result.spec);
            write_report(&result, &out, args.force)?;
            out
        }
        Results::Sweep(result) => {
            let out = out_for(&result.spec);
            initlab::report::write_sweep_report(&result, &out, args.force)
                .map_err(super::force_hint)?;
            out
        }
    };
    println!("wrote {}", out.join("report.html").display());
    Ok(())
}

pub fn inspect(args: &InspectArgs) -> Result<()> {
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

pub fn bench(args: &BenchArgs) -> Result<()> {
    let threads = args.threads.unwrap_or(RunOptions::default().threads).max(1);
    let all = args.workload == "all";
    if !all && !initlab::bench::WORKLOADS.contains(&args.workload.as_str()) {
        bail!(
            "--workload: unknown workload '{}' (valid: {}, all)",
            args.workload,
            initlab::bench::WORKLOADS.join(", ")
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
    if all || args.workload == "depth-sweep" {
        initlab::bench::run_and_print(
            &diagnostics(initlab::bench::depth_sweep()?),
            args.runs,
            threads,
        )?;
    }
    Ok(())
}

pub fn list() {
    println!("Initializers (name or name:param; the same names work in study files and the app):");
    for e in CATALOGUE {
        println!("  {:<46} {}", e.syntax, e.formula);
        println!("  {:<46} source: {}", "", e.source);
    }
    println!(
        "\nGains: gain=auto uses PyTorch's calculate_gain for the activation (sigmoid 1, \
         tanh 5/3, relu sqrt 2, leaky-relu sqrt(2/(1+0.01^2)), selu 3/4, identity 1)."
    );
    let acts: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
    println!("Activations: {}", acts.join(", "));
    let opts: Vec<&str> = OptimizerKind::ALL.iter().map(|o| o.name()).collect();
    println!(
        "Optimizers: {} (PyTorch defaults: Adam betas 0.9/0.999, eps 1e-8; momentum 0.9, \
         no dampening)",
        opts.join(", ")
    );
}

/// `initlab compare`: one comparison of the studies' initializers across their datasets.
pub fn compare(args: &CompareArgs) -> Result<()> {
    let studies = args
        .studies
        .iter()
        .map(|p| {
            let file = if p.is_dir() {
                p.join("results.json")
            } else {
                p.clone()
            };
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let r = StudyResult::from_json(&text, &file.display().to_string())?;
            Ok((p.display().to_string(), r))
        })
        .collect::<Result<Vec<_>>>()?;
    let c = initlab::report::compare(&studies).map_err(anyhow::Error::msg)?;
    let out = args.out.clone().unwrap_or_else(|| {
        initlab::report::unique_dir(
            &std::path::PathBuf::from("reports")
                .join(format!("compare-{}", initlab::files::timestamp())),
        )
    });
    initlab::report::write_comparison(&c, &out, args.force).map_err(super::force_hint)?;
    match &c.friedman {
        Some(f) => println!(
            "Friedman over {} studies: chi2 = {:.3}, p = {:.4}; wrote {}",
            f.n,
            f.chi2,
            f.p,
            out.join("compare.html").display()
        ),
        None => println!("wrote {}", out.join("compare.html").display()),
    }
    Ok(())
}
