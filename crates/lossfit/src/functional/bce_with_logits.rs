//! Binary cross-entropy on raw scores (logits), with per-element and positive-class weights,
//! and its element-wise terms, which the sigmoid focal loss shares.

use ndarray::{ArrayD, ArrayViewD};

use super::elementwise::{MeanOver, ParamShape, Spec, fused_variants};
use crate::kernels::float::Float;
use crate::kernels::pointwise::Pointwise;
use crate::kernels::{Isa, log_sigmoid, sigmoid_and_log_sigmoid};
use crate::{AsTensor, AsTensorMut, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "binary_cross_entropy_with_logits";

/// Options of [`binary_cross_entropy_with_logits`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::{functional::BceWithLogitsOptions, Reduction};
/// use ndarray::array;
///
/// // Three labels, the rare second one weighted 9:1 towards positives.
/// let pos_weight = array![1.0_f64, 9.0, 1.0];
/// let options = BceWithLogitsOptions {
///     pos_weight: Some(pos_weight.view().into_dyn()),
///     reduction: Reduction::Mean,
///     ..Default::default()
/// };
/// assert!(options.weight.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct BceWithLogitsOptions<'a, T> {
    /// Per-element rescaling weight, broadcast to the input's shape with NumPy's rules.
    pub weight: Option<ArrayViewD<'a, T>>,
    /// Weight of the positive term, broadcast to the input's shape with NumPy's rules: a `(C,)`
    /// tensor gives one weight per label (last dimension) of an `(N, C)` input. `neg / pos` of a
    /// label's counts balances it. Not validated, as in PyTorch.
    pub pos_weight: Option<ArrayViewD<'a, T>>,
    /// Default [`Reduction::Mean`]: the mean over all elements (not over the summed weight).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Binary cross-entropy on logits (`torch.nn.functional.binary_cross_entropy_with_logits`).
///
/// ```text
/// l_i = w_i * ((1 - y_i) * x_i - (1 + (pw_i - 1) * y_i) * log_sigmoid(x_i))
/// d l_i / d x_i = w_i * ((pw_i y_i + 1 - y_i) * sigmoid(x_i) - pw_i y_i)
/// d l_i / d y_i = w_i * (log_sigmoid(-x_i) - pw_i * log_sigmoid(x_i))   (= -w_i x_i when pw = 1)
/// ```
/// `log_sigmoid` is evaluated without overflow, so logits of magnitude `1e4` give exact finite
/// losses and gradients; targets may be soft (any value, as in PyTorch: none is checked).
/// An infinite logit gives `inf` or NaN exactly where PyTorch does (where the formula meets
/// `0 * inf` or `inf - inf`).
///
/// # Precision
/// The loss subtracts two terms that can nearly cancel, and with a `pos_weight` so does the
/// input gradient; there PyTorch's `f32` result differs from the exact one by more than its
/// usual rounding. So the element-wise terms are computed in PyTorch's order with every
/// intermediate rounded to `T`, as PyTorch computes them, instead of exactly in `f64` as the
/// other losses are; for `f64` this is the same thing.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape; `weight` and `pos_weight` any shape that
/// broadcasts to it (typically `(C,)` for an `(N, C)` multi-label input). The value is a
/// scalar, or of the input's shape for [`Reduction::None`].
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when `target` has another shape than `input`
/// (PyTorch raises too), `weight` or `pos_weight` does not broadcast to the input's shape, or
/// `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{binary_cross_entropy_with_logits, BceWithLogitsOptions};
/// use ndarray::array;
///
/// let logits = array![[0.0_f64, 1e4], [-1e4, 0.0]];
/// let labels = array![[1.0_f64, 1.0], [0.0, 0.0]];
/// let options = BceWithLogitsOptions::default();
/// let loss = binary_cross_entropy_with_logits(&logits, &labels, &options)?;
/// // Saturated logits cost nothing; the two zeros cost log 2 each.
/// assert!((loss.scalar().unwrap() - 2.0_f64.ln() / 2.0).abs() < 1e-15);
/// assert_eq!(loss.grad.input, array![[-0.125, 0.0], [0.0, 0.125]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn binary_cross_entropy_with_logits<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &BceWithLogitsOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    spec(options)?.loss(&input.as_tensor(), &target.as_tensor())
}

fused_variants!(
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_into,
    binary_cross_entropy_with_logits_in_place,
    BceWithLogitsOptions
);

// A `Result` like every loss's `spec`: `fused_variants!` calls them all alike.
#[allow(clippy::unnecessary_wraps)]
fn spec<'o, 'a, T: Real>(
    options: &'o BceWithLogitsOptions<'a, T>,
) -> Result<Spec<'o, 'a, T, LogitBce>> {
    Ok(Spec {
        name: NAME,
        math: LogitBce {
            pos_weighted: options.pos_weight.is_some(),
        },
        weight: options.weight.as_ref(),
        pos_weight: options.pos_weight.as_ref(),
        param_shape: ParamShape::Broadcast,
        mean_over: MeanOver::Count,
        reduction: options.reduction,
        grad_output: options.grad_output.as_ref(),
    })
}

/// The BCE-with-logits term in PyTorch's formulas and order, so that `f32` results round as
/// PyTorch's do:
///
/// ```text
/// loss = (1 - y) x - log_sigmoid(x) * ((pw - 1) y + 1)
/// d/dx = ((pw y + 1) - y) sigmoid(x) - pw y          (without pw: sigmoid(x) - y)
/// d/dy = log_sigmoid(-x) - log_sigmoid(x) pw          (without pw: -x)
/// ```
#[derive(Clone, Copy, Debug)]
pub(super) struct LogitBce {
    /// A `pos_weight` was given (PyTorch then takes another formula, even for weight 1).
    pub(super) pos_weighted: bool,
}

impl<F: Float> Pointwise<F> for LogitBce {
    #[inline(always)]
    fn forward<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> (F, F) {
        let one = F::c(1.0);
        let (p, log_sig) = sigmoid_and_log_sigmoid::<I, F>(x);
        if self.pos_weighted {
            let loss = (one - y) * x - log_sig * ((pw - one) * y + one);
            let py = pw * y;
            (loss, (((py + one) - y) * p - py) * g)
        } else {
            ((one - y) * x - log_sig, (p - y) * g)
        }
    }

    #[inline(always)]
    fn d_target<I: Isa>(&self, x: F, _y: F, pw: F, g: F) -> F {
        if self.pos_weighted {
            (log_sigmoid::<I, F>(-x) - log_sigmoid::<I, F>(x) * pw) * g
        } else {
            -x * g
        }
    }
}
