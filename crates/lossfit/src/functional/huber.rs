//! Huber loss: quadratic near zero, `delta`-scaled linear beyond `delta` (robust regression).

use ndarray::{ArrayD, ArrayViewD};

use super::elementwise::{MeanOver, ParamShape, Spec, fused_variants};
use crate::kernels::Isa;
use crate::kernels::float::{Float, abs};
use crate::kernels::pointwise::Pointwise;
use crate::tensor::check_param;
use crate::{AsTensor, AsTensorMut, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "huber_loss";

/// Options of [`huber_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::HuberOptions;
/// let options = HuberOptions::<f64>::default();
/// assert_eq!(options.delta, 1.0);
/// assert!(options.weight.is_none());
/// ```
#[derive(Clone, Debug)]
pub struct HuberOptions<'a, T> {
    /// Where the loss turns from quadratic to linear; default `1.0`, must be `> 0`.
    pub delta: f64,
    /// Per-element weights of the input's exact shape (PyTorch 2.15's `weight`). Unlike
    /// [`l1_loss`](super::l1_loss), PyTorch's weighted Huber mean divides by the element count,
    /// not by the summed weight; lossfit does the same.
    pub weight: Option<ArrayViewD<'a, T>>,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for HuberOptions<'_, T> {
    fn default() -> Self {
        HuberOptions {
            delta: 1.0,
            weight: None,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Huber loss (`torch.nn.functional.huber_loss`).
///
/// ```text
/// d = x_i - y_i
/// l_i = w_i * 0.5 d^2                  if |d| < delta
///       w_i * delta (|d| - 0.5 delta)  otherwise           (w_i = 1 without weight)
/// mean = sum_i l_i / N                 (also with weight, as PyTorch)
/// d l_i / d x_i = w_i * d if |d| < delta, w_i * delta * sign(d) otherwise
/// d l_i / d y_i = -d l_i / d x_i
/// ```
/// With `delta == 1` it equals [`smooth_l1_loss`](super::smooth_l1_loss) with `beta == 1`.
///
/// # Shapes
/// `input`, `target` and `weight` of the same, arbitrary shape (PyTorch would broadcast
/// `target`; lossfit never does).
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) when `delta` is not positive (as
/// PyTorch); [`LossError::Shape`](crate::LossError::Shape) when `target` or `weight` does not
/// have the input's shape or `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{huber_loss, HuberOptions};
/// use lossfit::Reduction;
/// use ndarray::array;
///
/// let options = HuberOptions { delta: 2.0, reduction: Reduction::Sum, ..Default::default() };
/// let loss = huber_loss(&array![1.0_f32, -5.0], &array![0.0_f32, 0.0], &options)?;
/// assert_eq!(loss.scalar(), Some(0.5 + 2.0 * (5.0 - 1.0)));
/// assert_eq!(loss.grad.input, array![1.0_f32, -2.0].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn huber_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &HuberOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    spec(options)?.loss(&input.as_tensor(), &target.as_tensor())
}

fused_variants!(
    huber_loss,
    huber_loss_into,
    huber_loss_in_place,
    HuberOptions
);

fn spec<'o, 'a, T: Real>(options: &'o HuberOptions<'a, T>) -> Result<Spec<'o, 'a, T, Huber>> {
    let delta = options.delta;
    check_param(
        NAME,
        "delta",
        delta,
        delta > 0.0,
        "expected a value > 0 (the width of the quadratic zone; 1.0 is PyTorch's default)",
    )?;
    Ok(Spec {
        name: NAME,
        math: Huber { delta },
        weight: options.weight.as_ref(),
        pos_weight: None,
        param_shape: ParamShape::Exact,
        mean_over: MeanOver::Count,
        reduction: options.reduction,
        grad_output: options.grad_output.as_ref(),
    })
}

/// The Huber loss of a difference and its derivative, with PyTorch's branch conditions.
///
/// Not shared with smooth L1 (which is this divided by its threshold): PyTorch's two kernels
/// differ at infinite differences and thresholds, and lossfit follows each.
#[derive(Clone, Copy, Debug)]
struct Huber {
    delta: f64,
}

impl<F: Float> Pointwise<F> for Huber {
    #[inline(always)]
    fn forward<I: Isa>(&self, x: F, y: F, _pw: F, g: F) -> (F, F) {
        let delta = F::c(self.delta);
        let d = x - y;
        let z = abs(d);
        let value = if z < delta {
            F::c(0.5) * z * z
        } else {
            delta * (z - F::c(0.5) * delta)
        };
        let slope = if d <= -delta {
            -delta
        } else if d >= delta {
            delta
        } else {
            d
        };
        (value, slope * g)
    }

    #[inline(always)]
    fn d_target<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> F {
        -self.forward::<I>(x, y, pw, g).1
    }
}
