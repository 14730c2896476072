//! Small widgets shared by the panels.

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
