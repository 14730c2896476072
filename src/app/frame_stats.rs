//! Frame timings for `INITLAB_FRAME_STATS=1`: the UI must stay responsive while the workers train.

use std::time::Instant;

/// Time spent building each frame and the interval between frames, split by whether training
/// was running, to check that the UI stays responsive while the worker trains.
#[derive(Default)]
pub(super) struct FrameStats {
    last: Option<Instant>,
    /// (build ms, interval ms, training)
    samples: Vec<(f64, f64, bool)>,
}

impl FrameStats {
    /// Records a frame that started at `frame_start` and has just been built.
    pub(super) fn record(&mut self, frame_start: Instant, training: bool) {
        // The first frame of a run follows an idle gap of any length: count its interval only
        // when the frame before it was a training frame too.
        let previous_training = self.samples.last().is_some_and(|s| s.2);
        let interval = match self.last {
            Some(t) if !training || previous_training => {
                frame_start.duration_since(t).as_secs_f64() * 1e3
            }
            _ => 0.0,
        };
        self.last = Some(frame_start);
        self.samples.push((
            frame_start.elapsed().as_secs_f64() * 1e3,
            interval,
            training,
        ));
    }

    /// Median, 99th percentile and maximum of build time and frame interval, idle and training.
    pub(super) fn report(&self) -> String {
        let mut out = String::new();
        for training in [false, true] {
            let mut build: Vec<f64> = self
                .samples
                .iter()
                .filter(|s| s.2 == training)
                .map(|s| s.0)
                .collect();
            let mut gap: Vec<f64> = self
                .samples
                .iter()
                .filter(|s| s.2 == training)
                .map(|s| s.1)
                .collect();
            if build.is_empty() {
                continue;
            }
            build.sort_by(f64::total_cmp);
            gap.sort_by(f64::total_cmp);
            let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
            out += &format!(
                "{} frames {}: build median {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
                 interval median {:.1} ms, p99 {:.1} ms, max {:.1} ms\n",
                build.len(),
                if training {
                    "while training"
                } else {
                    "while idle"
                },
                q(&build, 0.5),
                q(&build, 0.99),
                q(&build, 1.0),
                q(&gap, 0.5),
                q(&gap, 0.99),
                q(&gap, 1.0)
            );
        }
        out
    }
}
