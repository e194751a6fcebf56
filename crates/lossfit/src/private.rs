//! Support for the code `#[derive(ModelOutput)]` generates. Not a public API.

pub use ndarray;

use ndarray::{Array, ArrayD, Dimension};

use crate::AsTensorMut;

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

/// Scales a head's gradient, written by a loss into the caller's buffer, by the head's weight.
pub fn scale_grad<'g, T: Real>(grad: impl AsTensorMut<'g, T>, scale: f64) {
    if scale != 1.0 {
        grad.as_tensor_mut()
            .mapv_inplace(|g| T::from_f64(g.to_f64() * scale));
    }
}

/// Writes a head's gradient, scaled by the head's weight, into the caller's buffer.
///
/// # Errors
/// [`LossError::Shape`] when the buffer does not have the gradient's shape.
pub fn write_head_grad<T: Real, D: Dimension>(
    head: &'static str,
    into: &mut Array<T, D>,
    grad: &ArrayD<T>,
    scale: f64,
) -> Result<()> {
    if into.shape() != grad.shape() {
        return Err(LossError::Shape {
            loss: head,
            arg: "grads",
            found: into.shape().to_vec(),
            expected: format!("the head's shape {:?}", grad.shape()),
            fix: "make the gradient buffers with `output.grads_like()` (the same shapes as the \
                  model output)"
                .to_string(),
        });
    }
    let mut into = into.view_mut().into_dyn();
    if scale == 1.0 {
        into.assign(grad);
    } else {
        into.zip_mut_with(grad, |dst, &g| *dst = T::from_f64(g.to_f64() * scale));
    }
    Ok(())
}
