//! Support for the code `#[derive(ModelOutput)]` generates. Not a public API.

pub use ndarray;

use ndarray::{Array, ArrayD, Dimension};

use crate::{LossError, Real, Result};

/// Scales a head's gradient and gives it the head's own array type.
///
/// # Errors
/// Never for heads whose type the derive accepted; a shape error otherwise.
pub fn head_grad<T: Real, D: Dimension>(
    head: &'static str,
    mut grad: ArrayD<T>,
    scale: f64,
) -> Result<Array<T, D>> {
    let shape = grad.shape().to_vec();
    if scale != 1.0 {
        grad.mapv_inplace(|g| T::from_f64(g.to_f64() * scale));
    }
    grad.into_dimensionality::<D>()
        .map_err(|_| LossError::Shape {
            loss: head,
            arg: "gradient",
            found: shape,
            expected: "the head's declared dimensionality".to_string(),
            fix: "this is a bug in the derive: please report it".to_string(),
        })
}

/// `sum(scale * value)` in f64, rounded once.
#[must_use]
pub fn weighted_total<T: Real>(parts: &[(T, f64)]) -> T {
    T::from_f64(parts.iter().map(|(v, s)| v.to_f64() * s).sum())
}
