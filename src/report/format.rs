//! How numbers read in the report, the app's tables and the CLI: one home, so the same value is
//! written the same way wherever it appears.

/// Three significant digits, switching to scientific notation for very small or large values.
pub fn num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{x:.2e}")
    } else {
        let digits = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// `mean ± std` with [`num`], the mean alone when there is no spread (one repeat), or a dash
/// when there is no mean (every repeat diverged).
pub fn pm(mean: Option<f64>, std: Option<f64>) -> String {
    match (mean, std) {
        // A spread below 1e-9 of the mean is rounding noise of identical runs (zeros init gives
        // the same loss every repeat up to 1e-17): say 0 rather than "± 6.80e-17".
        (Some(m), Some(s)) if s <= 1e-9 * m.abs() => format!("{} ± 0", num(m)),
        (Some(m), Some(s)) => format!("{} ± {}", num(m), num(s)),
        (Some(m), None) => num(m),
        _ => "—".into(),
    }
}

/// A p-value as a reader wants it: a bound below 0.01, two decimals above.
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else if p < 0.01 {
        "p < 0.01".into()
    } else if p < 0.1 {
        // Near the 5% line two decimals would print 0.0502 as "0.05".
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

/// A ratio between two losses: whole above 10, where decimals would be noise.
pub(super) fn ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}")
    }
}

/// `350`, or `10^11` for large factors.
pub(super) fn fold(x: f64) -> String {
    if x < 1e4 {
        format!("{x:.0}")
    } else {
        format!("10^{:.0}", x.log10())
    }
}

/// `1 repeat`, `3 repeats`.
pub(super) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
