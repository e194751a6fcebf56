//! Mean absolute error.

use ndarray::{ArrayD, ArrayViewD};

use super::elementwise::{MeanOver, ParamShape, Spec, fused_variants};
use crate::kernels::Isa;
use crate::kernels::float::{Float, abs};
use crate::kernels::pointwise::Pointwise;
use crate::{AsTensor, AsTensorMut, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "l1_loss";

/// Options of [`l1_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::{functional::L1Options, Reduction};
/// let options = L1Options::<f32> { reduction: Reduction::Sum, ..Default::default() };
/// assert!(options.weight.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct L1Options<'a, T> {
    /// Per-element weights of the input's exact shape (PyTorch 2.15's `weight`); with
    /// [`Reduction::Mean`] the weighted sum is divided by the summed weight.
    pub weight: Option<ArrayViewD<'a, T>>,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Mean absolute error (`torch.nn.functional.l1_loss`).
///
/// ```text
/// l_i = w_i * |x_i - y_i|                    (w_i = 1 without weight)
/// mean = sum_i l_i / N                       (sum_i l_i / sum_i w_i with weight)
/// d l_i / d x_i = w_i * sign(x_i - y_i) = -d l_i / d y_i
/// ```
/// `sign(0) = 0`, as PyTorch's backward of `abs`: an exact prediction gets no gradient. A NaN
/// difference also gets a zero gradient there (its value stays NaN).
///
/// # Shapes
/// `input`, `target` and `weight` of the same, arbitrary shape. Unlike PyTorch, which
/// broadcasts `input` against `target` with a warning, a different shape is an error.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when `target` or `weight` does not have the
/// input's shape or `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{l1_loss, L1Options};
/// use ndarray::array;
///
/// let loss = l1_loss(&array![1.0_f64, 2.0, 3.0], &array![1.0_f64, 0.0, 4.0], &L1Options::default())?;
/// assert_eq!(loss.scalar(), Some(1.0));
/// // The exact prediction gets no gradient.
/// assert_eq!(loss.grad.input, array![0.0, 1.0 / 3.0, -1.0 / 3.0].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn l1_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &L1Options<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    spec(options)?.loss(&input.as_tensor(), &target.as_tensor())
}

fused_variants!(l1_loss, l1_loss_into, l1_loss_in_place, L1Options);

// A `Result` like every loss's `spec`: `fused_variants!` calls them all alike.
#[allow(clippy::unnecessary_wraps)]
fn spec<'o, 'a, T: Real>(options: &'o L1Options<'a, T>) -> Result<Spec<'o, 'a, T, Absolute>> {
    Ok(Spec {
        name: NAME,
        math: Absolute,
        weight: options.weight.as_ref(),
        pos_weight: None,
        param_shape: ParamShape::Exact,
        mean_over: MeanOver::SummedWeight,
        reduction: options.reduction,
        grad_output: options.grad_output.as_ref(),
    })
}

/// `|x - y|`, with slope `sign(x - y)` (0 at 0 and for NaN, as PyTorch's `sgn` backward).
#[derive(Clone, Copy, Debug)]
pub(super) struct Absolute;

impl<F: Float> Pointwise<F> for Absolute {
    #[inline(always)]
    fn forward<I: Isa>(&self, x: F, y: F, _pw: F, g: F) -> (F, F) {
        let d = x - y;
        let slope = if d > F::c(0.0) {
            F::c(1.0)
        } else if d < F::c(0.0) {
            F::c(-1.0)
        } else {
            F::c(0.0)
        };
        (abs(d), slope * g)
    }

    #[inline(always)]
    fn d_target<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> F {
        -self.forward::<I>(x, y, pw, g).1
    }
}
