//! The sweep's points as a table: per point and initializer, the repeats that trained and the
//! mean final validation loss (the CLI prints the same counts). Each point's name opens it.

use egui::RichText;

use super::colors::Colors;
use super::sweep_live::SweepRun;
use crate::report::num;

/// Above this many points the table is left out (the charts show them).
const MAX_ROWS: usize = 200;

/// Draws the table; returns the point whose name was clicked.
pub fn ui(ui: &mut egui::Ui, run: &SweepRun, colors: &Colors) -> Option<usize> {
    let n = run.result.points.len();
    if n > MAX_ROWS {
        ui.label(RichText::new(format!("{n} points: open one from the chart")).weak());
        return None;
    }
    ui.strong("Points (repeats trained / repeats, mean final validation loss; click to open)");
    let mut clicked = None;
    egui::ScrollArea::horizontal()
        .id_salt("sweep-points-scroll")
        .show(ui, |ui| {
            egui::Grid::new("sweep-points")
                .striped(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("point").strong());
                    for init in &run.analysis.inits {
                        ui.colored_label(colors.of(init), RichText::new(init).strong());
                    }
                    ui.end_row();
                    for p in 0..n {
                        if row(ui, run, p) {
                            clicked = Some(p);
                        }
                        ui.end_row();
                    }
                });
        });
    clicked
}

/// One point's row; returns whether its name was clicked.
fn row(ui: &mut egui::Ui, run: &SweepRun, p: usize) -> bool {
    let done = run.point_done(p) || !run.is_live();
    let clicked = ui
        .button(run.point_label(p))
        .on_hover_text("open its curves, layers and results table")
        .clicked();
    for c in run.analysis.cells.get(p).into_iter().flatten() {
        if !done {
            let state = if run.point_started(p) {
                "training…"
            } else {
                "waiting"
            };
            ui.label(RichText::new(state).weak());
            continue;
        }
        let loss = c.val_loss.map_or("–".into(), |v| num(v.0));
        let mut text = format!("{}/{} · {loss}", c.trained, c.repeats);
        if c.diverged > 0 {
            text += &format!(" · {} diverged", c.diverged);
        }
        ui.label(text);
    }
    clicked
}
