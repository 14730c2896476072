//! One-dimensional root finding on a bracket: the Illinois variant of false position, which keeps
//! the bracket (so it cannot jump to another root) and still converges superlinearly.

/// A root of `f` in [a, b], where f(a) and f(b) differ in sign (or one is 0), to within `tol`.
pub fn illinois(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, tol: f64) -> f64 {
    let (mut fa, mut fb) = (f(a), f(b));
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let mut side = 0i8;
    for _ in 0..200 {
        if (b - a).abs() <= tol {
            break;
        }
        let mut x = (a * fb - b * fa) / (fb - fa);
        if !x.is_finite() || x <= a.min(b) || x >= a.max(b) {
            x = 0.5 * (a + b);
        }
        let fx = f(x);
        if fx == 0.0 {
            return x;
        }
        if (fx > 0.0) == (fb > 0.0) {
            b = x;
            fb = fx;
            if side == -1 {
                fa /= 2.0;
            }
            side = -1;
        } else {
            a = x;
            fa = fx;
            if side == 1 {
                fb /= 2.0;
            }
            side = 1;
        }
    }
    if fa.abs() < fb.abs() { a } else { b }
}
