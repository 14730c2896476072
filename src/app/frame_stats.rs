//! Frame timings for `INITLAB_FRAME_STATS=1`: the UI must stay responsive while the workers train.

use std::time::Instant;

/// One frame: the time spent building it, eframe's whole CPU time for it (building,
/// tessellating and painting; known one frame late), the interval since the previous frame,
/// and whether training was running.
struct Sample {
    build_ms: f64,
    cpu_ms: Option<f64>,
    interval_ms: f64,
    training: bool,
}

/// Frame timings split by whether training was running, to check that the UI stays responsive
/// while the workers train.
#[derive(Default)]
pub(super) struct FrameStats {
    last: Option<Instant>,
    samples: Vec<Sample>,
}

impl FrameStats {
    /// Records a frame that started at `frame_start` and has just been built; `previous_cpu` is
    /// eframe's CPU time for the frame before it, which is assigned to that frame.
    pub(super) fn record(
        &mut self,
        frame_start: Instant,
        training: bool,
        previous_cpu: Option<f32>,
    ) {
        if let Some(last) = self.samples.last_mut() {
            last.cpu_ms = previous_cpu.map(|s| f64::from(s) * 1e3);
        }
        // The first frame of a run follows an idle gap of any length: count its interval only
        // when the frame before it was a training frame too.
        let previous_training = self.samples.last().is_some_and(|s| s.training);
        let interval_ms = match self.last {
            Some(t) if !training || previous_training => {
                frame_start.duration_since(t).as_secs_f64() * 1e3
            }
            _ => 0.0,
        };
        self.last = Some(frame_start);
        self.samples.push(Sample {
            build_ms: frame_start.elapsed().as_secs_f64() * 1e3,
            cpu_ms: None,
            interval_ms,
            training,
        });
    }

    /// Median, 95th and 99th percentile and maximum of build time, whole CPU time and frame
    /// interval, idle and training.
    pub(super) fn report(&self) -> String {
        let mut out = String::new();
        for training in [false, true] {
            let of = |f: &dyn Fn(&Sample) -> Option<f64>| -> Vec<f64> {
                let mut v: Vec<f64> = self
                    .samples
                    .iter()
                    .filter(|s| s.training == training)
                    .filter_map(f)
                    .collect();
                v.sort_by(f64::total_cmp);
                v
            };
            let build = of(&|s| Some(s.build_ms));
            if build.is_empty() {
                continue;
            }
            let cpu = of(&|s| s.cpu_ms);
            let gap = of(&|s| Some(s.interval_ms));
            out += &format!(
                "{} frames {}: build {}; whole frame (CPU) {}; interval {}\n",
                build.len(),
                if training {
                    "while training"
                } else {
                    "while idle"
                },
                quantiles(&build),
                quantiles(&cpu),
                quantiles(&gap),
            );
        }
        out
    }
}

/// "median 1.20 ms, p95 3.40 ms, p99 5.00 ms, max 9.10 ms" of sorted values.
fn quantiles(v: &[f64]) -> String {
    if v.is_empty() {
        return "n/a".into();
    }
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    format!(
        "median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        q(0.5),
        q(0.95),
        q(0.99),
        q(1.0)
    )
}
