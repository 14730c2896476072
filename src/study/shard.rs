//! Sharded studies: the work items of a study or sweep (point-major, then initializer, then
//! repeat: see `engine`) cut into n contiguous slices, each trained anywhere and written as a
//! part file, and the parts merged into exactly the result one machine would have produced
//! (apart from wall times and the environment), because an item's numbers depend only on the
//! study seed, its point and its arm.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::engine::ItemOutcome;
use super::sweep::{PointMeta, assemble, run_items};
use super::{Environment, Results, RunOptions, RunResult, StudyError, StudyEvent, StudySpec};
use crate::data::Table;

/// The i-th (0-based) of n shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    /// `i/n` with 0 <= i < n.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("shard '{s}': {why}");
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| bad("write i/n, e.g. 0/4 (i counts from 0)"))?;
        let num = |v: &str| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| bad("i and n are whole numbers"))
        };
        let (index, count) = (num(i)?, num(n)?);
        if count == 0 {
            return Err(bad("n must be at least 1"));
        }
        if index >= count {
            return Err(bad(&format!("i must be below n (0..={})", count - 1)));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The shard from a scheduler's environment: Slurm job arrays (`SLURM_ARRAY_TASK_ID` minus
    /// `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT`) or a Kubernetes Indexed Job
    /// (`JOB_COMPLETION_INDEX`, of `count`, which Kubernetes does not export).
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<usize>,
    ) -> Result<Shard, String> {
        let num = |name: &str| -> Result<Option<usize>, String> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse::<usize>()
                        .map_err(|_| format!("{name}='{v}' is not a whole number"))
                })
                .transpose()
        };
        let (index, count) = if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = match count {
                Some(n) => n,
                None => num("SLURM_ARRAY_TASK_COUNT")?
                    .ok_or("SLURM_ARRAY_TASK_COUNT is not set: give the count as auto/N")?,
            };
            let i = id.checked_sub(min).ok_or(format!(
                "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
            ))?;
            (i, n)
        } else if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = count.ok_or("JOB_COMPLETION_INDEX needs the count: --shard auto/N")?;
            (i, n)
        } else {
            return Err(
                "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set".into(),
            );
        };
        format!("{index}/{count}").parse()
    }

    /// The contiguous slice of `total` items this shard trains: sizes differ by at most one.
    pub fn items(&self, total: usize) -> Range<usize> {
        let at = |k: usize| k * total / self.count;
        at(self.index)..at(self.index + 1)
    }

    /// `part-i-of-n.json`.
    pub fn file_name(&self) -> String {
        format!("part-{}-of-{}.json", self.index, self.count)
    }
}

/// One shard's output: which study, which items, their runs, and what merging needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// SHA-256 of the study file's canonical JSON: parts of different studies never merge.
    pub study_hash: String,
    pub spec: StudySpec,
    pub shard: usize,
    pub shards: usize,
    pub total_items: usize,
    /// First and one-past-last item index covered.
    pub items: (usize, usize),
    pub points: Vec<PointMeta>,
    pub runs: Vec<PartRun>,
    pub environment: Environment,
    pub wall_seconds: f64,
}

/// One item's run in a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartRun {
    pub item: usize,
    pub run: RunResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_per_step: Option<f64>,
}

/// The hash parts are matched by.
pub fn study_hash(spec: &StudySpec) -> String {
    let digest = Sha256::digest(spec.to_json().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Trains `shard`'s items of `spec` (tables as [`super::sweep::load_tables`] returns them).
pub fn run_shard(
    spec: &StudySpec,
    tables: &[Table],
    shard: Shard,
    options: &RunOptions,
    emit: &(dyn Fn(StudyEvent) + Sync),
    cancel: &AtomicBool,
) -> Result<Part, StudyError> {
    spec.validate()?;
    let started = Instant::now();
    let total = spec.network_count();
    let range = shard.items(total);
    let (points, outcomes) = run_items(spec, tables, Some(range.clone()), options, emit, cancel)?;
    Ok(Part {
        study_hash: study_hash(spec),
        spec: spec.clone(),
        shard: shard.index,
        shards: shard.count,
        total_items: total,
        items: (range.start, range.end),
        points,
        runs: outcomes
            .into_iter()
            .map(|o| PartRun {
                item: o.global,
                run: o.run,
                seconds_per_step: o.seconds_per_step,
            })
            .collect(),
        environment: Environment::current(options.threads.max(1)),
        wall_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every `part-*-of-*.json` in `dirs` (a file given directly counts too), sorted by name.
pub fn find_parts(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, StudyError> {
    let mut out = Vec::new();
    for d in dirs {
        if d.is_file() {
            out.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d).map_err(|e| StudyError::Io {
            file: d.display().to_string(),
            message: e.to_string(),
        })?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("part-") && name.ends_with(".json") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a part file.
pub fn read_part(path: &Path) -> Result<Part, StudyError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| StudyError::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text)
        .map_err(|e| StudyError::Merge(format!("{file}: not a valid part file ({e})")))
}

/// Merges parts into the result of the whole study: every part must come from the same study
/// and every item appear exactly once, else the error names the missing shards (or items) and
/// the duplicates.
pub fn merge(parts: &[(String, Part)]) -> Result<Results, StudyError> {
    let bad = StudyError::Merge;
    let (first_name, first) = parts
        .first()
        .ok_or_else(|| bad("no part-*-of-*.json files found".into()))?;
    if let Some((name, _)) = parts.iter().find(|(_, p)| p.study_hash != first.study_hash) {
        return Err(bad(format!(
            "{name} belongs to a different study than {first_name} (study hashes differ)"
        )));
    }
    let total = first.total_items;
    let mut slots: Vec<Option<(&str, &PartRun)>> = vec![None; total];
    let mut duplicates = Vec::new();
    for (name, p) in parts {
        for r in &p.runs {
            match slots.get_mut(r.item) {
                Some(slot @ None) => *slot = Some((name, r)),
                Some(Some((other, _))) => {
                    duplicates.push(format!("item {} in {other} and {name}", r.item))
                }
                None => {
                    return Err(bad(format!(
                        "{name}: item {} is beyond the study's {total}",
                        r.item
                    )));
                }
            }
        }
    }
    if let Some(d) = duplicates.first() {
        return Err(bad(format!(
            "{} duplicated items, e.g. {d}",
            duplicates.len()
        )));
    }
    let missing: Vec<usize> = (0..total).filter(|&k| slots[k].is_none()).collect();
    if !missing.is_empty() {
        return Err(bad(missing_text(first, parts, &missing)));
    }
    let outcomes = slots
        .into_iter()
        .flatten()
        .map(|(_, r)| ItemOutcome {
            global: r.item,
            run: r.run.clone(),
            seconds_per_step: r.seconds_per_step,
        })
        .collect();
    let threads = first.environment.threads;
    let mut result = assemble(
        &first.spec,
        &first.points,
        outcomes,
        threads,
        Instant::now(),
    );
    result.wall_seconds = parts.iter().map(|(_, p)| p.wall_seconds).sum();
    Ok(if first.spec.is_sweep() {
        Results::Sweep(Box::new(result))
    } else {
        let mut study = result.points.remove(0).result;
        study.wall_seconds = result.wall_seconds;
        Results::Study(Box::new(study))
    })
}

/// "missing shards 2/4 and 3/4 (items 60..120)": the shards of the first part's count whose
/// items are missing.
fn missing_text(first: &Part, parts: &[(String, Part)], missing: &[usize]) -> String {
    let n = first.shards;
    let shards: Vec<String> = (0..n)
        .filter(|&i| {
            let r = Shard { index: i, count: n }.items(first.total_items);
            missing.iter().any(|m| r.contains(m))
        })
        .map(|i| format!("{i}/{n}"))
        .collect();
    format!(
        "missing shard{} {} ({} of {} items missing; {} part file{} read)",
        if shards.len() == 1 { "" } else { "s" },
        shards.join(", "),
        missing.len(),
        first.total_items,
        parts.len(),
        if parts.len() == 1 { "" } else { "s" },
    )
}
