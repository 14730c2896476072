//! Closed forms for the positively homogeneous activations phi(x) = x (x > 0), a x (x <= 0):
//! ReLU (a = 0), leaky ReLU, identity (a = 1). With u1, u2 ~ N(0, q) correlated by c,
//!
//! E[phi(u1) phi(u2)]   = q (a c + (1 - a)^2 k1(c)),
//! E[phi'(u1) phi'(u2)] =    a   + (1 - a)^2 k0(c),
//!
//! where k0(c) = (pi - arccos c) / (2 pi) and k1(c) = (sqrt(1 - c^2) + (pi - arccos c) c) /
//! (2 pi) are the arc-cosine kernels of degree 0 and 1 (Cho & Saul 2009), the ReLU case; the
//! leaky terms follow from phi(x) = a x + (1 - a) relu(x) and E[u1 relu(u2)] = q c / 2.
//! These are exact, unlike any quadrature of a kinked integrand, so production uses them.

use std::f64::consts::PI;

/// k0(c).
pub fn k0(c: f64) -> f64 {
    let c = c.clamp(-1.0, 1.0);
    (PI - c.acos()) / (2.0 * PI)
}

/// k1(c).
pub fn k1(c: f64) -> f64 {
    let c = c.clamp(-1.0, 1.0);
    ((1.0 - c * c).sqrt() + (PI - c.acos()) * c) / (2.0 * PI)
}

/// E[phi(u1) phi(u2)] / q for slope `a`: the normalised kernel kappa(c).
pub fn kappa(a: f64, c: f64) -> f64 {
    a * c + (1.0 - a).powi(2) * k1(c)
}

/// E[phi'(u1) phi'(u2)] = kappa'(c).
pub fn kappa_prime(a: f64, c: f64) -> f64 {
    a + (1.0 - a).powi(2) * k0(c)
}

/// E[phi(u)^2] / q = E[phi'(u)^2] = (1 + a^2) / 2.
pub fn gain(a: f64) -> f64 {
    (1.0 + a * a) / 2.0
}
