//! Columns -> model inputs and targets: standardised numbers, one-hot categories, class indices,
//! and the missing-value fill. Everything is fitted on the training rows only, so nothing about
//! the validation rows leaks into training (a validation row is encoded as an unseen row would be).

use std::cmp::Reverse;

use super::prepared::{ExcludedColumn, FeatureInfo, Targets};
use super::table::{Column, ColumnData, MISSING_CODE, format_number};

/// The one-hot slot of a category level absent from the training rows: it gets no input.
const UNSEEN: u32 = u32::MAX;

/// The feature matrices of both sides of the split, row-major `[rows, n_inputs]`, and what
/// encoding did.
pub(super) struct EncodedFeatures {
    pub n_inputs: usize,
    pub input_names: Vec<String>,
    pub x_train: Vec<f32>,
    pub x_val: Vec<f32>,
    pub infos: Vec<FeatureInfo>,
    /// Features dropped because no training row has a value: nothing could be fitted on them.
    pub excluded: Vec<ExcludedColumn>,
    pub cells_imputed: usize,
    pub cells_unseen_level: usize,
}

/// Fits one encoder per feature on `train_rows` and encodes both sides of the split with it.
pub(super) fn encode_features(
    features: &[&Column],
    train_rows: &[usize],
    val_rows: &[usize],
) -> EncodedFeatures {
    let mut excluded = Vec::new();
    let mut fitted = Vec::with_capacity(features.len());
    for &c in features {
        if train_rows.iter().all(|&r| c.is_missing(r)) {
            excluded.push(ExcludedColumn {
                column: c.name.clone(),
                reason: "every training cell is missing".into(),
            });
        } else {
            fitted.push((c, Encoder::fit(c, train_rows)));
        }
    }
    let n_inputs = fitted.iter().map(|(_, e)| e.width()).sum();
    let mut counts = CellCounts::default();
    let mut encode = |rows: &[usize]| {
        let mut x = vec![0.0f32; rows.len() * n_inputs];
        let mut offset = 0;
        for (_, enc) in &fitted {
            counts.add(enc.write(rows, &mut x, offset, n_inputs));
            offset += enc.width();
        }
        x
    };
    let x_train = encode(train_rows);
    let x_val = encode(val_rows);
    let mut input_names = Vec::with_capacity(n_inputs);
    let mut infos = Vec::with_capacity(fitted.len());
    for (c, enc) in &fitted {
        enc.push_names(&c.name, &mut input_names);
        infos.push(FeatureInfo {
            column: c.name.clone(),
            kind: c.kind.label().into(),
            width: enc.width(),
        });
    }
    EncodedFeatures {
        n_inputs,
        input_names,
        x_train,
        x_val,
        infos,
        excluded,
        cells_imputed: counts.imputed,
        cells_unseen_level: counts.unseen,
    }
}

/// Cells that did not encode as themselves.
#[derive(Default)]
struct CellCounts {
    /// Missing cells given the training fill.
    imputed: usize,
    /// Present cells whose category level has no slot (absent from training).
    unseen: usize,
}

impl CellCounts {
    fn add(&mut self, other: CellCounts) {
        self.imputed += other.imputed;
        self.unseen += other.unseen;
    }
}

/// Per-column encoding fitted on the training rows, borrowing the column's cells.
enum Encoder<'a> {
    /// Standardised with the training mean and std; a missing cell gets the training mean.
    Numeric {
        values: &'a [f32],
        mean: f32,
        std: f32,
    },
    /// One slot per level present in the training rows (`levels`, in the table's level order);
    /// `map[code]` is a level's slot or [`UNSEEN`], and `fill` the slot of the most frequent
    /// training level, used for missing cells.
    OneHot {
        codes: &'a [u32],
        levels: Vec<String>,
        map: Vec<u32>,
        fill: u32,
    },
}

impl<'a> Encoder<'a> {
    fn fit(c: &'a Column, train: &[usize]) -> Encoder<'a> {
        match &c.data {
            ColumnData::Numeric(values) => {
                let (mean, std) = mean_std(train.iter().map(|&r| values[r]));
                Encoder::Numeric { values, mean, std }
            }
            ColumnData::Text { codes, levels } => {
                let mut counts = vec![0usize; levels.len()];
                for &r in train {
                    if codes[r] != MISSING_CODE {
                        counts[codes[r] as usize] += 1;
                    }
                }
                // A level the training rows never show would get an input that is 0 on every
                // training row, so its weights would never learn: it gets no slot at all.
                let mut map = vec![UNSEEN; levels.len()];
                let mut kept = Vec::new();
                for (code, _) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                    map[code] = kept.len() as u32;
                    kept.push(levels[code].clone());
                }
                let fill = counts
                    .iter()
                    .enumerate()
                    .max_by_key(|&(i, &n)| (n, Reverse(i)))
                    .map_or(UNSEEN, |(i, _)| map[i]);
                Encoder::OneHot {
                    codes,
                    levels: kept,
                    map,
                    fill,
                }
            }
        }
    }

    fn width(&self) -> usize {
        match self {
            Encoder::Numeric { .. } => 1,
            Encoder::OneHot { levels, .. } => levels.len(),
        }
    }

    /// `column` for a number, `column=level` for each one-hot slot.
    fn push_names(&self, column: &str, names: &mut Vec<String>) {
        match self {
            Encoder::Numeric { .. } => names.push(column.to_owned()),
            Encoder::OneHot { levels, .. } => {
                names.extend(levels.iter().map(|l| format!("{column}={l}")));
            }
        }
    }

    /// Writes this column of `rows` into `x` (row stride `stride`) at `offset`.
    fn write(&self, rows: &[usize], x: &mut [f32], offset: usize, stride: usize) -> CellCounts {
        let mut counts = CellCounts::default();
        match self {
            Encoder::Numeric { values, mean, std } => {
                for (i, &r) in rows.iter().enumerate() {
                    let value = if values[r].is_nan() {
                        counts.imputed += 1;
                        *mean
                    } else {
                        values[r]
                    };
                    x[i * stride + offset] = (value - mean) / std;
                }
            }
            Encoder::OneHot {
                codes, map, fill, ..
            } => {
                for (i, &r) in rows.iter().enumerate() {
                    let slot = if codes[r] == MISSING_CODE {
                        counts.imputed += 1;
                        *fill
                    } else {
                        map[codes[r] as usize]
                    };
                    if slot == UNSEEN {
                        counts.unseen += 1;
                    } else {
                        x[i * stride + offset + slot as usize] = 1.0;
                    }
                }
            }
        }
        counts
    }
}

/// Mean and population std over finite values; std 0 (a constant column) becomes 1 so that
/// standardising never divides by zero.
pub(super) fn mean_std(values: impl Iterator<Item = f32>) -> (f32, f32) {
    let (mut n, mut sum, mut sq) = (0usize, 0f64, 0f64);
    for v in values.filter(|v| v.is_finite()) {
        n += 1;
        sum += v as f64;
        sq += (v as f64) * (v as f64);
    }
    if n == 0 {
        return (0.0, 1.0);
    }
    let mean = sum / n as f64;
    let var = (sq / n as f64 - mean * mean).max(0.0);
    let std = var.sqrt();
    (mean as f32, if std > 1e-12 { std as f32 } else { 1.0 })
}

/// Class index per used row, and class names: text levels in order of first appearance, numeric
/// values in ascending order. Classes come from all used rows (not only training ones) because
/// the model needs one output per class the validation score can ask about.
pub(super) fn class_labels(target: &Column, rows: &[usize]) -> (Vec<u32>, Vec<String>) {
    match &target.data {
        ColumnData::Text { codes, levels } => {
            let mut remap = vec![u32::MAX; levels.len()];
            let mut names = Vec::new();
            let labels = rows
                .iter()
                .map(|&r| {
                    let c = codes[r] as usize;
                    if remap[c] == u32::MAX {
                        remap[c] = names.len() as u32;
                        names.push(levels[c].clone());
                    }
                    remap[c]
                })
                .collect();
            (labels, names)
        }
        ColumnData::Numeric(v) => {
            let mut values: Vec<f32> = rows.iter().map(|&r| v[r]).collect();
            values.sort_by(f32::total_cmp);
            values.dedup();
            let labels = rows
                .iter()
                .map(|&r| values.partition_point(|&x| x < v[r]) as u32)
                .collect();
            (labels, values.into_iter().map(format_number).collect())
        }
    }
}

/// Regression targets standardised with the training rows' mean and std (returned to undo it).
pub(super) fn standardised_targets(
    values: &[f32],
    train_rows: &[usize],
    val_rows: &[usize],
) -> (Targets, Targets, f32, f32) {
    let (mean, std) = mean_std(train_rows.iter().map(|&r| values[r]));
    let scale =
        |rs: &[usize]| Targets::Values(rs.iter().map(|&r| (values[r] - mean) / std).collect());
    (scale(train_rows), scale(val_rows), mean, std)
}
