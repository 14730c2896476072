//! `initlab run --shard i/n` (one slice of a study's work items, written as a part file) and
//! `initlab merge` (the parts back into one result and report).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use initlab::report::{write_report, write_sweep_report};
use initlab::study::shard::{Shard, find_parts, merge, read_part, run_shard};
use initlab::study::sweep::load_tables;
use initlab::study::{Results, RunOptions, StudySpec};

use super::args::RunArgs;
use super::run::{INTERRUPTED, cancel_on_signals};

#[derive(Args)]
pub struct MergeArgs {
    /// Folders holding part-*-of-*.json files (or the files themselves).
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Report folder to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `i/n`, or `auto` / `auto/N` from the scheduler's environment.
pub fn parse_shard(text: &str) -> Result<Shard> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("auto") {
        let count =
            match rest.strip_prefix('/') {
                Some(n) => Some(n.parse::<usize>().map_err(|_| {
                    anyhow::anyhow!("--shard {text}: N in auto/N is a whole number")
                })?),
                None if rest.is_empty() => None,
                None => bail!("--shard {text}: write auto or auto/N"),
            };
        return Shard::from_env(|k| std::env::var(k).ok(), count)
            .map_err(|e| anyhow::anyhow!("--shard {text}: {e}"));
    }
    text.parse()
        .map_err(|e: String| anyhow::anyhow!("--shard: {e}"))
}

/// Trains one shard and writes `OUT/part-i-of-n.json` (atomically: a retried shard overwrites
/// its part cleanly).
pub fn run_shard_cli(args: &RunArgs, spec: &StudySpec, shard_text: &str) -> Result<i32> {
    let shard = parse_shard(shard_text)?;
    let out = args
        .out
        .clone()
        .context("--shard needs --out DIR (the folder every shard writes its part to)")?;
    let base = args
        .study
        .as_ref()
        .and_then(|p| p.parent().map(PathBuf::from));
    let (spec, tables) = load_tables(spec, base.as_deref(), &mut |_| {})?;
    let options = RunOptions {
        threads: args.threads.unwrap_or(RunOptions::default().threads).max(1),
    };
    let cancel = cancel_on_signals();
    let part = run_shard(&spec, &tables, shard, &options, &|_| {}, &cancel)?;
    let path = out.join(shard.file_name());
    let text = serde_json::to_string(&part).context("serialising the part")?;
    initlab::files::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    if !args.quiet {
        println!(
            "shard {shard}: items {}..{} of {} in {:.2} s; wrote {}",
            part.items.0,
            part.items.1,
            part.total_items,
            part.wall_seconds,
            path.display()
        );
    }
    if cancel.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(INTERRUPTED);
    }
    Ok(0)
}

/// Reads every part, checks and merges them, and writes the report.
pub fn merge_cli(args: &MergeArgs) -> Result<()> {
    let files = find_parts(&args.parts)?;
    let parts = files
        .iter()
        .map(|f| Ok((f.display().to_string(), read_part(f)?)))
        .collect::<Result<Vec<_>>>()?;
    match merge(&parts)? {
        Results::Study(r) => write_report(&r, &args.out, args.force),
        Results::Sweep(r) => write_sweep_report(&r, &args.out, args.force),
    }
    .map_err(super::force_hint)?;
    println!(
        "merged {} parts; wrote {}",
        parts.len(),
        args.out.join("report.html").display()
    );
    Ok(())
}
