//! The input-output Jacobian J(x) = dh^L/dx of an arm at initialization and its singular values.
//!
//! Dynamical isometry (Saxe et al. 2013; Pennington, Schoenholz & Ganguli 2017): a network
//! trains fast when all singular values of J are near 1, not merely their mean square (which is
//! what chi_1 = 1 fixes). With free probability Pennington et al. find, at criticality, the
//! variance of the squared singular values adds up layer by layer: each Gaussian weight matrix
//! contributes 1 (Marchenko–Pastur), an orthogonal one 0, and each ReLU derivative mask 1 (half
//! of its entries are 0). Hence ReLU: about 2L with Gaussian and L with orthogonal weights; a
//! linear orthogonal network is an exact isometry.

use serde::{Deserialize, Serialize};

use super::TheoryError;
use super::linalg::gram_eigenvalues;
use super::nonlinearity::dphi;
use super::propagation::layer_dims;
use crate::activation::Activation;
use crate::init::ArmWeights;

/// The singular values of one Jacobian.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JacobianSpectrum {
    /// min(n_in, n_out) singular values, largest first.
    pub singular_values: Vec<f64>,
    /// Mean of s^2 (= ||J||_F^2 / min(n_in, n_out)).
    pub mean_sq: f64,
    /// Population variance of s^2.
    pub var_sq: f64,
    pub s_max: f64,
}

impl JacobianSpectrum {
    /// The spectrum of these singular values.
    pub fn from_singular_values(mut s: Vec<f64>) -> Self {
        s.sort_by(|a, b| b.total_cmp(a));
        let n = s.len().max(1) as f64;
        let mean_sq = s.iter().map(|v| v * v).sum::<f64>() / n;
        let var_sq = s.iter().map(|v| (v * v - mean_sq).powi(2)).sum::<f64>() / n;
        Self {
            s_max: s.first().copied().unwrap_or(0.0),
            singular_values: s,
            mean_sq,
            var_sq,
        }
    }

    /// All singular values of several spectra (several inputs or draws) as one spectrum.
    pub fn pooled(spectra: &[JacobianSpectrum]) -> Self {
        Self::from_singular_values(
            spectra
                .iter()
                .flat_map(|s| s.singular_values.iter().copied())
                .collect(),
        )
    }

    /// var(s^2) / mean(s^2)^2: the spread free of the overall scale, which is what Pennington et
    /// al.'s 2L and L describe (at criticality mean(s^2) = 1).
    pub fn normalized_var(&self) -> f64 {
        if self.mean_sq > 0.0 {
            self.var_sq / (self.mean_sq * self.mean_sq)
        } else {
            0.0
        }
    }
}

/// J(x) = dh^L/dx at the input `x` (length n_in), row-major `[n_out, n_in]`. The product
/// W^L D^(L-1) ... D^1 W^1 with D^l = diag(phi'(h^l)) is built forward from the input side.
pub fn jacobian(
    arm: &ArmWeights,
    activation: Activation,
    x: &[f32],
) -> Result<Vec<f64>, TheoryError> {
    let dims = layer_dims(arm)?;
    let n_in = dims[0];
    if x.len() != n_in {
        return Err(TheoryError::Dimensions(format!(
            "the input has {} values, the network takes {n_in}",
            x.len()
        )));
    }
    let mut h: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    // jt = J^T of the layers so far, [n_in, width].
    let mut jt: Vec<f64> = vec![0.0; n_in * n_in];
    (0..n_in).for_each(|i| jt[i * n_in + i] = 1.0);
    let layers = arm.weights.len();
    for l in 0..layers {
        let (fan_in, fan_out) = (dims[l], dims[l + 1]);
        if l > 0 {
            let d: Vec<f64> = h.iter().map(|&z| dphi(activation, z)).collect();
            jt.chunks_mut(fan_in)
                .for_each(|row| row.iter_mut().zip(&d).for_each(|(v, di)| *v *= di));
            h.iter_mut()
                .for_each(|z| *z = super::nonlinearity::phi(activation, *z));
        }
        h = super::linalg::affine(&h, 1, &arm.weights[l], &arm.biases[l]);
        jt = super::linalg::affine(&jt, n_in, &arm.weights[l], &vec![0.0; fan_out]);
    }
    let n_out = dims[layers];
    let mut j = vec![0.0; n_out * n_in];
    for i in 0..n_in {
        for o in 0..n_out {
            j[o * n_in + i] = jt[i * n_out + o];
        }
    }
    Ok(j)
}

/// The singular values of J(x).
pub fn jacobian_spectrum(
    arm: &ArmWeights,
    activation: Activation,
    x: &[f32],
) -> Result<JacobianSpectrum, TheoryError> {
    let j = jacobian(arm, activation, x)?;
    let n_in = x.len();
    let n_out = j.len().checked_div(n_in).unwrap_or(0);
    // Rotate the shorter side's rows: J J^T if n_out <= n_in, else J^T J.
    let eig = if n_out <= n_in {
        gram_eigenvalues(&j, n_out, n_in)
    } else {
        let mut jt = vec![0.0; j.len()];
        for o in 0..n_out {
            for i in 0..n_in {
                jt[i * n_out + o] = j[o * n_in + i];
            }
        }
        gram_eigenvalues(&jt, n_in, n_out)
    };
    Ok(JacobianSpectrum::from_singular_values(
        eig.into_iter().map(|e| e.max(0.0).sqrt()).collect(),
    ))
}
