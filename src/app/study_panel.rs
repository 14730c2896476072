//! The study panel: model, training settings, and the initializers to compare.

use egui::{Color32, RichText};

use crate::activation::Activation;
use crate::init::{BiasInit, CATALOGUE, FanMode, Gain, Initializer, describe};
use crate::study::{Limits, PRESETS, RepeatMode, StudySpec, builtin};
use crate::train::{OptimizerKind, Parametrization};

use super::colors::Colors;
use super::widgets::{choice, remove_button};

/// Draws the panel, editing `spec`; returns true when the user asked for the default study.
pub fn ui(spec: &mut StudySpec, colors: &Colors, ui: &mut egui::Ui) -> bool {
    let mut defaults = false;
    ui.horizontal(|ui| {
        ui.heading("Study");
        defaults = ui
            .small_button("Defaults")
            .on_hover_text("the default model, training and initializers (the data stays)")
            .clicked();
    });
    model(spec, ui);
    ui.separator();
    training(spec, ui);
    ui.separator();
    initializers(spec, colors, ui);
    defaults
}

fn model(spec: &mut StudySpec, ui: &mut egui::Ui) {
    ui.label(RichText::new("Model").strong());
    ui.horizontal_wrapped(|ui| {
        ui.label("Hidden layers");
        let mut remove = None;
        for (i, w) in spec.model.hidden.iter_mut().enumerate() {
            ui.add(
                egui::DragValue::new(w)
                    .range(Limits::WIDTH)
                    .clamp_existing_to_range(false)
                    .speed(1.0),
            )
            .on_hover_text(format!("width of hidden layer {}", i + 1));
            if remove_button(ui, &format!("hidden layer {}", i + 1)) {
                remove = Some(i);
            }
        }
        if let Some(i) = remove {
            spec.model.hidden.remove(i);
        }
        if ui
            .small_button("+")
            .on_hover_text("add a hidden layer")
            .clicked()
        {
            let w = spec.model.hidden.last().copied().unwrap_or(64);
            spec.model.hidden.push(w);
        }
    });
    egui::Grid::new("model-grid").num_columns(2).show(ui, |ui| {
        let activations: Vec<(Activation, &str)> =
            Activation::ALL.iter().map(|a| (*a, a.name())).collect();
        choice(ui, "Activation", &mut spec.model.activation, &activations);
        let l = ui.label("Bias init");
        ui.horizontal(|ui| bias_editor(ui, &mut spec.model.bias, l.id));
        ui.end_row();
    });
}

/// Zeros, a constant or a Gaussian draw (sigma_b): the same biases for every arm.
fn bias_editor(ui: &mut egui::Ui, bias: &mut BiasInit, label: egui::Id) {
    let kinds = [
        (BiasInit::ZEROS, "zeros"),
        (BiasInit::Constant(0.01), "constant"),
        (BiasInit::Normal(0.05), "normal"),
    ];
    let same_kind = |a: &BiasInit, b: &BiasInit| match (a, b) {
        (BiasInit::Constant(x), BiasInit::Constant(y)) => (*x == 0.0) == (*y == 0.0),
        (BiasInit::Normal(_), BiasInit::Normal(_)) => true,
        _ => false,
    };
    let current = kinds
        .iter()
        .find(|(k, _)| same_kind(k, bias))
        .map_or("zeros", |(_, n)| *n);
    egui::ComboBox::from_id_salt("bias-kind")
        .selected_text(current)
        .show_ui(ui, |ui| {
            for (k, name) in kinds {
                if ui.selectable_label(same_kind(&k, bias), name).clicked() && !same_kind(&k, bias)
                {
                    *bias = k;
                }
            }
        })
        .response
        .on_hover_text("the same biases for every arm; normal draws N(0, std^2) per repeat");
    match bias {
        BiasInit::Constant(c) if *c != 0.0 => {
            ui.add(egui::DragValue::new(c).speed(0.01))
                .labelled_by(label);
        }
        BiasInit::Normal(s) => {
            ui.label("std");
            ui.add(egui::DragValue::new(s).speed(0.01).range(0.0..=10.0))
                .labelled_by(label);
        }
        BiasInit::Constant(_) => {}
    }
}

fn training(spec: &mut StudySpec, ui: &mut egui::Ui) {
    ui.label(RichText::new("Training").strong());
    let t = &mut spec.train;
    egui::Grid::new("train-grid").num_columns(2).show(ui, |ui| {
        let kinds: Vec<(OptimizerKind, &str)> =
            OptimizerKind::ALL.iter().map(|k| (*k, k.name())).collect();
        choice(ui, "Optimizer", &mut t.optimizer.kind, &kinds);
        let params: Vec<(Parametrization, &str)> = Parametrization::ALL
            .iter()
            .map(|p| (*p, p.name()))
            .collect();
        choice(ui, "Parametrization", &mut t.parametrization, &params);
        if t.optimizer.kind == OptimizerKind::Momentum {
            let l = ui.label("Momentum");
            ui.horizontal(|ui| {
                ui.add(
                    egui::DragValue::new(&mut t.optimizer.momentum)
                        .range(Limits::MOMENTUM)
                        .clamp_existing_to_range(false)
                        .speed(0.01),
                )
                .labelled_by(l.id);
                ui.checkbox(&mut t.optimizer.nesterov, "Nesterov");
            });
            ui.end_row();
        }
        let l = ui.label("Learning rate");
        ui.add(
            egui::Slider::new(&mut t.lr, Limits::LR)
                .logarithmic(true)
                .clamping(egui::SliderClamping::Edits)
                .text("lr"),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Batch size");
        ui.add(
            egui::DragValue::new(&mut t.batch_size)
                .range(Limits::BATCH_SIZE)
                .clamp_existing_to_range(false),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Epochs");
        ui.add(
            egui::DragValue::new(&mut t.epochs)
                .range(Limits::EPOCHS)
                .clamp_existing_to_range(false),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Repeats per initializer");
        ui.add(
            egui::DragValue::new(&mut spec.repeats)
                .range(Limits::REPEATS)
                .clamp_existing_to_range(false),
        )
        .labelled_by(l.id);
        ui.end_row();
        repeat_mode(ui, &mut spec.repeat_mode, spec.repeats);
        let l = ui.label("Study seed");
        ui.add(egui::DragValue::new(&mut spec.seed))
            .labelled_by(l.id);
        ui.end_row();
    });
}

fn initializers(spec: &mut StudySpec, colors: &Colors, ui: &mut egui::Ui) {
    initializer_menus(spec, ui);
    initializer_rows(spec, colors, ui);
    if spec.initializers.is_empty() {
        ui.colored_label(
            Color32::from_rgb(200, 40, 40),
            "add at least one initializer",
        );
    }
    ui.label(
        RichText::new(format!(
            "{} networks will train side by side.",
            spec.initializers.len() * spec.repeats
        ))
        .weak(),
    );
}

/// The Presets and Add menus.
fn initializer_menus(spec: &mut StudySpec, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Initializers").strong());
        ui.menu_button("Presets", |ui| {
            for (name, list) in PRESETS {
                if ui.button(name).on_hover_text(list.join(", ")).clicked() {
                    spec.initializers = builtin(list);
                    ui.close();
                }
            }
        });
        ui.menu_button("Add", |ui| {
            for e in CATALOGUE {
                if ui
                    .button(e.example)
                    .on_hover_text(format!("{}\n{}", e.formula, e.source))
                    .clicked()
                {
                    if let Ok(init) = e.example.parse() {
                        spec.initializers.push(init);
                    }
                    ui.close();
                }
            }
        });
    });
}

/// One row per initializer: colour, name (formula on hover), parameter, move up, remove.
fn initializer_rows(spec: &mut StudySpec, colors: &Colors, ui: &mut egui::Ui) {
    let act = spec.model.activation;
    let mut remove = None;
    let mut move_up = None;
    for (i, init) in spec.initializers.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 2.0, colors.of(&init.to_string()));
            ui.label(init.to_string())
                .on_hover_text(describe(init, init.gain(act)));
            parameter(init, ui, i);
            if i > 0
                && ui
                    .small_button("up")
                    .on_hover_text("move up")
                    .accessible_name(format!("move {init} up"))
                    .clicked()
            {
                move_up = Some(i);
            }
            if remove_button(ui, &init.to_string()) {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = move_up {
        spec.initializers.swap(i - 1, i);
    }
    if let Some(i) = remove {
        spec.initializers.remove(i);
    }
}

/// What differs between repeats: nothing but the draw (seeds), the split, S splits crossed
/// with the repeats, or the fold. K and S keep their last value while another mode is chosen.
fn repeat_mode(ui: &mut egui::Ui, mode: &mut RepeatMode, repeats: usize) {
    let l = ui.label("Repeats vary");
    ui.horizontal(|ui| {
        let (mut k, mut s) = match *mode {
            RepeatMode::Folds(k) => (k, (repeats / 2).max(1)),
            RepeatMode::CrossedSplits(s) => (5, s),
            _ => (5, (repeats / 2).max(1)),
        };
        egui::ComboBox::from_id_salt("repeat-mode")
            .selected_text(mode_label(*mode))
            .show_ui(ui, |ui| {
                ui.selectable_value(mode, RepeatMode::Seeds, "weights only")
                    .on_hover_text("one train/validation split for the whole study");
                ui.selectable_value(mode, RepeatMode::Splits, "weights + split")
                    .on_hover_text("each repeat draws its own stratified split");
                ui.selectable_value(mode, RepeatMode::CrossedSplits(s), "weights × S splits")
                    .on_hover_text(
                        "S splits crossed with the repeats (repeat r uses split r mod S): the \
                         report shows how much of the spread comes from the split and how much \
                         from the initialization",
                    );
                ui.selectable_value(mode, RepeatMode::Folds(k), "weights + fold")
                    .on_hover_text("K-fold cross-validation: repeat r validates on fold r mod K");
            })
            .response
            .labelled_by(l.id);
        match mode {
            RepeatMode::Folds(_) => {
                ui.add(
                    egui::DragValue::new(&mut k)
                        .range(2..=RepeatMode::MAX_FOLDS)
                        .prefix("K = "),
                );
                *mode = RepeatMode::Folds(k);
            }
            RepeatMode::CrossedSplits(_) => {
                ui.add(
                    egui::DragValue::new(&mut s)
                        .range(1..=*Limits::REPEATS.end())
                        .clamp_existing_to_range(false)
                        .prefix("S = "),
                )
                .on_hover_text(
                    "at most the number of repeats; 2+ repeats per split separate the sources",
                );
                *mode = RepeatMode::CrossedSplits(s);
            }
            _ => {}
        }
    });
    ui.end_row();
}

fn mode_label(mode: RepeatMode) -> &'static str {
    match mode {
        RepeatMode::Seeds => "weights only",
        RepeatMode::Splits => "weights + split",
        RepeatMode::CrossedSplits(_) => "weights × S splits",
        RepeatMode::Folds(_) => "weights + fold",
    }
}

/// The editable parameter of an initializer, if it has one.
fn parameter(init: &mut Initializer, ui: &mut egui::Ui, i: usize) {
    let hover = "parameter";
    match init {
        Initializer::Constant(v) => {
            ui.add(egui::DragValue::new(v).speed(0.01))
                .on_hover_text(hover);
        }
        Initializer::Uniform(a) | Initializer::Normal(a) | Initializer::TruncNormal(a) => {
            let mut x = *a;
            if ui
                .add(
                    egui::DragValue::new(&mut x)
                        .speed(0.001)
                        .range(1e-6..=100.0),
                )
                .on_hover_text("scale")
                .changed()
            {
                *a = x.max(1e-6);
            }
        }
        Initializer::Sparse(k) => {
            ui.add(egui::DragValue::new(k).range(1..=10_000))
                .on_hover_text("non-zero inputs per unit");
        }
        Initializer::XavierUniform(g)
        | Initializer::XavierNormal(g)
        | Initializer::LecunUniform(g)
        | Initializer::LecunNormal(g)
        | Initializer::Orthogonal(g)
        | Initializer::Identity(g) => gain(g, ui, i),
        Initializer::KaimingUniform(g, mode) | Initializer::KaimingNormal(g, mode) => {
            gain(g, ui, i);
            let mut out = *mode == FanMode::FanOut;
            if ui.checkbox(&mut out, "fan-out").changed() {
                *mode = if out { FanMode::FanOut } else { FanMode::FanIn };
            }
        }
        Initializer::Zeros
        | Initializer::Ones
        | Initializer::PytorchDefault
        | Initializer::Lsuv => {}
    }
}

fn gain(g: &mut Gain, ui: &mut egui::Ui, i: usize) {
    let mut auto = *g == Gain::Auto;
    if ui
        .checkbox(&mut auto, "gain=auto")
        .on_hover_text(format!(
            "use calculate_gain of the activation (row {})",
            i + 1
        ))
        .changed()
    {
        *g = if auto { Gain::Auto } else { Gain::Default };
    }
}
