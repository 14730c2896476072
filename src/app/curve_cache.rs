//! What the Curves tab draws, computed once per change of the runs rather than every frame,
//! and decimated to a few hundred points per line: a 20-initializer x 10-repeat study at 800
//! epochs took 76 ms a frame (median) to rebuild and tessellate every curve. The runs keep
//! every epoch; only what is drawn is thinned.

use super::Live;
use crate::report::{Metric, curve};

/// At most this many points per drawn line (about one per horizontal pixel of a half-width
/// chart); longer curves are reduced bucket by bucket, keeping each bucket's band extremes.
pub const MAX_DRAWN: usize = 400;

/// One initializer's curve as drawn: x, the (smoothed, maybe log10) mean, and its band.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub name: String,
    pub xs: Vec<f64>,
    pub mean: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// The initializer had a diverged arm (its values are left out of the default range).
    pub diverged: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Key {
    version: u64,
    metric: Metric,
    smoothing: u32,
    log: bool,
}

/// The drawn curves of the three charts, each remembered with what it was computed from.
#[derive(Default)]
pub struct CurveCache {
    entries: Vec<(Key, Vec<Drawn>)>,
}

impl CurveCache {
    /// The curves of `metric` for `live`, computed only when the runs or settings changed.
    pub fn get(&mut self, live: &Live, metric: Metric, smoothing: f32, log: bool) -> &[Drawn] {
        let key = Key {
            version: live.version,
            metric,
            smoothing: smoothing.to_bits(),
            log,
        };
        let at = match self.entries.iter().position(|(k, _)| k.metric == metric) {
            Some(i) if self.entries[i].0 == key => i,
            Some(i) => {
                self.entries[i] = (key, compute(live, metric, f64::from(smoothing), log));
                i
            }
            None => {
                self.entries
                    .push((key, compute(live, metric, f64::from(smoothing), log)));
                self.entries.len() - 1
            }
        };
        &self.entries[at].1
    }
}

fn compute(live: &Live, metric: Metric, alpha: f64, log: bool) -> Vec<Drawn> {
    live.spec
        .initializer_names()
        .into_iter()
        .map(|name| {
            let c = curve(&live.runs, &name, metric);
            let keep: Vec<usize> = (0..c.epochs.len())
                .filter(|&i| !log || (c.min[i] > 0.0 && c.mean[i] > 0.0))
                .collect();
            let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            let f = |v: Vec<f64>| -> Vec<f64> {
                if log {
                    v.into_iter().map(f64::log10).collect()
                } else {
                    v
                }
            };
            let xs: Vec<f64> = keep.iter().map(|&i| c.epochs[i] as f64).collect();
            let (xs, mean, lo, hi) = decimate(
                xs,
                f(smooth(&pick(&c.mean), alpha)),
                f(smooth(&pick(&c.min), alpha)),
                f(smooth(&pick(&c.max), alpha)),
            );
            let diverged = live
                .runs
                .iter()
                .any(|r| r.initializer == name && r.diverged);
            Drawn {
                name,
                xs,
                mean,
                lo,
                hi,
                diverged,
            }
        })
        .collect()
}

/// Exponential moving average with factor `alpha` (0: unchanged).
pub fn smooth(v: &[f64], alpha: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(v.len());
    let mut s = None;
    for &x in v {
        let next = match s {
            None => x,
            Some(prev) => alpha * prev + (1.0 - alpha) * x,
        };
        s = Some(next);
        out.push(next);
    }
    out
}

type Series = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

/// Reduces a curve to at most [`MAX_DRAWN`] points: each bucket of consecutive epochs becomes
/// one point at its last epoch, with the mean's last value (so the line ends where the data
/// does) and the lowest low and highest high of the bucket (so the band never shrinks).
pub fn decimate(xs: Vec<f64>, mean: Vec<f64>, lo: Vec<f64>, hi: Vec<f64>) -> Series {
    let n = xs.len();
    if n <= MAX_DRAWN {
        return (xs, mean, lo, hi);
    }
    // The first epoch stays as it is: the initial value is what a reader compares against.
    let mut out: Series = (vec![xs[0]], vec![mean[0]], vec![lo[0]], vec![hi[0]]);
    let size = (n - 1).div_ceil(MAX_DRAWN - 1);
    for start in (1..n).step_by(size) {
        let end = (start + size).min(n);
        out.0.push(xs[end - 1]);
        out.1.push(mean[end - 1]);
        out.2
            .push(lo[start..end].iter().copied().fold(f64::INFINITY, f64::min));
        out.3.push(
            hi[start..end]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thinning keeps the first and last points, never narrows the band, and leaves short
    /// curves alone.
    #[test]
    fn decimation_keeps_the_ends_and_the_band() {
        let n = 2001;
        let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mean: Vec<f64> = xs.iter().map(|x| (x / 100.0).sin()).collect();
        let lo: Vec<f64> = mean.iter().map(|m| m - 0.5).collect();
        let mut hi: Vec<f64> = mean.iter().map(|m| m + 0.5).collect();
        hi[1234] = 9.0; // a spike inside a bucket must survive
        let (dx, dm, dl, dh) = decimate(xs.clone(), mean.clone(), lo.clone(), hi.clone());
        assert!(
            dx.len() <= MAX_DRAWN && dx.len() > MAX_DRAWN / 2,
            "{}",
            dx.len()
        );
        assert_eq!((dx[0], dm[0]), (0.0, mean[0]));
        assert_eq!(dx.last(), xs.last());
        assert_eq!(dm.last(), mean.last());
        assert!(dh.contains(&9.0));
        let band_min = dl.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(band_min, lo.iter().copied().fold(f64::INFINITY, f64::min));
        let short = decimate(
            xs[..10].to_vec(),
            mean[..10].to_vec(),
            lo[..10].to_vec(),
            hi[..10].to_vec(),
        );
        assert_eq!(short.0, xs[..10]);
    }
}
