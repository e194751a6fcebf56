//! Compares the crate's outputs with the reference within DESIGN.md's tolerances.

use lossfit::Real;
use ndarray::ArrayD;

use super::case::TensorJson;

/// Absolute and relative tolerance of a dtype: `|a - b| <= atol + rtol * |b|`.
pub(crate) fn tolerance(dtype: &str) -> (f64, f64) {
    if dtype == "float32" {
        (1e-6, 1e-5)
    } else {
        (1e-12, 1e-9)
    }
}

/// The worst relative error seen, counted where the relative term dominates the tolerance.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ErrorStats {
    pub(crate) max_rel: f64,
}

/// Checks one tensor; returns a description of the first mismatches, if any.
pub(crate) fn check_tensor<T: Real>(
    what: &str,
    actual: &ArrayD<T>,
    expected: &TensorJson,
    (atol, rtol): (f64, f64),
    stats: &mut ErrorStats,
) -> Result<(), String> {
    if actual.shape() != expected.shape.as_slice() {
        return Err(format!(
            "{what}: shape {:?}, expected {:?}",
            actual.shape(),
            expected.shape
        ));
    }
    let expected = expected.floats().map_err(|e| format!("{what}: {e}"))?;
    let mut bad = Vec::new();
    for (i, (a, &b)) in actual.iter().map(|a| a.to_f64()).zip(&expected).enumerate() {
        let ok = if b.is_nan() {
            a.is_nan()
        } else if b.is_infinite() {
            a == b
        } else {
            let err = (a - b).abs();
            if b.abs() * rtol > atol && err.is_finite() {
                stats.max_rel = stats.max_rel.max(err / b.abs());
            }
            err <= atol + rtol * b.abs()
        };
        if !ok {
            bad.push(format!("[{i}] {a:e} vs expected {b:e}"));
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        let shown: Vec<_> = bad.iter().take(4).cloned().collect();
        Err(format!(
            "{what}: {} of {} entries differ: {}",
            bad.len(),
            expected.len(),
            shown.join(", ")
        ))
    }
}
