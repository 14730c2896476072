//! The catalogue as users read it: formula, defaults and source of every scheme, shown by
//! `initlab list`, the UI's tooltips and the report.

use super::spec::Initializer;

/// One scheme as documented to users.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub syntax: &'static str,
    pub formula: &'static str,
    pub source: &'static str,
    /// A representative value, for presets and the UI's "add" menu.
    pub example: &'static str,
}

pub const CATALOGUE: [Entry; 17] = [
    Entry {
        syntax: "zeros",
        formula: "W = 0",
        source: "the symmetric baseline: every hidden unit stays identical",
        example: "zeros",
    },
    Entry {
        syntax: "ones",
        formula: "W = 1",
        source: "a symmetric baseline",
        example: "ones",
    },
    Entry {
        syntax: "constant:V",
        formula: "W = V",
        source: "a symmetric baseline",
        example: "constant:0.1",
    },
    Entry {
        syntax: "uniform:A",
        formula: "W ~ U(-A, A)",
        source: "plain random init",
        example: "uniform:0.05",
    },
    Entry {
        syntax: "normal:STD",
        formula: "W ~ N(0, STD^2)",
        source: "plain random init",
        example: "normal:0.01",
    },
    Entry {
        syntax: "trunc-normal:STD",
        formula: "W ~ N(0, STD^2), draws beyond +-2 STD redrawn",
        source: "Keras TruncatedNormal (PyTorch's trunc_normal_ bounds are absolute, not in STD units)",
        example: "trunc-normal:0.05",
    },
    Entry {
        syntax: "xavier-uniform[:gain=G]",
        formula: "W ~ U(-a, a), a = G * sqrt(6 / (fan_in + fan_out)); G = 1",
        source: "Glorot & Bengio 2010",
        example: "xavier-uniform",
    },
    Entry {
        syntax: "xavier-normal[:gain=G]",
        formula: "W ~ N(0, G^2 * 2 / (fan_in + fan_out)); G = 1",
        source: "Glorot & Bengio 2010",
        example: "xavier-normal",
    },
    Entry {
        syntax: "kaiming-uniform[:mode=fan-in|fan-out,gain=G]",
        formula: "W ~ U(-a, a), a = G * sqrt(3 / fan); G = sqrt 2, fan = fan_in",
        source: "He, Zhang, Ren & Sun 2015",
        example: "kaiming-uniform",
    },
    Entry {
        syntax: "kaiming-normal[:mode=fan-in|fan-out,gain=G]",
        formula: "W ~ N(0, G^2 / fan); G = sqrt 2, fan = fan_in",
        source: "He, Zhang, Ren & Sun 2015",
        example: "kaiming-normal",
    },
    Entry {
        syntax: "lecun-uniform",
        formula: "W ~ U(-a, a), a = sqrt(3 / fan_in)",
        source: "LeCun, Bottou, Orr & Mueller 1998",
        example: "lecun-uniform",
    },
    Entry {
        syntax: "lecun-normal",
        formula: "W ~ N(0, 1 / fan_in)",
        source: "LeCun, Bottou, Orr & Mueller 1998",
        example: "lecun-normal",
    },
    Entry {
        syntax: "orthogonal[:gain=G]",
        formula: "W = G * Q, Q from the QR of a Gaussian matrix with R's diagonal made positive; G = 1",
        source: "Saxe, McClelland & Ganguli 2013; sign fix of Mezzadri 2007",
        example: "orthogonal",
    },
    Entry {
        syntax: "identity[:gain=G]",
        formula: "W = G * I (rectangular); G = 1",
        source: "Le, Jaitly & Hinton 2015",
        example: "identity",
    },
    Entry {
        syntax: "sparse:K",
        formula: "each unit: K incoming weights ~ N(0, 1) on random inputs, the rest 0",
        source: "Martens 2010",
        example: "sparse:15",
    },
    Entry {
        syntax: "pytorch-default",
        formula: "W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))",
        source: "PyTorch nn.Linear's default (kaiming_uniform_ with a = sqrt 5)",
        example: "pytorch-default",
    },
    Entry {
        syntax: "lsuv",
        formula: "orthogonal, then each layer scaled by 1/sqrt(Var(output)) on a training batch until |Var - 1| <= 0.1 (at most 10 times)",
        source: "Mishkin & Matas 2015",
        example: "lsuv",
    },
];

/// The catalogue entry documenting `init`.
pub fn entry(init: &Initializer) -> &'static Entry {
    let name = init.name();
    CATALOGUE
        .iter()
        .find(|e| e.syntax.split([':', '[']).next() == Some(name))
        .unwrap_or(&CATALOGUE[0])
}

/// "xavier-uniform: W ~ U(-a, a), ... (Glorot & Bengio 2010)", with the gain actually used.
pub fn describe(init: &Initializer, gain: f32) -> String {
    let e = entry(init);
    let uses_gain = e.syntax.contains("gain");
    if uses_gain {
        format!(
            "{init}: {} [gain used: {gain:.4}] ({})",
            e.formula, e.source
        )
    } else {
        format!("{init}: {} ({})", e.formula, e.source)
    }
}
