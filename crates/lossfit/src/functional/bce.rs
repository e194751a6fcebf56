//! Binary cross-entropy on probabilities, and the broadcast of per-element weights that the
//! binary losses share.

use ndarray::{ArrayViewD, IxDyn};

use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, position, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "binary_cross_entropy";

/// PyTorch clamps every logarithm of the BCE at this value, so a probability of exactly 0 or 1
/// costs at most 100 instead of infinity.
const LOG_FLOOR: f64 = -100.0;

/// The floor of `x (1 - x)` in the input gradient. PyTorch stores it as the `float` `1e-12`
/// and widens it, so in `f64` it is `9.99999996e-13`, not `1e-12`: using the exact `f64`
/// constant would miss PyTorch's gradient at `x = 0` or `1` by 4e-9 relative.
const GRAD_EPS: f64 = 1e-12_f32 as f64;

/// Options of [`binary_cross_entropy`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::{functional::BceOptions, Reduction};
/// use ndarray::array;
///
/// let weight = array![1.0_f32, 4.0];
/// let options = BceOptions {
///     weight: Some(weight.view().into_dyn()),
///     reduction: Reduction::Sum,
///     ..Default::default()
/// };
/// assert!(options.grad_output.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct BceOptions<'a, T> {
    /// Per-element rescaling weight, broadcast to the input's shape with NumPy's rules (a `(C,)`
    /// weight applies per column of an `(N, C)` input, an `(N, 1)` weight per row). It must
    /// broadcast *to* the input's shape: a weight that would enlarge the loss is an error.
    pub weight: Option<ArrayViewD<'a, T>>,
    /// Default [`Reduction::Mean`]: the mean over all elements (not over the summed weight).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Binary cross-entropy between probabilities and soft labels
/// (`torch.nn.functional.binary_cross_entropy`).
///
/// ```text
/// l_i = -w_i * (y_i * max(log x_i, -100) + (1 - y_i) * max(log(1 - x_i), -100))
/// d l_i / d x_i = w_i * (x_i - y_i) / max(x_i (1 - x_i), 1e-12)
/// d l_i / d y_i = -w_i * log(x_i / (1 - x_i))          (not clamped: +-inf at x_i = 0 or 1)
/// ```
/// The clamps are PyTorch's: the loss stays finite at `x = 0` and `x = 1`, the input gradient
/// there is `(x - y) / 1e-12` (the floor of its denominator), and the target gradient is
/// infinite, all exactly as PyTorch's autograd returns them. Prefer
/// [`binary_cross_entropy_with_logits`](super::binary_cross_entropy_with_logits) on raw scores:
/// a sigmoid followed by this loss loses precision once the sigmoid saturates.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape; `weight` any shape that broadcasts to it.
/// The value is a scalar, or of the input's shape for [`Reduction::None`].
///
/// # Errors
/// [`LossError::Shape`] when `target` has another shape than `input`, `weight` does not
/// broadcast to the input's shape or `grad_output` does not fit the value;
/// [`LossError::Domain`] for an input or a target outside `[0, 1]` (NaN included), where
/// PyTorch raises.
///
/// ```
/// use lossfit::functional::{binary_cross_entropy, BceOptions};
/// use ndarray::array;
///
/// let probs = array![0.5_f64, 1.0];
/// let labels = array![1.0_f64, 0.0];
/// let loss = binary_cross_entropy(&probs, &labels, &BceOptions::default())?;
/// // -log(0.5) for the first element; the second is clamped at 100.
/// assert!((loss.scalar().unwrap() - (2.0_f64.ln() + 100.0) / 2.0).abs() < 1e-12);
/// assert_eq!(loss.grad.input[0], -1.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn binary_cross_entropy<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &BceOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let weight = broadcast_param(NAME, "weight", options.weight.as_ref(), input.shape())?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    check_unit_interval("input", &x)?;
    check_unit_interval("target", &y)?;
    let w = |i: usize| weight.as_ref().map_or(1.0, |w| w[i]);

    let elems = x
        .data
        .iter()
        .zip(&y.data)
        .enumerate()
        .map(|(i, (&x, &y))| {
            let log_x = x.ln().max(LOG_FLOOR);
            let log_1mx = (-x).ln_1p().max(LOG_FLOOR);
            ((y - 1.0) * log_1mx - y * log_x) * w(i)
        })
        .collect();
    let reduced = reduce(
        NAME,
        elems,
        &x.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad_input = Vec::with_capacity(x.data.len());
    let mut grad_target = Vec::with_capacity(x.data.len());
    for (i, (&x, &y)) in x.data.iter().zip(&y.data).enumerate() {
        let g = reduced.seed.at(i) * w(i);
        grad_input.push(g * (x - y) / ((1.0 - x) * x).max(GRAD_EPS));
        grad_target.push(-logit_in::<T>(x) * g);
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}

/// `log(x / (1 - x))` as PyTorch's `logit` computes it in `T`, each step rounded to `T`: near
/// `x = 1/2` the result is small against the rounding of `x / (1 - x)`, so in `f32` PyTorch's
/// rounding decides its last digits.
fn logit_in<T: Real>(x: f64) -> f64 {
    let r = |v: f64| T::from_f64(v).to_f64();
    r(r(x / r(1.0 - x)).ln())
}

/// Fails at the first entry outside `[0, 1]` (NaN included), as PyTorch's kernel does.
fn check_unit_interval(arg: &'static str, tensor: &Dense) -> Result<()> {
    match tensor.data.iter().position(|v| !(0.0..=1.0).contains(v)) {
        None => Ok(()),
        Some(flat) => Err(LossError::Domain {
            loss: NAME,
            arg,
            position: position(&tensor.shape, flat),
            value: tensor.data[flat],
            expected: if arg == "input" {
                "every input must be a probability in [0, 1]; pass raw scores to \
                 binary_cross_entropy_with_logits instead of applying a sigmoid here"
                    .to_string()
            } else {
                "every target must be a label or soft label in [0, 1]; map -1/+1 labels to 0/1 \
                 (or use soft_margin_loss on them)"
                    .to_string()
            },
        }),
    }
}

/// Widens an optional tensor parameter (`weight`, `pos_weight`) and broadcasts it to `shape`,
/// row-major, with NumPy's rules (trailing dimensions aligned, each of size 1 or equal).
///
/// This is the one place the binary losses broadcast: PyTorch defines these parameters by
/// broadcasting, so a `(C,)` weight over an `(N, C)` input is intended use. A parameter that
/// would enlarge the loss beyond `shape` is an error, as it is in PyTorch.
pub(crate) fn broadcast_param<T: Real>(
    loss: &'static str,
    arg: &'static str,
    param: Option<&ArrayViewD<'_, T>>,
    shape: &[usize],
) -> Result<Option<Vec<f64>>> {
    let Some(param) = param else {
        return Ok(None);
    };
    match param.broadcast(IxDyn(shape)) {
        Some(view) => Ok(Some(view.iter().map(|v| v.to_f64()).collect())),
        None => Err(LossError::Shape {
            loss,
            arg,
            found: param.shape().to_vec(),
            expected: format!(
                "a shape that broadcasts to the input's {shape:?} (trailing dimensions equal or 1)"
            ),
            fix: format!(
                "give `{arg}` one value per element, per trailing dimension (e.g. [{}] for the \
                 last) or a single value; insert size-1 axes to align it with leading dimensions",
                shape.last().copied().unwrap_or(1)
            ),
        }),
    }
}
