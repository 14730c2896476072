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
                let dot: f64 = (0..long).map(|i| q[p * long + i] * q[j * long + i]).sum();
                for i in 0..long {
                    q[j * long + i] -= dot * q[p * long + i];
                }
            }
        }
        let norm = (0..long)
            .map(|i| q[j * long + i].powi(2))
            .sum::<f64>()
            .sqrt();
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
