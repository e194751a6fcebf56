//! Smooth L1 loss: quadratic near zero, linear beyond `beta` (Fast R-CNN's box regression loss).

use ndarray::{ArrayD, ArrayViewD};

use super::elementwise::{MeanOver, ParamShape, Spec, fused_variants};
use super::l1::Absolute;
use crate::kernels::Isa;
use crate::kernels::float::{Float, abs};
use crate::kernels::pointwise::Pointwise;
use crate::tensor::check_param;
use crate::{AsTensor, AsTensorMut, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "smooth_l1_loss";

/// Options of [`smooth_l1_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::{functional::SmoothL1Options, Reduction};
/// let options = SmoothL1Options::<f32> { beta: 0.5, reduction: Reduction::Sum, ..Default::default() };
/// assert_eq!(SmoothL1Options::<f32>::default().beta, 1.0);
/// # let _ = options;
/// ```
#[derive(Clone, Debug)]
pub struct SmoothL1Options<'a, T> {
    /// Where the loss turns from quadratic to linear; default `1.0`, must be `>= 0`
    /// (`0` is exactly [`l1_loss`](super::l1_loss), as in PyTorch).
    pub beta: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for SmoothL1Options<'_, T> {
    fn default() -> Self {
        SmoothL1Options {
            beta: 1.0,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Smooth L1 loss (`torch.nn.functional.smooth_l1_loss`).
///
/// ```text
/// d = x_i - y_i
/// l_i = 0.5 d^2 / beta     if |d| < beta
///       |d| - 0.5 beta     otherwise
/// d l_i / d x_i = d / beta if |d| < beta, sign(d) otherwise;  d l_i / d y_i = -d l_i / d x_i
/// ```
/// With `beta == 0` the loss is [`l1_loss`](super::l1_loss) exactly, including its zero gradient
/// at `d == 0` (PyTorch dispatches to L1 there rather than divide by zero). It equals
/// [`huber_loss`](super::huber_loss) divided by `beta`.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape (PyTorch would broadcast; lossfit never
/// does).
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) when `beta` is negative or NaN (as
/// PyTorch); [`LossError::Shape`](crate::LossError::Shape) when the shapes differ or
/// `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{smooth_l1_loss, SmoothL1Options};
/// use ndarray::array;
///
/// let options = SmoothL1Options { beta: 1.0, ..Default::default() };
/// let loss = smooth_l1_loss(&array![0.5_f64, 3.0], &array![0.0_f64, 0.0], &options)?;
/// assert_eq!(loss.scalar(), Some((0.125 + 2.5) / 2.0));
/// assert_eq!(loss.grad.input, array![0.25, 0.5].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn smooth_l1_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &SmoothL1Options<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    spec(options)?.loss(&input.as_tensor(), &target.as_tensor())
}

fused_variants!(
    smooth_l1_loss,
    smooth_l1_loss_into,
    smooth_l1_loss_in_place,
    SmoothL1Options
);

fn spec<'o, 'a, T: Real>(options: &'o SmoothL1Options<'a, T>) -> Result<Spec<'o, 'a, T, SmoothL1>> {
    let beta = options.beta;
    check_param(
        NAME,
        "beta",
        beta,
        beta >= 0.0,
        "expected a value >= 0 (the width of the quadratic zone; 1.0 is PyTorch's default, \
         0 gives the L1 loss)",
    )?;
    Ok(Spec {
        name: NAME,
        math: SmoothL1 { beta },
        weight: None,
        pos_weight: None,
        param_shape: ParamShape::Exact,
        mean_over: MeanOver::Count,
        reduction: options.reduction,
        grad_output: options.grad_output.as_ref(),
    })
}

/// The smooth L1 loss of a difference and its derivative, with PyTorch's branch conditions
/// (so NaN differences give NaN gradients and `|d| == beta` takes the linear branch); `beta`
/// 0 is the L1 loss, as in PyTorch.
#[derive(Clone, Copy, Debug)]
struct SmoothL1 {
    beta: f64,
}

impl<F: Float> Pointwise<F> for SmoothL1 {
    #[inline(always)]
    fn forward<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> (F, F) {
        if self.beta == 0.0 {
            return Absolute.forward::<I>(x, y, pw, g);
        }
        let beta = F::c(self.beta);
        let d = x - y;
        let z = abs(d);
        let value = if z < beta {
            F::c(0.5) * z * z / beta
        } else {
            z - F::c(0.5) * beta
        };
        let slope = if d <= -beta {
            F::c(-1.0)
        } else if d >= beta {
            F::c(1.0)
        } else {
            d / beta
        };
        (value, slope * g)
    }

    #[inline(always)]
    fn d_target<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> F {
        -self.forward::<I>(x, y, pw, g).1
    }
}
