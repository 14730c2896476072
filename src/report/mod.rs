//! The comparative report: one folder with `report.html` (self-contained), `report.md` and its
//! charts as `.svg`, `results.json`, `study.json` and `curves.csv`.

mod analysis;
mod charts;
mod compare;
mod document;
pub mod escape;
mod findings;
mod format;
mod gallery;
mod histograms;
mod layers;
mod render;
mod setup;
mod spread;
pub mod sweep;
mod theory;
mod ticks;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use thiserror::Error;

pub use analysis::{
    Analysis, Comparison, Curve, Metric, PairedComparison, RankRow, TARGET_FACTOR, analyze, curve,
};
pub use compare::{Comparison as CrossComparison, compare, write_comparison};
pub use format::{num, p_text, pm};
pub use spread::{Spread, SpreadRow};
pub use sweep::{render_sweep, write_sweep_report};

use crate::files::write_atomic;
use crate::study::{StudyResult, StudySpec};

#[derive(Debug, Error)]
pub enum ReportError {
    /// Carries no advice on how to overwrite: that is the caller's to give (a flag, a dialog).
    #[error("{0} already exists and is not empty; choose another folder")]
    Exists(PathBuf),
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("drawing the charts failed: {0}")]
    Chart(String),
}

/// The rendered report, before it touches the disk.
pub struct Rendered {
    pub html: String,
    pub markdown: String,
    /// `(file name, svg)` for the Markdown's charts.
    pub svgs: Vec<(String, String)>,
    pub curves_csv: String,
}

/// Everything a report folder shows, rendered in memory so tests can inspect it without a disk.
pub fn render(r: &StudyResult) -> Result<Rendered, ReportError> {
    let a = analyze(r);
    let mut charts = charts::charts(r, &a).map_err(ReportError::Chart)?;
    let curves = charts.len();
    charts.extend(charts::layer_chart(r).map_err(ReportError::Chart)?);
    charts.extend(histograms::histogram_chart(r).map_err(ReportError::Chart)?);
    let study_theory = theory::theory_of(r);
    charts.push(theory::theory_chart(r, &study_theory).map_err(ReportError::Chart)?);
    let (theory_chart, charts_before) = charts
        .split_last()
        .ok_or_else(|| ReportError::Chart("no charts".into()))?;
    let (curve_charts, layer_charts) = charts_before.split_at(curves);
    let theory_blocks = theory::theory_section(&study_theory, theory_chart);
    let blocks = document::build(r, &a, (curve_charts, layer_charts), theory_blocks);
    Ok(Rendered {
        html: render::html(&blocks),
        markdown: render::markdown(&blocks),
        svgs: charts
            .iter()
            .map(|c| (format!("{}.svg", c.stem), c.svg.clone()))
            .collect(),
        curves_csv: curves_csv(r),
    })
}

/// Long format: one row per initializer x repeat x epoch x split x metric.
pub fn curves_csv(r: &StudyResult) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["initializer", "repeat", "epoch", "split", "metric", "value"]);
    let score = r.data.task.score_key();
    for run in &r.runs {
        let init = escape::csv_cell(&run.initializer);
        for e in &run.epochs {
            let repeat = run.repeat.to_string();
            let epoch = e.epoch.to_string();
            let score_value = e.val_accuracy.or(e.val_r2);
            for (split, metric, value) in [
                ("train", "loss", Some(e.train_loss)),
                ("val", "loss", Some(e.val_loss)),
                ("val", score, score_value),
            ] {
                let v = value.map_or_else(String::new, |v| format!("{v}"));
                let _ = w.write_record([init.as_str(), &repeat, &epoch, split, metric, &v]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Writes the report folder `dir`. It is assembled in a hidden sibling folder and renamed into
/// place, so an interrupted export leaves no half report; an existing non-empty `dir` is only
/// replaced with `overwrite`.
pub fn write_report(r: &StudyResult, dir: &Path, overwrite: bool) -> Result<PathBuf, ReportError> {
    refuse_existing(dir, overwrite)?;
    write_folder(dir, &report_files(r, render(r)?))
}

/// An existing non-empty `dir` is only replaced with `overwrite`.
fn refuse_existing(dir: &Path, overwrite: bool) -> Result<(), ReportError> {
    let exists_nonempty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if exists_nonempty && !overwrite {
        return Err(ReportError::Exists(dir.to_path_buf()));
    }
    Ok(())
}

/// Writes `files` as the folder `dir`, staged in a hidden sibling and renamed into place.
fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<PathBuf, ReportError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let name = dir
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    write_staged(&staging, files)?;
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    swap_into_place(&staging, dir, &old)?;
    Ok(dir.to_path_buf())
}

fn io(path: &Path, e: std::io::Error) -> ReportError {
    ReportError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// `(file name, contents)` of every file in a report folder.
fn report_files(r: &StudyResult, rendered: Rendered) -> Vec<(String, Vec<u8>)> {
    [
        ("report.html".to_owned(), rendered.html.into_bytes()),
        ("report.md".to_owned(), rendered.markdown.into_bytes()),
        ("results.json".to_owned(), r.to_json().into_bytes()),
        ("study.json".to_owned(), r.spec.to_json().into_bytes()),
        ("curves.csv".to_owned(), rendered.curves_csv.into_bytes()),
    ]
    .into_iter()
    .chain(rendered.svgs.into_iter().map(|(n, s)| (n, s.into_bytes())))
    .collect()
}

/// Writes every file into a fresh `staging` folder, removing it again on failure.
fn write_staged(staging: &Path, files: &[(String, Vec<u8>)]) -> Result<(), ReportError> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(|e| io(staging, e))?;
    for (file, bytes) in files {
        let path = staging.join(file);
        if let Err(e) = write_atomic(&path, bytes) {
            let _ = std::fs::remove_dir_all(staging);
            return Err(io(&path, e));
        }
    }
    Ok(())
}

/// Replaces `dir` with `staging`. An old folder is moved aside to `old` first so the new one
/// lands in one rename, and is put back if that rename fails.
fn swap_into_place(staging: &Path, dir: &Path, old: &Path) -> Result<(), ReportError> {
    if dir.exists() {
        std::fs::rename(dir, old).map_err(|e| io(dir, e))?;
    }
    if let Err(e) = std::fs::rename(staging, dir) {
        let _ = std::fs::rename(old, dir);
        let _ = std::fs::remove_dir_all(staging);
        return Err(io(dir, e));
    }
    let _ = std::fs::remove_dir_all(old);
    Ok(())
}

/// `base`, or `base-2`, `base-3`... whichever does not exist yet.
pub fn unique_dir(base: &Path) -> PathBuf {
    first_free(base, |p| p.exists())
}

fn first_free(base: &Path, taken: impl Fn(&Path) -> bool) -> PathBuf {
    if !taken(base) {
        return base.to_path_buf();
    }
    (2..)
        .map(|k| PathBuf::from(format!("{}-{k}", base.display())))
        .find(|p| !taken(p))
        .unwrap_or_else(|| base.to_path_buf())
}

/// Where a study's report goes unless the user says otherwise: `reports/<dataset>-<date-time>`,
/// never a folder that exists or that this process already handed out. The timestamp has
/// one-second resolution and an export writes its folder only when it finishes, so two exports
/// in the same second must be told apart here, not by the disk.
pub fn default_dir(spec: &StudySpec) -> PathBuf {
    static HANDED_OUT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let base = Path::new("reports").join(format!(
        "{}-{}",
        dataset_stem(&spec.data),
        crate::files::timestamp()
    ));
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = first_free(&base, |p| p.exists() || handed_out.iter().any(|h| h == p));
    handed_out.push(dir.clone());
    dir
}

/// The dataset's file stem (`bundled:digits` -> `digits`, `/x/my data.csv` -> `my_data`), made
/// safe as a folder name on every platform: letters, digits, `-`, `_` and inner dots only.
fn dataset_stem(data: &str) -> String {
    let file = data.strip_prefix("bundled:").unwrap_or(data);
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "study".into()
    } else {
        safe.into()
    }
}
