//! Mean squared error.

use ndarray::{ArrayD, ArrayViewD};

use super::elementwise::{MeanOver, ParamShape, Spec, fused_variants};
use crate::kernels::Isa;
use crate::kernels::float::Float;
use crate::kernels::pointwise::Pointwise;
use crate::{AsTensor, AsTensorMut, InputTargetGrad, Loss, Real, Reduction, Result};

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
    spec(options)?.loss(&input.as_tensor(), &target.as_tensor())
}

fused_variants!(mse_loss, mse_loss_into, mse_loss_in_place, MseOptions);

// A `Result` like every loss's `spec`: `fused_variants!` calls them all alike.
#[allow(clippy::unnecessary_wraps)]
fn spec<'o, 'a, T: Real>(options: &'o MseOptions<'a, T>) -> Result<Spec<'o, 'a, T, Squared>> {
    Ok(Spec {
        name: NAME,
        math: Squared,
        weight: None,
        pos_weight: None,
        param_shape: ParamShape::Exact,
        mean_over: MeanOver::Count,
        reduction: options.reduction,
        grad_output: options.grad_output.as_ref(),
    })
}

/// `(x - y)^2`, in PyTorch's order.
#[derive(Clone, Copy, Debug)]
struct Squared;

impl<F: Float> Pointwise<F> for Squared {
    #[inline(always)]
    fn forward<I: Isa>(&self, x: F, y: F, _pw: F, g: F) -> (F, F) {
        let d = x - y;
        (d * d, F::c(2.0) * d * g)
    }

    #[inline(always)]
    fn d_target<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> F {
        -self.forward::<I>(x, y, pw, g).1
    }
}
