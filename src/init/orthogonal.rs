//! Orthogonal initialization (Saxe, McClelland & Ganguli 2013).

use rand::Rng;

use super::draw::normal;

/// A `[fan_in, fan_out]` matrix with orthonormal rows or columns (whichever are fewer), times
/// `gain`: the Q of a Gaussian matrix's QR decomposition.
///
/// Q comes from Gram-Schmidt, run twice for accuracy in f64. Gram-Schmidt yields R with a positive
/// diagonal, which is exactly the sign fix of Mezzadri (2007) (`Q *= sign(diag(R))` after a
/// Householder QR): without it Q is not Haar-distributed.
pub fn orthogonal<R: Rng>(fan_in: usize, fan_out: usize, gain: f32, rng: &mut R) -> Vec<f32> {
    let (long, short) = (fan_in.max(fan_out), fan_in.min(fan_out));
    if short == 0 {
        return Vec::new();
    }
    // `short` column vectors of length `long`, stored column by column.
    let mut q: Vec<f64> = normal(long * short, 1.0, rng)
        .into_iter()
        .map(f64::from)
        .collect();
    for j in 0..short {
        for _pass in 0..2 {
            for p in 0..j {
                let (before, rest) = q.split_at_mut(j * long);
                let (qp, qj) = (&before[p * long..(p + 1) * long], &mut rest[..long]);
                let d = dot(qp, qj);
                for (x, y) in qj.iter_mut().zip(qp) {
                    *x -= d * y;
                }
            }
        }
        let col = &q[j * long..(j + 1) * long];
        let norm = dot(col, col).sqrt();
        // A Gaussian column is dependent on the others with probability zero; guard anyway.
        let norm = if norm > 1e-300 { norm } else { 1.0 };
        for i in 0..long {
            q[j * long + i] /= norm;
        }
    }
    let mut w = vec![0.0f32; fan_in * fan_out];
    for j in 0..short {
        for i in 0..long {
            let v = (q[j * long + i] * gain as f64) as f32;
            if fan_in >= fan_out {
                // Columns of W are orthonormal: W^T W = I.
                w[i * fan_out + j] = v;
            } else {
                // Rows of W are orthonormal: W W^T = I.
                w[j * fan_out + i] = v;
            }
        }
    }
    w
}

/// `a . b` with eight running sums: one sum waits on every add in turn, which made this
/// initializer a visible share of a deep sweep's time.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}
