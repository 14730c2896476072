//! The Sweep tab's ranking across points: the initializers ranked within every point by mean
//! final validation loss, Friedman's test over the points, and the Nemenyi critical-difference
//! diagram (Demšar 2006), as the sweep report draws it.

use egui::{Align2, Color32, FontId, Pos2, Sense, Stroke, Vec2};

use super::colors::Colors;
use super::sweep_live::SweepRun;
use crate::report::{num, p_text};
use crate::stats::{Friedman, cd_groups, friedman, nemenyi_cd};

/// The significance level of the critical difference.
const ALPHA: f64 = 0.05;

/// The ranking of a finished sweep, or `None` when it cannot be made (fewer than two points,
/// fewer than three initializers, or an initializer without a finished repeat at some point).
pub fn ranking(run: &SweepRun) -> Option<(Friedman, Option<f64>)> {
    let rows: Vec<Vec<f64>> = run
        .analysis
        .cells
        .iter()
        .map(|cells| {
            cells
                .iter()
                .map(|c| c.val_loss.map(|v| v.0))
                .collect::<Option<Vec<f64>>>()
        })
        .collect::<Option<Vec<_>>>()?;
    if rows.len() < 2 {
        return None;
    }
    let f = friedman(&rows)?;
    let cd = nemenyi_cd(f.k, f.n, ALPHA);
    Some((f, cd))
}

/// The section: a sentence with the test, then the diagram.
pub fn ui(ui: &mut egui::Ui, run: &SweepRun, colors: &Colors) {
    if !run.result.completed {
        return;
    }
    let Some((f, cd)) = ranking(run) else {
        return;
    };
    ui.add_space(8.0);
    ui.strong("Ranking across points");
    let cd_text = cd.map_or_else(
        || "no critical difference beyond 10 initializers".to_owned(),
        |cd| format!("critical difference at α = {ALPHA}: {}", num(cd)),
    );
    ui.label(format!(
        "Friedman's test over {} points and {} initializers: χ² = {}, {}; Nemenyi's {cd_text}. \
         Initializers joined by a bar do not differ significantly.",
        f.n,
        f.k,
        num(f.chi2),
        p_text(f.p)
    ));
    diagram(ui, &run.analysis.inits, &f, cd, colors);
}

/// Ranks on a horizontal axis (1 = best on the left), one labelled marker per initializer, the
/// CD as a red bar, and a black bar under every run of initializers within the CD.
fn diagram(ui: &mut egui::Ui, inits: &[String], f: &Friedman, cd: Option<f64>, colors: &Colors) {
    let k = inits.len();
    let row = 18.0;
    let height = 60.0 + row * k as f32;
    let width = ui.available_width().clamp(300.0, 760.0);
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    let painter = ui.painter_at(rect);
    let text = ui.visuals().text_color();
    let left = rect.left() + 20.0;
    let right = rect.right() - 20.0;
    let x = |rank: f64| left + (right - left) * ((rank - 1.0) / (k as f64 - 1.0).max(1.0)) as f32;
    let axis_y = rect.top() + 36.0;
    rank_axis(&painter, (k, &x), (left, right, axis_y), text);
    if let Some(cd) = cd {
        let y = rect.top() + 8.0;
        painter.line_segment(
            [Pos2::new(x(1.0), y), Pos2::new(x(1.0 + cd), y)],
            Stroke::new(3.0, Color32::from_rgb(214, 39, 40)),
        );
        painter.text(
            Pos2::new(x(1.0 + cd) + 6.0, y),
            Align2::LEFT_CENTER,
            format!("CD = {}", num(cd)),
            FontId::proportional(11.0),
            text,
        );
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| f.avg_ranks[a].total_cmp(&f.avg_ranks[b]));
    for (i, &j) in order.iter().enumerate() {
        let px = x(f.avg_ranks[j]);
        let y = axis_y + 22.0 + row * i as f32;
        let c = colors.of(&inits[j]);
        painter.line_segment(
            [Pos2::new(px, axis_y), Pos2::new(px, y)],
            Stroke::new(1.0, c),
        );
        painter.circle_filled(Pos2::new(px, axis_y), 4.0, c);
        let (anchor, dx) = if px < rect.center().x {
            (Align2::LEFT_CENTER, 6.0)
        } else {
            (Align2::RIGHT_CENTER, -6.0)
        };
        painter.text(
            Pos2::new(px + dx, y),
            anchor,
            format!("{} ({})", inits[j], num(f.avg_ranks[j])),
            FontId::proportional(12.0),
            c,
        );
    }
    if let Some(cd) = cd {
        group_bars(&painter, &order, f, cd, (x, axis_y + 6.0), text);
    }
}

/// The rank axis from 1 to k with a tick and a number at every rank.
fn rank_axis(
    painter: &egui::Painter,
    (k, x): (usize, &dyn Fn(f64) -> f32),
    (left, right, y): (f32, f32, f32),
    text: Color32,
) {
    painter.line_segment(
        [Pos2::new(left, y), Pos2::new(right, y)],
        Stroke::new(1.0, text),
    );
    for r in 1..=k {
        let px = x(r as f64);
        painter.line_segment(
            [Pos2::new(px, y - 4.0), Pos2::new(px, y)],
            Stroke::new(1.0, text),
        );
        painter.text(
            Pos2::new(px, y - 6.0),
            Align2::CENTER_BOTTOM,
            r.to_string(),
            FontId::proportional(11.0),
            text,
        );
    }
}

/// A bar under every maximal run of initializers (in rank order) within the CD of each other.
fn group_bars(
    painter: &egui::Painter,
    order: &[usize],
    f: &Friedman,
    cd: f64,
    (x, top): (impl Fn(f64) -> f32, f32),
    color: Color32,
) {
    let ranks: Vec<f64> = order.iter().map(|&i| f.avg_ranks[i]).collect();
    for (k, (start, end)) in cd_groups(&ranks, cd).into_iter().enumerate() {
        let y = top + 4.0 * k as f32;
        painter.line_segment(
            [
                Pos2::new(x(ranks[start]) - 2.0, y),
                Pos2::new(x(ranks[end]) + 2.0, y),
            ],
            Stroke::new(3.0, color),
        );
    }
}
