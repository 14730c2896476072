//! The sweep editor, under the study panel: up to three axes, each a line of values parsed as
//! the user types (a value that does not parse shows its error in place and leaves the study's
//! sweep as it was), the rule that says when a run trained, and the grid's size.

use egui::{Color32, RichText};

use crate::study::StudySpec;
use crate::study::sweep::{AXIS_NAMES, Axis, DEFAULT_MAX_NETWORKS, MAX_AXES, Sweep};

use super::messages::parameters_text;
use super::widgets::remove_button;

const ERROR: Color32 = Color32::from_rgb(200, 40, 40);
use super::colors::WARN;

/// The rows being edited. Each keeps the text as typed and its last valid axis: the study's
/// sweep is made of the valid axes only, so a typo never loses the grid.
#[derive(Default)]
pub struct Editor {
    rows: Vec<Row>,
    /// The sweep as the editor last read or wrote it: when the study's differs (a file was
    /// opened, Defaults pressed) the rows are read again from it.
    synced: Option<Sweep>,
}

struct Row {
    name: &'static str,
    text: String,
    error: Option<String>,
    valid: Option<Axis>,
}

/// What the editor shows besides the spec: the data's shape (for the parameter count) and
/// why the last sweep failed, if it did.
pub struct Context<'a> {
    pub dims: Option<(usize, usize)>,
    pub failure: Option<&'a str>,
}

impl Editor {
    /// The first axis that does not parse, in words ("sweep axis 'depth': ...").
    pub fn error(&self) -> Option<String> {
        self.rows.iter().find_map(|r| r.error.clone())
    }

    fn sync(&mut self, spec: &StudySpec) {
        if spec.sweep == self.synced {
            return;
        }
        self.rows = spec
            .sweep
            .iter()
            .flat_map(|s| &s.axes)
            .map(row_of)
            .collect();
        self.synced = spec.sweep.clone();
    }

    /// The study's sweep from the rows' valid axes (none and the default rule: no sweep).
    fn write(&mut self, spec: &mut StudySpec) {
        let axes: Vec<Axis> = self.rows.iter().filter_map(|r| r.valid.clone()).collect();
        let rule = spec.sweep.as_ref().map(|s| s.rule).unwrap_or_default();
        spec.sweep = if axes.is_empty() && rule == Default::default() {
            None
        } else {
            Some(Sweep { axes, rule })
        };
        self.synced = spec.sweep.clone();
    }
}

fn row_of(axis: &Axis) -> Row {
    Row {
        name: axis.name(),
        text: values_text(axis),
        error: None,
        valid: Some(axis.clone()),
    }
}

/// An axis's values as the user would type them.
fn values_text(axis: &Axis) -> String {
    (0..axis.len())
        .map(|i| axis.label(i))
        .collect::<Vec<_>>()
        .join(",")
}

/// Values a new axis starts with, and the forms its values can take.
fn starter(name: &str) -> (&'static str, &'static str) {
    match name {
        "depth" => ("2,4,8,16", "2,4,8 or 2..32:x2"),
        "width" => ("16,64,256", "16,64,256 or 16..256:x2"),
        "lr" => ("0.001,0.01,0.1", "0.001,0.01 or 1e-4..1e-1:log4"),
        "gain" => ("0.5,1,2", "0.5,1,2 or 0.5..2:lin4"),
        "bias-std" => ("0,0.1,0.3", "0,0.1 or 0..0.5:lin6"),
        "activation" => ("tanh,relu", "tanh,relu,gelu"),
        "batch" => ("16,64,256", "16,64 or 16..256:x2"),
        "parametrization" => ("standard,mup", "standard,mup"),
        _ => ("bundled:iris,bundled:wine", "bundled:iris, data.csv@target"),
    }
}

/// Draws the editor under the study panel, editing `spec.sweep`.
pub fn ui(spec: &mut StudySpec, editor: &mut Editor, cx: &Context<'_>, ui: &mut egui::Ui) {
    editor.sync(spec);
    egui::CollapsingHeader::new(RichText::new("Sweep").strong())
        .id_salt("sweep-editor")
        .default_open(spec.is_sweep())
        .show(ui, |ui| {
            ui.label(
                RichText::new("Repeat the study along up to three axes, one study per point.")
                    .weak(),
            );
            let changed = rows(editor, ui) | add_axis(editor, ui);
            if changed {
                editor.write(spec);
            }
            if let Some(sweep) = &mut spec.sweep {
                rule(sweep, ui);
                editor.synced = Some(sweep.clone());
            }
            size(spec, cx, ui);
            if let Some(f) = cx.failure {
                ui.colored_label(ERROR, format!("The last sweep failed: {f}"));
            }
        });
}

/// One row per axis: its name, its values (parsed as typed), its error, remove. Returns whether
/// the valid axes changed.
fn rows(editor: &mut Editor, ui: &mut egui::Ui) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (i, row) in editor.rows.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let l = ui.label(format!("{} values", row.name));
            let edit = egui::TextEdit::singleline(&mut row.text)
                .desired_width(150.0)
                .hint_text(starter(row.name).1);
            if ui.add(edit).labelled_by(l.id).changed() {
                match Axis::parse(row.name, &row.text) {
                    Ok(axis) => {
                        changed |= row.valid.as_ref() != Some(&axis);
                        row.valid = Some(axis);
                        row.error = None;
                    }
                    Err(e) => row.error = Some(e.to_string()),
                }
            }
            if remove_button(ui, &format!("axis {}", row.name)) {
                remove = Some(i);
            }
        });
        if let Some(e) = &row.error {
            ui.colored_label(ERROR, e)
                .on_hover_text("the sweep keeps the last valid values until this is fixed");
        } else if let Some(a) = &row.valid {
            ui.label(RichText::new(format!("{} values", a.len())).weak());
        }
    }
    if let Some(i) = remove {
        editor.rows.remove(i);
        changed = true;
    }
    changed
}

/// The "Add axis" menu: the axes not yet swept. Returns whether one was added.
fn add_axis(editor: &mut Editor, ui: &mut egui::Ui) -> bool {
    if editor.rows.len() >= MAX_AXES {
        ui.label(RichText::new(format!("at most {MAX_AXES} axes")).weak());
        return false;
    }
    let mut added = false;
    ui.menu_button("Add axis", |ui| {
        for name in AXIS_NAMES {
            if editor.rows.iter().any(|r| r.name == name) {
                continue;
            }
            if ui.button(name).clicked() {
                let text = starter(name).0;
                let valid = Axis::parse(name, text).ok();
                editor.rows.push(Row {
                    name,
                    text: text.into(),
                    error: None,
                    valid,
                });
                added = true;
                ui.close();
            }
        }
    });
    added
}

/// The rule's two numbers.
fn rule(sweep: &mut Sweep, ui: &mut egui::Ui) {
    let r = &mut sweep.rule;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Trained when the final training loss <=");
        ui.add(
            egui::DragValue::new(&mut r.loss_fraction)
                .range(0.01..=0.99)
                .speed(0.01),
        )
        .labelled_by(l.id);
        ui.label("× the initial one, and (classification) accuracy >= chance +");
        let m = ui.add(
            egui::DragValue::new(&mut r.accuracy_margin)
                .range(0.0..=0.99)
                .speed(0.01),
        );
        m.on_hover_text("chance: the majority class's share of the validation rows");
    });
}

/// Points, networks and parameters; a warning above the network limit.
fn size(spec: &StudySpec, cx: &Context<'_>, ui: &mut egui::Ui) {
    if !spec.is_sweep() {
        return;
    }
    let points = spec.sweep.as_ref().map_or(1, Sweep::point_count);
    let networks = spec.network_count();
    let params = parameters(spec, cx.dims, points).map_or_else(String::new, |p| {
        format!(", {} parameters", parameters_text(p))
    });
    ui.label(format!("{points} points, {networks} networks{params}."));
    if networks > DEFAULT_MAX_NETWORKS {
        ui.colored_label(
            WARN,
            format!(
                "Above the limit of {DEFAULT_MAX_NETWORKS} networks: Run asks for a confirmation."
            ),
        );
    }
}

/// Parameters over the whole grid, when the data's shape is known (no `data` axis) and the grid
/// is small enough to list.
fn parameters(spec: &StudySpec, dims: Option<(usize, usize)>, points: usize) -> Option<f64> {
    let (n_in, n_out) = dims?;
    let swept_data = spec
        .sweep
        .as_ref()
        .is_some_and(|s| s.axes.iter().any(|a| matches!(a, Axis::Data(_))));
    if swept_data || points > 10_000 {
        return None;
    }
    let arms = spec.arms().len() as f64;
    let total = spec
        .points()
        .iter()
        .map(|p| {
            let d = p.spec.model.dims(n_in, n_out);
            d.windows(2).map(|w| w[0] * w[1] + w[1]).sum::<usize>() as f64 * arms
        })
        .sum();
    Some(total)
}
