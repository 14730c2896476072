//! The little dense linear algebra the measurements need, in f64 on the host: an affine layer and
//! cyclic Jacobi eigenvalues (stable and simple; ample for matrices up to a few hundred).

/// `x [rows, fan_in] @ w [fan_in, fan_out] + b` with initlab's row-major f32 weights.
pub fn affine(x: &[f64], rows: usize, w: &[f32], b: &[f32]) -> Vec<f64> {
    let fan_out = b.len();
    let fan_in = w.len().checked_div(fan_out).unwrap_or(0);
    let mut out = Vec::with_capacity(rows * fan_out);
    for r in 0..rows {
        let start = out.len();
        out.extend(b.iter().map(|&v| f64::from(v)));
        let o = &mut out[start..];
        for (i, &xi) in x[r * fan_in..(r + 1) * fan_in].iter().enumerate() {
            if xi != 0.0 {
                for (oj, &wij) in o.iter_mut().zip(&w[i * fan_out..(i + 1) * fan_out]) {
                    *oj += xi * f64::from(wij);
                }
            }
        }
    }
    out
}

/// `a [rows, k] @ w^T` for `w [n, k]` row-major f32: `out[r][i] = sum_j a[r][j] w[i][j]`.
pub fn times_transpose(a: &[f64], rows: usize, w: &[f32], n: usize) -> Vec<f64> {
    let k = w.len().checked_div(n).unwrap_or(0);
    let mut out = vec![0.0; rows * n];
    for r in 0..rows {
        let ar = &a[r * k..(r + 1) * k];
        for (i, o) in out[r * n..(r + 1) * n].iter_mut().enumerate() {
            *o = ar
                .iter()
                .zip(&w[i * k..(i + 1) * k])
                .map(|(&x, &y)| x * f64::from(y))
                .sum();
        }
    }
    out
}

/// Eigenvalues of `a a^T` for `a [rows, cols]` row-major, in decreasing order: one-sided cyclic
/// Jacobi (Hestenes 1958). Each rotation of two rows of `a` is the Jacobi rotation that zeroes one
/// off-diagonal entry of `a a^T`, so this is cyclic Jacobi on `a a^T` without forming it, with
/// contiguous row access and high relative accuracy; at convergence the rows are orthogonal and
/// their squared norms are the eigenvalues (the squared singular values of `a`).
pub fn gram_eigenvalues(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut a = a.to_vec();
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..rows {
            for q in p + 1..rows {
                rotated |= rotate_rows(&mut a, cols, p, q);
            }
        }
        if !rotated {
            break;
        }
    }
    let mut eig: Vec<f64> = (0..rows)
        .map(|r| a[r * cols..(r + 1) * cols].iter().map(|v| v * v).sum())
        .collect();
    eig.sort_by(|x, y| y.total_cmp(x));
    eig
}

/// Rotates rows p and q so they become orthogonal; false when they already are (to 1e-15).
fn rotate_rows(a: &mut [f64], cols: usize, p: usize, q: usize) -> bool {
    let (head, tail) = a.split_at_mut(q * cols);
    let (rp, rq) = (&mut head[p * cols..(p + 1) * cols], &mut tail[..cols]);
    let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
    for (x, y) in rp.iter().zip(rq.iter()) {
        alpha += x * x;
        beta += y * y;
        gamma += x * y;
    }
    if gamma == 0.0 || gamma.abs() <= 1e-15 * (alpha * beta).sqrt() {
        return false;
    }
    let zeta = (beta - alpha) / (2.0 * gamma);
    let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
    let c = 1.0 / (1.0 + t * t).sqrt();
    let s = c * t;
    for (x, y) in rp.iter_mut().zip(rq.iter_mut()) {
        let (xv, yv) = (*x, *y);
        *x = c * xv - s * yv;
        *y = s * xv + c * yv;
    }
    true
}

/// Eigenvalues of the symmetric `a [n, n]` (row-major), in decreasing order: two-sided cyclic
/// Jacobi, for small matrices.
pub fn symmetric_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let mut a = a.to_vec();
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        let diag: f64 = (0..n).map(|i| a[i * n + i].powi(2)).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                jacobi_rotate(&mut a, n, p, q);
            }
        }
    }
    let mut eig: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    eig.sort_by(|x, y| y.total_cmp(x));
    eig
}

/// One two-sided rotation zeroing a[p][q] (Golub & Van Loan, Algorithm 8.5.1).
fn jacobi_rotate(a: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = a[p * n + q];
    if apq == 0.0 {
        return;
    }
    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        let (akp, akq) = (a[k * n + p], a[k * n + q]);
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for k in 0..n {
        let (apk, aqk) = (a[p * n + k], a[q * n + k]);
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
}
