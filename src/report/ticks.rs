//! Tick marks for the report's value axes. plotters' log axis labels only the powers of ten its
//! point budget allows and prints them as `0.100`, so a loss falling from 3 to 0.02 got two
//! labels; here every decade is labelled, narrow ranges get 2 and 5 (or every digit) between
//! decades, and labels are as short as the value allows.

use std::ops::Range;

use plotters::coord::combinators::{IntoLogRange, LogCoord};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// The ticks of one axis: `labelled` get a label and a grid line, `light` only a faint line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ticks {
    pub labelled: Vec<f64>,
    pub light: Vec<f64>,
}

/// Fewer labels leave a reader guessing at values; more crowd a 420-pixel chart.
const MIN_LABELS: usize = 4;
const MAX_LABELS: usize = 12;
const DIGITS: [f64; 9] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];

/// Ticks for a log axis over `lo..hi` (both positive): the sparsest of decades, 1-2-5 or every
/// digit that gives [`MIN_LABELS`], and evenly spaced values when even that gives fewer than
/// three (a range inside one decade, where a log axis is nearly linear).
fn log_ticks(lo: f64, hi: f64) -> Ticks {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Ticks {
            labelled: Vec::new(),
            light: Vec::new(),
        };
    }
    let all_decades = multiples(lo, hi, &[1.0]);
    let light = if all_decades.len() <= MAX_LABELS {
        multiples(lo, hi, &DIGITS)
    } else {
        all_decades.clone()
    };
    // Past a dozen decades (a loss on its way to diverging) label every k-th power of ten.
    let k = all_decades.len().div_ceil(MAX_LABELS).max(1) as i64;
    let decades: Vec<f64> = all_decades
        .into_iter()
        .filter(|v| (v.log10().round() as i64).rem_euclid(k) == 0)
        .collect();
    let mut best = decades;
    for mantissas in [&[1.0, 2.0, 5.0][..], &DIGITS] {
        if best.len() >= MIN_LABELS {
            break;
        }
        let denser = multiples(lo, hi, mantissas);
        if denser.len() > MAX_LABELS {
            break;
        }
        best = denser;
    }
    if best.len() < MIN_LABELS - 1 {
        best = linear_ticks(lo, hi, MIN_LABELS + 1).labelled;
    }
    Ticks {
        labelled: best,
        light,
    }
}

/// `m * 10^k` for every mantissa `m` and decade `k` inside `lo..=hi`, ascending.
fn multiples(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    (first..=last)
        .flat_map(|k| mantissas.iter().map(move |m| round_sig(m * 10f64.powi(k))))
        .filter(|v| (lo..=hi).contains(v))
        .collect()
}

/// `v` rounded to 6 significant digits, so `3 * 10^-2` is the `0.03` a reader types.
fn round_sig(v: f64) -> f64 {
    format!("{v:.5e}").parse().unwrap_or(v)
}

/// About `target` evenly spaced ticks at a step of 1, 2 or 5 times a power of ten.
fn linear_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    grid(lo, hi, nice_step(lo, hi, target))
}

/// Ticks at every multiple of `step` inside `lo..=hi`, light lines halfway between them.
fn grid(lo: f64, hi: f64, step: f64) -> Ticks {
    if !(step > 0.0 && step.is_finite()) {
        return Ticks {
            labelled: Vec::new(),
            light: Vec::new(),
        };
    }
    let on_grid = |step: f64| -> Vec<f64> {
        let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
        (first..=last).map(|k| round_sig(k as f64 * step)).collect()
    };
    Ticks {
        labelled: on_grid(step),
        light: on_grid(step / 2.0),
    }
}

fn nice_step(lo: f64, hi: f64, target: usize) -> f64 {
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let nice = match raw / magnitude {
        n if n < 1.5 => 1.0,
        n if n < 3.0 => 2.0,
        n if n < 7.0 => 5.0,
        _ => 10.0,
    };
    nice * magnitude
}

/// How a linear axis writes its ticks: with the decimals that tell neighbours apart
/// (`0.90, 0.95, 1.00`), or past 10^5 in scientific notation with the mantissa digits that do
/// (`-1.8e33`), rather than thirty-odd digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinearLabels {
    Fixed(usize),
    Scientific(usize),
}

impl LinearLabels {
    fn for_ticks(ticks: &Ticks) -> Self {
        let step = ticks
            .labelled
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let largest = ticks.labelled.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        if !(step.is_finite() && step > 0.0) {
            return LinearLabels::Fixed(1);
        }
        // The nudge keeps a step of exactly 0.1 from reading as 0.0999... (two decimals).
        let step_exp = (step.log10() + 1e-9).floor();
        if largest >= 1e5 {
            let digits = (largest.log10() + 1e-9).floor() - step_exp;
            LinearLabels::Scientific(digits.max(0.0) as usize)
        } else {
            LinearLabels::Fixed((-step_exp).max(0.0) as usize)
        }
    }

    pub(super) fn label(self, v: f64) -> String {
        match self {
            LinearLabels::Fixed(decimals) => {
                let s = format!("{v:.decimals$}");
                // A tick at zero computed as -1e-17 must not read `-0.0`.
                if s.trim_start_matches('-')
                    .chars()
                    .all(|c| c == '0' || c == '.')
                {
                    s.trim_start_matches('-').to_owned()
                } else {
                    s
                }
            }
            LinearLabels::Scientific(_) if v == 0.0 => "0".into(),
            LinearLabels::Scientific(digits) => format!("{v:.digits$e}"),
        }
    }
}

/// A log tick as short as it can be: `0.001`, `0.05`, `20`, `1e-4`, `2e5`.
pub(super) fn log_label(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.2e}");
        s.split_once('e')
            .map_or_else(|| s.clone(), |(m, e)| format!("{}e{e}", trim_zeros(m)))
    } else {
        let decimals = (5 - a.log10().floor() as i32).clamp(0, 8) as usize;
        trim_zeros(&format!("{v:.decimals$}"))
    }
}

/// `0.0500` -> `0.05`, `20.00` -> `20`.
fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s.to_owned()
    }
}

/// A value axis that puts its grid and labels at [`Ticks`] rather than plotters' own key points.
/// (plotters' `WithKeyPoints` does that too, but on a linear `f64` axis it loses the label
/// formatter that `configure_mesh` needs.)
pub(super) struct TickedAxis<R> {
    inner: R,
    ticks: Ticks,
}

/// A log axis over `lo..hi` with [`log_ticks`].
pub(super) fn log_axis(lo: f64, hi: f64) -> TickedAxis<LogCoord<f64>> {
    TickedAxis {
        inner: (lo..hi).log_scale().into(),
        ticks: log_ticks(lo, hi),
    }
}

/// A linear axis over `lo..hi` with about `target` [`linear_ticks`], and how to label them.
pub(super) fn linear_axis(
    lo: f64,
    hi: f64,
    target: usize,
) -> (TickedAxis<RangedCoordf64>, LinearLabels) {
    let ticks = linear_ticks(lo, hi, target);
    let labels = LinearLabels::for_ticks(&ticks);
    let inner = (lo..hi).into();
    (TickedAxis { inner, ticks }, labels)
}

/// An axis of whole numbers (epochs, layers) with about `target` ticks: plotters' own would put
/// ticks at half epochs on a short run and label them `0 0 1 1 2`.
pub(super) fn whole_axis(lo: f64, hi: f64, target: usize) -> TickedAxis<RangedCoordf64> {
    TickedAxis {
        inner: (lo..hi).into(),
        ticks: grid(lo, hi, nice_step(lo, hi, target).max(1.0)),
    }
}

/// A linear axis over `lo..hi` whose ticks are exactly `positions` (a sweep's values).
pub(super) fn value_axis(positions: Vec<f64>, lo: f64, hi: f64) -> TickedAxis<RangedCoordf64> {
    TickedAxis {
        inner: (lo..hi).into(),
        ticks: Ticks {
            labelled: positions.clone(),
            light: positions,
        },
    }
}

impl<R: Ranged<ValueType = f64>> Ranged for TickedAxis<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.ticks.light.clone()
        } else {
            self.ticks.labelled.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decade_of_a_wide_range_is_labelled() {
        let t = log_ticks(9e-4, 1.1);
        let labels: Vec<String> = t.labelled.iter().map(|v| log_label(*v)).collect();
        assert_eq!(labels, ["0.001", "0.01", "0.1", "1"]);
    }

    #[test]
    fn narrow_ranges_get_two_and_five() {
        let labels: Vec<String> = log_ticks(0.018, 3.3)
            .labelled
            .iter()
            .map(|v| log_label(*v))
            .collect();
        assert_eq!(labels, ["0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"]);
    }

    #[test]
    fn a_range_inside_one_decade_still_gets_labels() {
        let t = log_ticks(1.84, 2.88);
        assert!(t.labelled.len() >= 3, "{t:?}");
        assert!(t.labelled.iter().all(|v| (1.84..=2.88).contains(v)));
    }

    #[test]
    fn whole_axes_never_repeat_a_label() {
        for (hi, target) in [(3.0, 10), (20.0, 10), (1.0, 10), (2.2, 12)] {
            let t = whole_axis(0.0, hi, target).ticks.labelled;
            assert!(t.len() >= 2 && t.iter().all(|v| v.fract() == 0.0), "{t:?}");
        }
    }

    #[test]
    fn labels_are_compact() {
        assert_eq!(log_label(1e-4), "1e-4");
        assert_eq!(log_label(2e-5), "2e-5");
        assert_eq!(log_label(1e5), "1e5");
        assert_eq!(log_label(0.001), "0.001");
        assert_eq!(log_label(30.0), "30");
        assert_eq!(log_label(0.3 * 0.1), "0.03");
    }

    #[test]
    fn linear_axes_have_several_readable_ticks() {
        for (lo, hi) in [
            (0.9712, 0.9995),
            (0.05, 1.03),
            (-25000.0, 1.0),
            (-1.9e33, 1.0),
        ] {
            let t = linear_ticks(lo, hi, 8);
            let style = LinearLabels::for_ticks(&t);
            let labels: Vec<String> = t.labelled.iter().map(|v| style.label(*v)).collect();
            assert!((4..=12).contains(&labels.len()), "{labels:?}");
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique, labels, "labels repeat");
            assert!(labels.iter().all(|l| l.len() <= 8), "{labels:?}");
        }
        assert_eq!(LinearLabels::Fixed(2).label(-0.0001), "0.00");
        assert_eq!(LinearLabels::Scientific(1).label(-1.8e33), "-1.8e33");
    }
}
