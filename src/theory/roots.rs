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

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::illinois;

    #[test]
    fn converges_superlinearly_on_a_smooth_root() {
        // Bisection needs 41 halvings to shrink [0, 2] to 1e-12; false position with the
        // Illinois halving needs a handful, and plain false position stalls on one side. x^2 - 2
        // is never exactly 0 in f64, so only the bracket width can stop the search.
        let calls = Cell::new(0);
        let f = |x: f64| {
            calls.set(calls.get() + 1);
            x * x - 2.0
        };
        let root = illinois(f, 0.0, 2.0, 1e-12);
        assert!((root - 2f64.sqrt()).abs() < 1e-12, "{root}");
        assert!(calls.get() <= 15, "{} evaluations", calls.get());
    }

    #[test]
    fn falls_back_to_bisection_when_the_secant_leaves_the_bracket() {
        // f(1e-3) = -1e300 puts the secant point on b = 2 in floating point; without the
        // fallback the bracket would never move and b would come back.
        let steep = |x: f64| 1.0 - x.powi(-100);
        assert!((illinois(steep, 1e-3, 2.0, 1e-12) - 1.0).abs() < 1e-9);
        // f(0) = -inf makes the secant point NaN.
        assert!((illinois(f64::ln, 0.0, 3.0, 1e-12) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_bracket_already_within_tolerance_returns_its_better_end() {
        assert_eq!(illinois(|x| x - 0.3, 0.0, 1.0, 2.0), 0.0);
        assert_eq!(illinois(|x| x - 0.7, 0.0, 1.0, 2.0), 1.0);
        assert_eq!(illinois(|x| x - 0.7, 1.0, 0.0, 2.0), 1.0);
    }

    #[test]
    fn an_end_that_is_a_root_comes_back_exactly() {
        assert_eq!(illinois(|x| x - 1.0, 1.0, 3.0, 1e-12), 1.0);
        assert_eq!(illinois(|x| x - 3.0, 1.0, 3.0, 1e-12), 3.0);
    }
}
