//! Mean squared error.

use ndarray::ArrayViewD;

use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "mse_loss";

/// Options of [`mse_loss`].
///
/// ```
/// use lossfit::{functional::MseOptions, Reduction};
/// let options = MseOptions::<f64> { reduction: Reduction::Sum, ..Default::default() };
/// assert!(options.grad_output.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct MseOptions<'a, T> {
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Mean squared error (`torch.nn.functional.mse_loss`).
///
/// ```text
/// l_i = (x_i - y_i)^2
/// d l_i / d x_i = 2 (x_i - y_i) = -d l_i / d y_i
/// ```
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape. Unlike PyTorch, which broadcasts with a
/// warning, a different shape is an error: a `(N, 1)` prediction against an `(N,)` target
/// would silently compare every prediction with every target.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the shapes differ or `grad_output` does
/// not fit the value.
///
/// ```
/// use lossfit::functional::{mse_loss, MseOptions};
/// use ndarray::array;
///
/// let loss = mse_loss(&array![[1.0_f32, 2.0]], &array![[1.0_f32, 4.0]], &MseOptions::default())?;
/// assert_eq!(loss.scalar(), Some(2.0));
/// assert_eq!(loss.grad.input, array![[0.0_f32, -2.0]].into_dyn());
/// assert_eq!(loss.grad.target, array![[0.0_f32, 2.0]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn mse_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &MseOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let diff: Vec<f64> = x.data.iter().zip(&y.data).map(|(a, b)| a - b).collect();
    let elems = diff.iter().map(|d| d * d).collect();
    let reduced = reduce(
        NAME,
        elems,
        &x.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;
    let grad_input: Vec<f64> = diff
        .iter()
        .enumerate()
        .map(|(i, d)| 2.0 * d * reduced.seed.at(i))
        .collect();
    let grad_target = grad_input.iter().map(|g| -g).collect();
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}
