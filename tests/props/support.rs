//! Shared strategies and checks for the property tests.

use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Arrays of `shape` with entries uniform in `lo..hi`.
pub(crate) fn array(
    shape: &[usize],
    lo: f64,
    hi: f64,
) -> impl Strategy<Value = ArrayD<f64>> + use<> {
    let shape = shape.to_vec();
    let len = shape.iter().product::<usize>();
    proptest::collection::vec(lo..hi, len)
        .prop_map(move |data| ArrayD::from_shape_vec(IxDyn(&shape), data).expect("length fits"))
}

/// Central finite-difference gradient of `f` at `x` (step `h` relative to each entry's size).
pub(crate) fn numeric_grad(f: impl Fn(&ArrayD<f64>) -> f64, x: &ArrayD<f64>) -> ArrayD<f64> {
    let mut grad = ArrayD::zeros(x.raw_dim());
    let mut probe = x.clone();
    for (i, g) in grad.iter_mut().enumerate() {
        let xi = x.as_slice().expect("standard layout")[i];
        let h = 1e-6 * xi.abs().max(1.0);
        probe.as_slice_mut().expect("standard layout")[i] = xi + h;
        let up = f(&probe);
        probe.as_slice_mut().expect("standard layout")[i] = xi - h;
        let down = f(&probe);
        probe.as_slice_mut().expect("standard layout")[i] = xi;
        *g = (up - down) / (2.0 * h);
    }
    grad
}

/// Fails unless the analytic gradient matches finite differences of `f` at `x`.
///
/// `f` must be smooth near `x`; strategies keep samples away from kinks.
pub(crate) fn check_grad(
    what: &str,
    f: impl Fn(&ArrayD<f64>) -> f64,
    x: &ArrayD<f64>,
    analytic: &ArrayD<f64>,
) -> Result<(), TestCaseError> {
    let numeric = numeric_grad(f, x);
    prop_assert_eq!(
        analytic.shape(),
        numeric.shape(),
        "{}: gradient shape",
        what
    );
    for (i, (a, n)) in analytic.iter().zip(numeric.iter()).enumerate() {
        prop_assert!(
            (a - n).abs() <= 1e-5 + 1e-4 * n.abs(),
            "{what}: d/dx[{i}] analytic {a:e} vs finite difference {n:e}"
        );
    }
    Ok(())
}

/// Fails unless `total` equals the sum of `parts` to rounding.
pub(crate) fn check_sum(what: &str, total: f64, parts: &ArrayD<f64>) -> Result<(), TestCaseError> {
    let expected: f64 = parts.iter().sum();
    prop_assert!(
        (total - expected).abs() <= 1e-9 * (1.0 + expected.abs()),
        "{what}: Sum {total} != sum of None {expected}"
    );
    Ok(())
}

/// Fails if any value is negative (NaN included).
pub(crate) fn check_non_negative(what: &str, values: &ArrayD<f64>) -> Result<(), TestCaseError> {
    for v in values {
        prop_assert!(*v >= 0.0, "{what}: negative loss {v}");
    }
    Ok(())
}
