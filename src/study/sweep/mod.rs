//! A sweep is a study repeated along one to three axes (depth, width, learning rate, gain,
//! sigma_b, activation, batch size, dataset). Each point of the grid is an ordinary
//! [`StudySpec`]; a plain study is the one-point sweep with no axes, so one engine runs both.

mod axis;
mod estimate;
mod run;
mod trainability;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use axis::{AXIS_NAMES, Axis, AxisError, DEPTH, DataEntry, Scale, canonical};
pub use estimate::{SweepEstimate, estimate};
pub use run::{
    PointJudge, PointMeta, assemble, data_entries, empty_points, load_tables, run_items, run_sweep,
    sweep_memory,
};
pub use trainability::{Trainability, TrainedRule, trainability};

use super::{StudyError, StudySpec};

/// At most this many axes: a frontier (one), a heatmap (two), small multiples of heatmaps
/// (three).
pub const MAX_AXES: usize = 3;

/// Grids above this many networks need an explicit `--max-networks` (or a confirmation in the
/// app): a typo in a range should not start a day-long run.
pub const DEFAULT_MAX_NETWORKS: usize = 1000;

/// The `"sweep"` section of a study file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Sweep {
    #[serde(
        serialize_with = "serialize_axes",
        deserialize_with = "deserialize_axes"
    )]
    pub axes: Vec<Axis>,
    /// When a run counts as trained.
    pub rule: TrainedRule,
}

/// One point of a sweep: its index along every axis and its study.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub coords: Vec<usize>,
    pub spec: StudySpec,
}

impl Sweep {
    /// Checks the axes: at most [`MAX_AXES`], each named once, each valid.
    pub fn validate(&self) -> Result<(), StudyError> {
        let invalid = |e: AxisError| StudyError::Invalid {
            field: format!("sweep.{}", e.axis),
            message: e.message,
        };
        if self.axes.len() > MAX_AXES {
            return Err(StudyError::Invalid {
                field: "sweep".into(),
                message: format!("at most {MAX_AXES} axes, got {}", self.axes.len()),
            });
        }
        for (i, a) in self.axes.iter().enumerate() {
            if self.axes[..i].iter().any(|b| b.name() == a.name()) {
                return Err(StudyError::Invalid {
                    field: format!("sweep.{}", a.name()),
                    message: "the axis is given twice".into(),
                });
            }
            a.validate().map_err(invalid)?;
        }
        self.rule.validate()
    }

    /// Grid points in row-major order (the first axis varies slowest).
    pub fn point_count(&self) -> usize {
        self.axes.iter().map(Axis::len).product()
    }

    /// The index of every axis for point `p`.
    pub fn coords(&self, mut p: usize) -> Vec<usize> {
        let mut c = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            let n = a.len().max(1);
            c[i] = p % n;
            p /= n;
        }
        c
    }

    /// "depth 8, lr 0.001": a point's place in words.
    pub fn point_label(&self, coords: &[usize]) -> String {
        self.axes
            .iter()
            .zip(coords)
            .map(|(a, &i)| format!("{} {}", a.name(), a.label(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl StudySpec {
    /// Every point of the study's grid (one point, the study itself, without a sweep). A
    /// point's study has no sweep of its own.
    pub fn points(&self) -> Vec<Point> {
        let mut base = self.clone();
        let sweep = base.sweep.take().unwrap_or_default();
        (0..sweep.point_count())
            .map(|p| {
                let coords = sweep.coords(p);
                let mut spec = base.clone();
                for (a, &i) in sweep.axes.iter().zip(&coords) {
                    a.apply(i, &mut spec);
                }
                Point { coords, spec }
            })
            .collect()
    }

    /// Networks the whole grid trains.
    pub fn network_count(&self) -> usize {
        let points = self.sweep.as_ref().map_or(1, Sweep::point_count);
        points * self.initializers.len() * self.repeats
    }

    /// Whether this study sweeps at least one axis.
    pub fn is_sweep(&self) -> bool {
        self.sweep.as_ref().is_some_and(|s| !s.axes.is_empty())
    }
}

/// Axes as `[{"axis": "depth", "values": [2, 4, 8]}, ...]`.
fn serialize_axes<S: Serializer>(axes: &[Axis], s: S) -> Result<S::Ok, S::Error> {
    let raw: Vec<RawAxis> = axes
        .iter()
        .map(|a| RawAxis {
            axis: a.name().into(),
            values: RawValues::List(a.json_values()),
        })
        .collect();
    raw.serialize(s)
}

/// Values may also be a range string (`"2..32:x2"`).
fn deserialize_axes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Axis>, D::Error> {
    let raw = Vec::<RawAxis>::deserialize(d)?;
    raw.into_iter()
        .map(|r| {
            let text = match r.values {
                RawValues::Range(s) => s,
                RawValues::List(v) => v
                    .iter()
                    .map(|x| match x {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            };
            Axis::parse(&r.axis, &text)
        })
        .collect::<Result<_, _>>()
        .map_err(serde::de::Error::custom)
}

#[derive(Serialize, Deserialize)]
struct RawAxis {
    axis: String,
    values: RawValues,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum RawValues {
    List(Vec<serde_json::Value>),
    Range(String),
}
