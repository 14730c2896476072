//! Small widgets shared by the panels, and the initializer colours every view uses.

use egui::Color32;

use super::colors::Colors;

/// The colour of the initializer at position `i` of the study (the report uses the same palette).
pub fn color32(i: usize) -> Color32 {
    let (r, g, b) = crate::palette::color(i);
    Color32::from_rgb(r, g, b)
}

/// A grid row: a label and a combo box over `options`, named by the label for screen readers
/// (and for the UI tests).
pub fn choice<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[(T, &str)],
) {
    let l = ui.label(label);
    let current = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("", |(_, name)| name);
    egui::ComboBox::from_id_salt(label)
        .selected_text(current)
        .show_ui(ui, |ui| {
            for (v, name) in options {
                ui.selectable_value(value, *v, *name);
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
}

/// A small "x" button; `what` names it for screen readers and its tooltip.
pub fn remove_button(ui: &mut egui::Ui, what: &str) -> bool {
    let label = format!("remove {what}");
    ui.small_button("x")
        .on_hover_text(&label)
        .accessible_name(label)
        .clicked()
}

/// One legend for every chart of a view, beside them rather than over the data (per-chart
/// legends covered the final epochs, where comparisons are read). Clicking a name hides or
/// shows that initializer in every chart.
pub fn legend(ui: &mut egui::Ui, names: &[String], colors: &Colors, hidden: &mut Vec<String>) {
    ui.horizontal_wrapped(|ui| {
        for name in names {
            let shown = !hidden.contains(name);
            let color = if shown {
                colors.of(name)
            } else {
                Color32::from_gray(160)
            };
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 4.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 1.0, color);
            let text = if shown {
                egui::RichText::new(name)
            } else {
                egui::RichText::new(name).weak().strikethrough()
            };
            if ui
                .add(egui::Label::new(text).sense(egui::Sense::click()))
                .on_hover_text("click to show or hide in every chart")
                .clicked()
            {
                if shown {
                    hidden.push(name.clone());
                } else {
                    hidden.retain(|n| n != name);
                }
            }
            ui.add_space(6.0);
        }
    });
}

/// Axis tick labels that stay short at any magnitude (`0.25`, `1200`, `1e19`, `3e-5`): a
/// diverged arm's 2e19 used to print as twenty digits and squeeze the plot.
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        s.replace(".0e", "e")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Grid marks for an axis that plots log10 of the values: every decade, and 2 and 5 within a
/// decade when fewer than three decades are visible, so a log axis keeps labels below 0.1.
pub fn log_grid(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 60.0 {
        return Vec::new();
    }
    let narrow = hi - lo < 3.0;
    let mut marks = Vec::new();
    for decade in (lo.floor() as i32)..=(hi.ceil() as i32) {
        let d = f64::from(decade);
        marks.push(egui_plot::GridMark {
            value: d,
            step_size: 1.0,
        });
        if narrow {
            for m in [2.0f64, 5.0] {
                marks.push(egui_plot::GridMark {
                    value: d + m.log10(),
                    step_size: 0.1,
                });
            }
        }
    }
    marks.retain(|m| m.value >= lo && m.value <= hi);
    marks
}

/// Grid marks for a linear axis: a "nice" step (1, 2 or 5 times a power of ten) giving about
/// five labelled ticks whatever the range, with unlabelled minor lines between. egui_plot's own
/// spacing labelled only the decades, so an accuracy axis showed just "0" or "1".
pub fn linear_grid(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    let range = hi - lo;
    if !(range.is_finite() && range > 0.0) {
        return Vec::new();
    }
    let raw = range / 5.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let minor = step / 5.0;
    let first = (lo / minor).ceil() as i64;
    let last = (hi / minor).floor() as i64;
    if last - first > 400 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let value = k as f64 * minor;
            let major = k % 5 == 0;
            egui_plot::GridMark {
                value,
                step_size: if major { step } else { minor },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(lo: f64, hi: f64) -> Vec<f64> {
        let input = egui_plot::GridInput {
            bounds: (lo, hi),
            base_step_size: 0.0,
        };
        let marks = linear_grid(input);
        let top = marks.iter().map(|m| m.step_size).fold(0.0, f64::max);
        marks
            .iter()
            .filter(|m| m.step_size == top)
            .map(|m| m.value)
            .collect()
    }

    #[test]
    fn a_score_axis_gets_several_labelled_ticks() {
        let v = labelled(0.0, 1.0);
        assert!(v.len() >= 4 && v.len() <= 7, "{v:?}");
        assert!(v.iter().any(|x| (x - 0.4).abs() < 1e-9), "{v:?}");
        let v = labelled(0.93, 0.985);
        assert!(v.len() >= 3, "narrow range: {v:?}");
        let v = labelled(-1.0, 0.6);
        assert!(v.len() >= 3, "R²: {v:?}");
    }

    #[test]
    fn tick_labels_stay_short() {
        assert_eq!(tick_label(2e19), "2e19");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(1200.0), "1200");
        assert_eq!(tick_label(3e-5), "3e-5");
        assert_eq!(tick_label(0.0), "0");
    }
}
