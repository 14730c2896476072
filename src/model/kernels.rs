//! The elementwise work of a layer as single passes over host slices: `y = act(z + bias)` and
//! its backward `dz = dy * act'(y)`.
//!
//! Why by hand: composed from tensor ops, tanh alone was a clamp, an `exp` and three
//! arithmetic passes forward, and as many again backward, each allocating a buffer, with glibc's
//! scalar `expf` inside. Here every activation is one branch-free loop the compiler vectorizes,
//! and every derivative is written in terms of the output `y`, so the backward pass needs no
//! saved pre-activation.

use crate::activation::{Activation, LEAKY_SLOPE};
use crate::multiversion;
use crate::simd::Arith;

const SELU_ALPHA: f32 = 1.673_263_2;
const SELU_SCALE: f32 = 1.050_701;

/// Whether `act` has a fused kernel. GELU's derivative is not a function of its output, so it
/// stays on composed tensor ops.
pub fn is_fused(act: Activation) -> bool {
    act != Activation::Gelu
}

multiversion! {
    /// `rows[r][j] = act(rows[r][j] + bias[j])` for every row of width `bias.len()`, in place.
    pub fn bias_act_forward(rows: &mut [f32], bias: &[f32], act: Activation) => forward
}

multiversion! {
    /// `grad[i] *= act'(z_i)`, with the derivative computed from the output `y[i] = act(z_i)`,
    /// adding each row of the result into `bias_grad` (rows of width `bias_grad.len()`): the
    /// bias gradient comes out of the same pass.
    pub fn act_backward(grad: &mut [f32], y: &[f32], act: Activation, bias_grad: &mut [f32]) => backward
}

#[inline(always)]
fn forward<M: Arith>(rows: &mut [f32], bias: &[f32], act: Activation) {
    let width = bias.len();
    if width == 0 {
        return;
    }
    // One loop per activation, with the match outside, so each loop body is branch-free.
    macro_rules! each {
        (|$v:ident| $body:expr) => {
            for row in rows.chunks_exact_mut(width) {
                for (x, &b) in row.iter_mut().zip(bias) {
                    let $v = *x + b;
                    *x = $body;
                }
            }
        };
    }
    match act {
        Activation::Tanh => each!(|v| tanh_with::<M>(v)),
        Activation::Sigmoid => each!(|v| 1.0 / (1.0 + exp_with::<M>(-v))),
        // NaN passes through, as in Burn's relu.
        Activation::Relu => each!(|v| if v > 0.0 || v.is_nan() { v } else { 0.0 }),
        Activation::LeakyRelu => each!(|v| if v > 0.0 { v } else { LEAKY_SLOPE * v }),
        Activation::Selu => each!(|v| if v > 0.0 {
            SELU_SCALE * v
        } else {
            SELU_SCALE * SELU_ALPHA * (exp_with::<M>(v) - 1.0)
        }),
        Activation::Softsign => each!(|v| v / (1.0 + v.abs())),
        // GELU is not fused: the bias is added here and GELU applied by Burn ops after.
        Activation::Identity | Activation::Gelu => each!(|v| v),
    }
}

#[inline(always)]
fn backward<M: Arith>(grad: &mut [f32], y: &[f32], act: Activation, bias_grad: &mut [f32]) {
    let width = bias_grad.len();
    if width == 0 {
        return;
    }
    macro_rules! each {
        (|$y:ident| $d:expr) => {
            for (g_row, y_row) in grad.chunks_exact_mut(width).zip(y.chunks_exact(width)) {
                for ((g, &$y), s) in g_row.iter_mut().zip(y_row).zip(bias_grad.iter_mut()) {
                    *g *= $d;
                    *s += *g;
                }
            }
        };
    }
    match act {
        Activation::Tanh => each!(|y| M::madd(-y, y, 1.0)),
        Activation::Sigmoid => each!(|y| y * (1.0 - y)),
        Activation::Relu => each!(|y| if y > 0.0 { 1.0 } else { 0.0 }),
        Activation::LeakyRelu => each!(|y| if y > 0.0 { 1.0 } else { LEAKY_SLOPE }),
        // y = s*a*(e^z - 1) for z <= 0, so dy/dz = s*a*e^z = y + s*a.
        Activation::Selu => each!(|y| if y > 0.0 {
            SELU_SCALE
        } else {
            y + SELU_SCALE * SELU_ALPHA
        }),
        // y = z / (1 + |z|) gives 1 - |y| = 1 / (1 + |z|), and dy/dz = (1 - |y|)^2.
        Activation::Softsign => each!(|y| {
            let s = 1.0 - y.abs();
            s * s
        }),
        Activation::Identity | Activation::Gelu => each!(|_y| 1.0),
    }
}

/// Clamps to `[lo, hi]` but lets NaN through, so a diverging arm still shows a non-finite loss
/// (`f32::clamp` would turn NaN into a bound).
#[inline(always)]
fn clamp_nan(v: f32, lo: f32, hi: f32) -> f32 {
    let v = if v < lo { lo } else { v };
    if v > hi { hi } else { v }
}

/// tanh as the odd 13/6 rational minimax approximation used by Eigen and XLA. Measured over
/// [-20, 20] in steps of 1e-4: within 4.3e-7 of the true value, absolute and relative (worst
/// near |x| = 5.8, about 7 float ulps); odd, so small inputs keep full relative accuracy.
#[inline(always)]
#[allow(clippy::excessive_precision)] // the published coefficients, digit for digit
fn tanh_with<M: Arith>(x: f32) -> f32 {
    let x = clamp_nan(x, -7.905_311_107_635_498, 7.905_311_107_635_498);
    let x2 = x * x;
    let mut p = -2.760_768_477_423_55e-16_f32;
    p = M::madd(p, x2, 2.000_187_904_824_77e-13);
    p = M::madd(p, x2, -8.604_671_522_137_35e-11);
    p = M::madd(p, x2, 5.122_297_090_371_14e-8);
    p = M::madd(p, x2, 1.485_722_357_179_79e-5);
    p = M::madd(p, x2, 6.372_619_288_754_36e-4);
    p = M::madd(p, x2, 4.893_524_558_917_86e-3);
    let mut q = 1.198_258_394_667_02e-6_f32;
    q = M::madd(q, x2, 1.185_347_056_866_54e-4);
    q = M::madd(q, x2, 2.268_434_632_439_00e-3);
    q = M::madd(q, x2, 4.893_525_185_543_85e-3);
    x * p / q
}

/// e^x for the activations that need it: Cephes' range reduction `x = n ln2 + r` and a degree-6
/// polynomial in `r`, rounding with the 1.5 * 2^23 trick instead of a `round` call, so the loop
/// vectorizes with baseline SSE2. Inputs are clamped to the range where e^x is a normal float.
#[inline(always)]
#[allow(clippy::excessive_precision)] // Cephes' coefficients, digit for digit
fn exp_with<M: Arith>(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23
    let x = clamp_nan(x, -87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    // ln 2 = 0.693359375 - 2.12194440e-4, the first part short enough that n * it is exact.
    let r = M::madd(n, 2.121_944_40e-4, M::madd(n, -0.693_359_375, x));
    let mut p = 1.987_569_150_0e-4_f32;
    p = M::madd(p, r, 1.398_199_950_7e-3);
    p = M::madd(p, r, 8.333_451_907_3e-3);
    p = M::madd(p, r, 4.166_579_589_4e-2);
    p = M::madd(p, r, 1.666_666_545_9e-1);
    p = M::madd(p, r, 5.000_000_120_1e-1);
    let e = M::madd(p, r * r, r + 1.0);
    // 2^n built from its exponent bits; n is in [-126, 127] after the clamp. A NaN input gives
    // n = NaN, which casts to 0, and e stays NaN.
    e * f32::from_bits((((n as i32) + 127) << 23) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Plain;

    fn tanh(x: f32) -> f32 {
        tanh_with::<Plain>(x)
    }

    fn exp(x: f32) -> f32 {
        exp_with::<Plain>(x)
    }

    fn grid() -> impl Iterator<Item = f32> {
        (-200_000..=200_000).map(|i| i as f32 * 1e-4)
    }

    #[test]
    fn tanh_is_within_float_rounding_of_f64() {
        let xs: Vec<f32> = grid()
            .chain([1e-30, -1e-8, 30.0, -1e4, f32::INFINITY])
            .collect();
        // The baseline version, and the kernel as dispatched on this CPU (FMA where present).
        let mut fused = xs.clone();
        bias_act_forward(&mut fused, &[0.0], Activation::Tanh);
        for (name, ys) in [
            ("plain", xs.iter().map(|&x| tanh(x)).collect()),
            ("kernel", fused),
        ] {
            let ys: Vec<f32> = ys;
            let worst = xs
                .iter()
                .zip(&ys)
                .map(|(&x, &y)| (y as f64 - (x as f64).tanh()).abs())
                .fold(0.0, f64::max);
            assert!(worst < 5e-7, "{name}: max |error| {worst}");
        }
        assert!(tanh(f32::NAN).is_nan());
        assert_eq!(tanh(-0.0), 0.0);
    }

    #[test]
    fn exp_has_small_relative_error() {
        let mut worst = 0.0f64;
        for x in grid().map(|x| x * 4.0) {
            let truth = (x as f64).exp();
            worst = worst.max((exp(x) as f64 - truth).abs() / truth);
        }
        assert!(worst < 4e-7, "max relative error {worst}");
        assert!(exp(f32::NAN).is_nan());
        assert!(exp(-1e4) >= 0.0 && exp(-1e4) < 1e-37);
        assert!(exp(1e4).is_finite());
    }

    #[test]
    fn fused_forward_and_backward_match_the_reference() {
        type Fwd = fn(&mut [f32], &[f32], Activation);
        type Bwd = fn(&mut [f32], &[f32], Activation, &mut [f32]);
        // The kernels as dispatched on this CPU, and the baseline build every CPU can run.
        let versions: [(&str, Fwd, Bwd); 2] = [
            ("dispatched", bias_act_forward, act_backward),
            ("plain", forward::<Plain>, backward::<Plain>),
        ];
        let bias = [0.5f32, -1.0, 0.0];
        let z: Vec<f32> = (0..60).map(|i| (i as f32 - 30.0) * 0.21).collect();
        for (name, fwd, bwd) in versions {
            for act in Activation::ALL.into_iter().filter(|&a| is_fused(a)) {
                let mut y = z.clone();
                fwd(&mut y, &bias, act);
                let mut g = vec![1.0f32; z.len()];
                let mut db = [0.0f32; 3];
                bwd(&mut g, &y, act, &mut db);
                for (j, s) in db.iter().enumerate() {
                    let rows: f32 = g.iter().skip(j).step_by(3).sum();
                    assert!((s - rows).abs() < 1e-5, "{name} {act} bias gradient {j}");
                }
                for (i, &zi) in z.iter().enumerate() {
                    let v = zi + bias[i % 3];
                    assert!(
                        (y[i] - act.apply(v)).abs() < 1e-6,
                        "{name} {act} forward at {v}"
                    );
                    let h = 1e-3f32;
                    let numeric =
                        (act.apply(v + h) as f64 - act.apply(v - h) as f64) / (2.0 * h as f64);
                    assert!(
                        (g[i] as f64 - numeric).abs() < 2e-3,
                        "{name} {act} derivative at {v}: {} vs {numeric}",
                        g[i]
                    );
                }
            }
        }
    }
}
