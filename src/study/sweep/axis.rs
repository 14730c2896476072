//! One swept dimension: its name, its values, how a value changes a point's study, and how the
//! values are written (`depth=2,4,8`, `depth=2..32:x2`, `lr=1e-4..1e-1:log7`).

use std::fmt;

use crate::activation::Activation;
use crate::init::BiasInit;
use crate::study::{Limits, StudySpec};
use crate::train::Parametrization;

/// Depth values: hidden layers (the study's width at every layer).
pub const DEPTH: std::ops::RangeInclusive<usize> = 1..=200;

/// A dataset of the `data` axis: a CSV path or `bundled:NAME`, and its target column (guessed
/// from the column names when absent).
#[derive(Debug, Clone, PartialEq)]
pub struct DataEntry {
    pub data: String,
    pub target: Option<String>,
}

impl fmt::Display for DataEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Some(t) => write!(f, "{}@{t}", self.data),
            None => f.write_str(&self.data),
        }
    }
}

/// One axis of a sweep with its values, in the order the user gave them.
#[derive(Debug, Clone, PartialEq)]
pub enum Axis {
    Depth(Vec<usize>),
    Width(Vec<usize>),
    Lr(Vec<f64>),
    Gain(Vec<f64>),
    BiasStd(Vec<f64>),
    Activation(Vec<Activation>),
    Batch(Vec<usize>),
    Data(Vec<DataEntry>),
    /// Standard parametrization or muP (per-layer learning rates, zero readout).
    Parametrization(Vec<Parametrization>),
}

/// How an axis is drawn: numeric axes on a linear or logarithmic scale, others as categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log2,
    Log10,
    Categorical,
}

/// Axis names as written in study files and on the command line.
pub const AXIS_NAMES: [&str; 9] = [
    "depth",
    "width",
    "lr",
    "gain",
    "bias-std",
    "activation",
    "batch",
    "data",
    "parametrization",
];

/// An error about one axis: "sweep axis 'depth': ...".
#[derive(Debug, Clone, PartialEq)]
pub struct AxisError {
    pub axis: String,
    pub message: String,
}

impl fmt::Display for AxisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sweep axis '{}': {}", self.axis, self.message)
    }
}

fn err(axis: &str, message: impl Into<String>) -> AxisError {
    AxisError {
        axis: axis.into(),
        message: message.into(),
    }
}

impl Axis {
    pub fn name(&self) -> &'static str {
        match self {
            Axis::Depth(_) => "depth",
            Axis::Width(_) => "width",
            Axis::Lr(_) => "lr",
            Axis::Gain(_) => "gain",
            Axis::BiasStd(_) => "bias-std",
            Axis::Activation(_) => "activation",
            Axis::Batch(_) => "batch",
            Axis::Data(_) => "data",
            Axis::Parametrization(_) => "parametrization",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Axis::Depth(v) | Axis::Width(v) | Axis::Batch(v) => v.len(),
            Axis::Lr(v) | Axis::Gain(v) | Axis::BiasStd(v) => v.len(),
            Axis::Activation(v) => v.len(),
            Axis::Data(v) => v.len(),
            Axis::Parametrization(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th value as text (a chart tick, a table cell, a file name part).
    pub fn label(&self, i: usize) -> String {
        match self {
            Axis::Depth(v) | Axis::Width(v) | Axis::Batch(v) => v[i].to_string(),
            Axis::Lr(v) | Axis::Gain(v) | Axis::BiasStd(v) => short_float(v[i]),
            Axis::Activation(v) => v[i].name().to_owned(),
            Axis::Data(v) => v[i].to_string(),
            Axis::Parametrization(v) => v[i].name().to_owned(),
        }
    }

    /// The `i`-th value as a number for charts (`None` for categories).
    pub fn number(&self, i: usize) -> Option<f64> {
        match self {
            Axis::Depth(v) | Axis::Width(v) | Axis::Batch(v) => Some(v[i] as f64),
            Axis::Lr(v) | Axis::Gain(v) | Axis::BiasStd(v) => Some(v[i]),
            Axis::Activation(_) | Axis::Data(_) | Axis::Parametrization(_) => None,
        }
    }

    /// Depth and width span orders of magnitude in powers of two, the learning rate in powers
    /// of ten; the gain and sigma_b are read on a linear scale as on the phase diagram.
    pub fn scale(&self) -> Scale {
        match self {
            Axis::Depth(_) | Axis::Width(_) | Axis::Batch(_) => Scale::Log2,
            Axis::Lr(_) => Scale::Log10,
            Axis::Gain(_) | Axis::BiasStd(_) => Scale::Linear,
            Axis::Activation(_) | Axis::Data(_) | Axis::Parametrization(_) => Scale::Categorical,
        }
    }

    /// Sets the `i`-th value in `spec`. Depth keeps the study's (first) width and width keeps
    /// its depth, so the two axes combine in either order.
    pub fn apply(&self, i: usize, spec: &mut StudySpec) {
        let hidden = &mut spec.model.hidden;
        match self {
            Axis::Depth(v) => {
                let w = hidden.first().copied().unwrap_or(DEFAULT_WIDTH);
                *hidden = vec![w; v[i]];
            }
            Axis::Width(v) => *hidden = vec![v[i]; hidden.len()],
            Axis::Lr(v) => spec.train.lr = v[i],
            Axis::Gain(v) => spec.model.gain = v[i] as f32,
            Axis::BiasStd(v) => {
                spec.model.bias = if v[i] == 0.0 {
                    BiasInit::ZEROS
                } else {
                    BiasInit::Normal(v[i] as f32)
                }
            }
            Axis::Activation(v) => spec.model.activation = v[i],
            Axis::Batch(v) => spec.train.batch_size = v[i],
            Axis::Data(v) => {
                spec.data = v[i].data.clone();
                spec.prepare.target = v[i].target.clone().unwrap_or_default();
            }
            Axis::Parametrization(v) => spec.train.parametrization = v[i],
        }
    }

    /// Checks the values: not empty, no repeats, each within its range.
    pub fn validate(&self) -> Result<(), AxisError> {
        let name = self.name();
        if self.is_empty() {
            return Err(err(name, "give at least one value"));
        }
        let labels: Vec<String> = (0..self.len()).map(|i| self.label(i)).collect();
        if let Some((i, l)) = labels
            .iter()
            .enumerate()
            .find(|(i, l)| labels[..*i].contains(l))
        {
            return Err(err(
                name,
                format!("value {l} is given twice (position {})", i + 1),
            ));
        }
        match self {
            Axis::Depth(v) => ints_within(name, v, &DEPTH),
            Axis::Width(v) => ints_within(name, v, &Limits::WIDTH),
            Axis::Batch(v) => ints_within(name, v, &Limits::BATCH_SIZE),
            Axis::Lr(v) => floats_within(name, v, &Limits::LR),
            Axis::Gain(v) => floats_within(name, v, &Limits::GAIN),
            Axis::BiasStd(v) => floats_within(name, v, &Limits::BIAS_STD),
            Axis::Activation(_) | Axis::Parametrization(_) => Ok(()),
            Axis::Data(v) => match v.iter().find(|d| d.data.trim().is_empty()) {
                Some(_) => Err(err(name, "an entry has no file name")),
                None => Ok(()),
            },
        }
    }

    /// Parses `NAME=VALUES` as the CLI's `--sweep` takes it.
    pub fn parse_arg(arg: &str) -> Result<Axis, AxisError> {
        let (name, values) = arg.split_once('=').ok_or_else(|| {
            err(
                arg,
                format!(
                    "write NAME=VALUES, e.g. depth=2,4,8 (axes: {})",
                    AXIS_NAMES.join(", ")
                ),
            )
        })?;
        Axis::parse(name.trim(), values.trim())
    }

    /// Parses the values of axis `name`: a comma-separated list, or for numeric axes a range
    /// `A..B:xF` (multiply by F), `A..B:logN` (N log-spaced values), `A..B:linN` (N evenly
    /// spaced) or `A..B` (every integer).
    pub fn parse(name: &str, values: &str) -> Result<Axis, AxisError> {
        let name = canonical(name)?;
        let axis = match name {
            "depth" => Axis::Depth(ints(name, values)?),
            "width" => Axis::Width(ints(name, values)?),
            "batch" => Axis::Batch(ints(name, values)?),
            "lr" => Axis::Lr(floats(name, values)?),
            "gain" => Axis::Gain(floats(name, values)?),
            "bias-std" => Axis::BiasStd(floats(name, values)?),
            "activation" => Axis::Activation(
                list(values)
                    .map(|v| v.parse().map_err(|e: String| err(name, e)))
                    .collect::<Result<_, _>>()?,
            ),
            "parametrization" => Axis::Parametrization(
                list(values)
                    .map(|v| v.parse().map_err(|e: String| err(name, e)))
                    .collect::<Result<_, _>>()?,
            ),
            _ => Axis::Data(list(values).map(data_entry).collect()),
        };
        axis.validate()?;
        Ok(axis)
    }

    /// The values as written in a study file (numbers, or names for the categorical axes).
    pub fn json_values(&self) -> Vec<serde_json::Value> {
        use serde_json::Value;
        (0..self.len())
            .map(|i| match self {
                Axis::Depth(v) | Axis::Width(v) | Axis::Batch(v) => Value::from(v[i]),
                Axis::Lr(v) | Axis::Gain(v) | Axis::BiasStd(v) => Value::from(v[i]),
                _ => Value::from(self.label(i)),
            })
            .collect()
    }
}

/// Width of a depth sweep whose study has no hidden layer.
const DEFAULT_WIDTH: usize = 128;

/// The canonical axis name (`bias_std` and `bias-std` are one axis), or an error listing them.
pub fn canonical(name: &str) -> Result<&'static str, AxisError> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    AXIS_NAMES
        .iter()
        .find(|a| **a == n)
        .copied()
        .ok_or_else(|| {
            err(
                name,
                format!("unknown axis (valid: {})", AXIS_NAMES.join(", ")),
            )
        })
}

fn list(values: &str) -> impl Iterator<Item = &str> {
    values.split(',').map(str::trim).filter(|v| !v.is_empty())
}

fn data_entry(v: &str) -> DataEntry {
    match v.rsplit_once('@') {
        Some((data, target)) if !target.trim().is_empty() => DataEntry {
            data: data.trim().into(),
            target: Some(target.trim().into()),
        },
        _ => DataEntry {
            data: v.trim().trim_end_matches('@').into(),
            target: None,
        },
    }
}

fn ints(name: &str, values: &str) -> Result<Vec<usize>, AxisError> {
    floats(name, values)?
        .into_iter()
        .map(|f| {
            if f >= 0.0 && f.fract() == 0.0 && f <= usize::MAX as f64 {
                Ok(f as usize)
            } else {
                Err(err(
                    name,
                    format!("{} is not a whole number", short_float(f)),
                ))
            }
        })
        .collect()
}

fn floats(name: &str, values: &str) -> Result<Vec<f64>, AxisError> {
    if values.contains("..") {
        return range(name, values);
    }
    list(values)
        .map(|v| {
            v.parse::<f64>()
                .map_err(|_| err(name, format!("'{v}' is not a number")))
        })
        .collect()
}

/// `A..B:xF`, `A..B:logN`, `A..B:linN` or `A..B` (step 1).
fn range(name: &str, text: &str) -> Result<Vec<f64>, AxisError> {
    let bad = |why: &str| err(name, format!("range '{text}': {why}"));
    let (span, rule) = text.split_once(':').unwrap_or((text, "+1"));
    let (a, b) = span.split_once("..").ok_or_else(|| bad("write A..B"))?;
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .map_err(|_| bad("ends must be numbers"))
    };
    let (a, b) = (num(a)?, num(b)?);
    if !(a.is_finite() && b.is_finite() && a <= b) {
        return Err(bad("needs A <= B"));
    }
    let rule = rule.trim();
    let count = |s: &str| {
        s.parse::<usize>()
            .ok()
            .filter(|n| (2..=MAX_RANGE_VALUES).contains(n))
            .ok_or_else(|| bad(&format!("the count must be 2..={MAX_RANGE_VALUES}")))
    };
    let values: Vec<f64> = if let Some(f) = rule.strip_prefix('x') {
        let f: f64 = f.parse().map_err(|_| bad("xF needs a number F"))?;
        if !(f > 1.0 && a > 0.0) {
            return Err(bad("xF needs F > 1 and A > 0"));
        }
        std::iter::successors(Some(a), |v| Some(v * f))
            .take_while(|v| *v <= b * (1.0 + 1e-9))
            .take(MAX_RANGE_VALUES + 1)
            .collect()
    } else if let Some(n) = rule.strip_prefix("log") {
        let n = count(n)?;
        if a <= 0.0 {
            return Err(bad("a log range needs A > 0"));
        }
        let (la, lb) = (a.log10(), b.log10());
        (0..n)
            .map(|i| 10f64.powf(la + (lb - la) * i as f64 / (n - 1) as f64))
            .map(round_sig)
            .collect()
    } else if let Some(n) = rule.strip_prefix("lin") {
        let n = count(n)?;
        (0..n)
            .map(|i| round_sig(a + (b - a) * i as f64 / (n - 1) as f64))
            .collect()
    } else if let Some(s) = rule.strip_prefix('+') {
        let s: f64 = s.parse().map_err(|_| bad("+S needs a number S"))?;
        if s <= 0.0 {
            return Err(bad("+S needs S > 0"));
        }
        (0..)
            .map(|i| round_sig(a + s * i as f64))
            .take_while(|v| *v <= b * (1.0 + 1e-12) + 1e-12)
            .take(MAX_RANGE_VALUES + 1)
            .collect()
    } else {
        return Err(bad("the step is xF, logN, linN or +S"));
    };
    if values.len() > MAX_RANGE_VALUES {
        return Err(bad(&format!("more than {MAX_RANGE_VALUES} values")));
    }
    Ok(values)
}

/// A range expands to at most this many values.
const MAX_RANGE_VALUES: usize = 1000;

/// Rounds to 12 significant digits, so that `1e-4..1e-1:log4` gives 0.001, not 0.0009999999.
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 11 - v.abs().log10().floor() as i32;
    let p = 10f64.powi(digits);
    (v * p).round() / p
}

/// Shortest text that reads back to the same number (`0.001`, `1.5`, `1e-8`).
fn short_float(v: f64) -> String {
    let plain = format!("{v}");
    let sci = format!("{v:e}");
    if sci.len() < plain.len() { sci } else { plain }
}

fn ints_within(
    name: &str,
    v: &[usize],
    range: &std::ops::RangeInclusive<usize>,
) -> Result<(), AxisError> {
    match v.iter().find(|x| !range.contains(x)) {
        Some(x) => Err(err(
            name,
            format!(
                "value {x} is out of range ({}..={})",
                range.start(),
                range.end()
            ),
        )),
        None => Ok(()),
    }
}

fn floats_within(
    name: &str,
    v: &[f64],
    range: &std::ops::RangeInclusive<f64>,
) -> Result<(), AxisError> {
    match v.iter().find(|x| !range.contains(x)) {
        Some(x) => Err(err(
            name,
            format!(
                "value {} is out of range ({}..={})",
                short_float(*x),
                short_float(*range.start()),
                short_float(*range.end())
            ),
        )),
        None => Ok(()),
    }
}
