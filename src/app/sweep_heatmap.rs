//! Heatmaps of a two- or three-axis sweep: one small multiple per initializer (and per value of
//! the third axis), the first axis across, the second up. A cell's colour is the share of
//! repeats that trained (white: none, green: all, the report's scale); grey cells have not
//! finished. Hovering a cell gives its numbers; clicking it opens the point.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, pos2, vec2};

use crate::report::sweep::charts::six_xi_c_curve;

use super::colors::Colors;
use super::sweep_live::SweepRun;
use crate::report::num;
use crate::report::sweep::analysis::Cell;
use crate::report::sweep::charts::trained_color;
use crate::study::sweep::Axis;

const CELL: egui::Vec2 = vec2(46.0, 28.0);
/// Room for the second axis's labels left of the cells, and the first's below.
const LEFT: f32 = 56.0;
const BOTTOM: f32 = 34.0;
/// Space between panels.
const GAP: f32 = 12.0;

/// Draws every panel; returns the point the user clicked.
pub fn ui(
    ui: &mut egui::Ui,
    run: &SweepRun,
    axes: &[Axis],
    colors: &Colors,
    hidden: &[String],
) -> Option<usize> {
    let ([x, y], z) = match axes {
        [x, y] => ([x, y], None),
        [x, y, z] => ([x, y], Some(z)),
        _ => return None,
    };
    scale_legend(ui);
    if matches!((x, y), (Axis::Gain(_), Axis::Depth(_))) {
        ui.weak(
            "dashed: the mean-field trainable depth 6 ξ_c of each gain (Schoenholz et al. 2017)",
        );
    }
    let mut clicked = None;
    for zi in 0..z.map_or(1, Axis::len) {
        if let Some(z) = z {
            ui.strong(format!("{} {}", z.name(), z.label(zi)));
        }
        // Panels per row from their width: a wrapping layout cannot know a panel's width
        // before drawing it, and the last one ran off the edge.
        let width = LEFT + CELL.x * x.len() as f32 + GAP;
        let per_row = ((ui.available_width() + GAP) / width).floor().max(1.0) as usize;
        let shown: Vec<usize> = (0..run.analysis.inits.len())
            .filter(|&j| !hidden.contains(&run.analysis.inits[j]))
            .collect();
        for chunk in shown.chunks(per_row) {
            ui.horizontal(|ui| {
                for &j in chunk {
                    let init = &run.analysis.inits[j];
                    ui.vertical(|ui| {
                        ui.colored_label(colors.of(init), init);
                        let got = panel(ui, run, (x, y), (j, zi));
                        clicked = clicked.or(got);
                    });
                    ui.add_space(GAP);
                }
            });
            ui.add_space(6.0);
        }
    }
    clicked
}

/// One initializer's grid at third-axis value `zi`.
fn panel(
    ui: &mut egui::Ui,
    run: &SweepRun,
    (x, y): (&Axis, &Axis),
    (j, zi): (usize, usize),
) -> Option<usize> {
    let size = vec2(
        LEFT + CELL.x * x.len() as f32,
        CELL.y * y.len() as f32 + BOTTOM,
    );
    let (area, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(area);
    let text = ui.visuals().text_color();
    let small = FontId::proportional(11.0);
    let cell_rect = |i: usize, k: usize| {
        let min = area.min + vec2(LEFT + CELL.x * i as f32, CELL.y * (y.len() - 1 - k) as f32);
        Rect::from_min_size(min, CELL).shrink(1.0)
    };
    for k in 0..y.len() {
        let c = cell_rect(0, k).left_center() - vec2(6.0, 0.0);
        painter.text(c, Align2::RIGHT_CENTER, y.label(k), small.clone(), text);
    }
    for i in 0..x.len() {
        let c = cell_rect(i, 0).center_bottom() + vec2(0.0, 4.0);
        painter.text(c, Align2::CENTER_TOP, x.label(i), small.clone(), text);
    }
    let axes_text = format!("across: {}, up: {}", x.name(), y.name());
    let bottom = pos2(area.min.x + LEFT, area.max.y - 2.0);
    painter.text(bottom, Align2::LEFT_BOTTOM, axes_text, small, text);
    let mut clicked = None;
    for (p, point) in run.result.points.iter().enumerate() {
        let c = &point.coords;
        if c.get(2).is_some_and(|&v| v != zi) {
            continue;
        }
        let (Some(&i), Some(&k)) = (c.first(), c.get(1)) else {
            continue;
        };
        let Some(cell) = run.analysis.cells.get(p).and_then(|cs| cs.get(j)) else {
            continue;
        };
        if cell_ui(ui, run, (p, j), cell, cell_rect(i, k)) {
            clicked = Some(p);
        }
    }
    // Over a gain x depth grid: the mean-field trainable depth 6 xi_c, as the report draws it.
    let curve = six_xi_c_curve(&run.result, j, (x, y));
    if curve.len() >= 2 {
        let rows = y.len() as f32;
        let points: Vec<egui::Pos2> = curve
            .iter()
            .map(|&(i, row)| {
                area.min
                    + vec2(
                        LEFT + CELL.x * (i as f32 + 0.5),
                        CELL.y * (rows - 0.5 - row as f32),
                    )
            })
            .collect();
        painter.extend(egui::Shape::dashed_line(
            &points,
            Stroke::new(2.0, text),
            6.0,
            4.0,
        ));
    }
    clicked
}

/// One cell: painted, named for screen readers (and the UI tests), with its numbers on hover.
/// Returns whether it was clicked.
fn cell_ui(
    ui: &mut egui::Ui,
    run: &SweepRun,
    (p, j): (usize, usize),
    cell: &Cell,
    rect: Rect,
) -> bool {
    let init = &run.analysis.inits[j];
    let name = format!("{init} at {}", run.point_label(p));
    let id = ui.make_persistent_id(("sweep-cell", p, j));
    let response = ui.interact(rect, id, Sense::click());
    let info_name = name.clone();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &info_name));
    let done = run.point_done(p) || !run.is_live();
    let fill = if done {
        let c = trained_color(cell.trained_fraction());
        Color32::from_rgb(c.0, c.1, c.2)
    } else if run.point_started(p) {
        Color32::from_gray(200)
    } else {
        Color32::from_gray(232)
    };
    let painter = ui.painter();
    painter.rect_filled(rect, 2.0, fill);
    if response.hovered() {
        painter.rect_stroke(
            rect,
            2.0,
            Stroke::new(2.0, Color32::from_gray(40)),
            egui::StrokeKind::Inside,
        );
    }
    let label = match (done, cell.val_loss) {
        (true, Some((m, _, _))) => num(m),
        (true, None) => "–".into(),
        (false, _) if run.point_started(p) => "…".into(),
        (false, _) => String::new(),
    };
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        label,
        FontId::proportional(11.0),
        Color32::from_gray(20),
    );
    let clicked = response.clicked();
    response.on_hover_text(hover_text(&name, cell, done));
    clicked
}

/// A cell's numbers in words.
fn hover_text(name: &str, cell: &Cell, done: bool) -> String {
    let mut s = format!("{name}\n");
    if !done {
        s += "not finished yet\n";
    }
    s += &match cell.val_loss {
        Some((m, lo, hi)) => format!(
            "final validation loss {} (min {}, max {})\n",
            num(m),
            num(lo),
            num(hi)
        ),
        None => "no final validation loss (diverged or not run)\n".into(),
    };
    s += &format!("trained {}/{} repeats", cell.trained, cell.repeats);
    if cell.diverged > 0 {
        s += &format!(", {} diverged", cell.diverged);
    }
    s += &match cell.steps {
        Some(st) => format!(
            "\nsteps to the threshold {st:.0} ({} of {} reached it)",
            cell.reached, cell.repeats
        ),
        None => "\nthreshold not reached".into(),
    };
    s + "\nclick to open this point"
}

/// The colour scale, in one line.
fn scale_legend(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.label("share of repeats that trained:");
        for f in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let (rect, _) = ui.allocate_exact_size(vec2(22.0, 14.0), Sense::hover());
            let c = trained_color(f);
            ui.painter()
                .rect_filled(rect, 2.0, Color32::from_rgb(c.0, c.1, c.2));
            ui.label(format!("{:.0}%", f * 100.0));
        }
        let (rect, _) = ui.allocate_exact_size(vec2(22.0, 14.0), Sense::hover());
        ui.painter().rect_filled(rect, 2.0, Color32::from_gray(200));
        ui.label("training");
        ui.label(egui::RichText::new("· text: mean final validation loss").weak());
    });
}
