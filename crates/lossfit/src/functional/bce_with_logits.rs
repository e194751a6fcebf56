//! Binary cross-entropy on raw scores (logits), with per-element and positive-class weights,
//! and its element-wise terms in `T` arithmetic that the sigmoid focal loss shares.

use ndarray::ArrayViewD;

use super::bce::broadcast_param;
use super::math::log_sigmoid;
use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, Real, Reduction, Result};

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
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let weight = broadcast_param(NAME, "weight", options.weight.as_ref(), input.shape())?;
    let pos_weight = broadcast_param(
        NAME,
        "pos_weight",
        options.pos_weight.as_ref(),
        input.shape(),
    )?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let w = |i: usize| weight.as_ref().map_or(1.0, |w| w[i]);
    let pw = |i: usize| pos_weight.as_ref().map(|pw| pw[i]);

    let elems = x
        .data
        .iter()
        .zip(&y.data)
        .enumerate()
        .map(|(i, (&x, &y))| in_dtype::<T>(logit_bce::<T>(x, y, pw(i)) * w(i)))
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
        let (dx, dy) = logit_bce_grad::<T>(x, y, pw(i));
        grad_input.push(dx * g);
        grad_target.push(dy * g);
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}

/// One element of the logit BCE, `(1 - y) x - (1 + (pw - 1) y) log_sigmoid(x)`, unweighted.
///
/// The operations are PyTorch's, in its order and rounded to `T` as PyTorch rounds them. The
/// order gives the same infinities and NaNs for infinite logits; the rounding matters because
/// the two terms cancel (at `x = -5`, `y = 0.01` to a hundredth of their size), so in `f32`
/// PyTorch's rounding, not the math, decides the last digits. For `f64` it is the identity.
pub(crate) fn logit_bce<T: Real>(x: f64, y: f64, pos_weight: Option<f64>) -> f64 {
    let r = in_dtype::<T>;
    let log_sig = r(log_sigmoid(x));
    let log_sig = match pos_weight {
        Some(pw) => r(log_sig * r(r(r(pw - 1.0) * y) + 1.0)),
        None => log_sig,
    };
    r(r(r(1.0 - y) * x) - log_sig)
}

/// `(d/dx, d/dy)` of [`logit_bce`], in PyTorch's backward formulas, order and dtype.
///
/// With a `pos_weight` the input gradient `(pw y + 1 - y) p - pw y` cancels to a small value
/// (`pw (p - 1)` at `y = 1`) from terms `pw` times larger, so PyTorch's own rounding in `T`,
/// not the math, decides the last digits: each step is rounded to `T` here as PyTorch rounds it,
/// which keeps `f32` results with large `pos_weight` within the parity tolerance. For `f64` the
/// rounding is the identity.
pub(crate) fn logit_bce_grad<T: Real>(x: f64, y: f64, pos_weight: Option<f64>) -> (f64, f64) {
    let r = in_dtype::<T>;
    let p = sigmoid_in::<T>(x);
    match pos_weight {
        Some(pw) => {
            let py = r(pw * y);
            (
                r(r(r(r(py + 1.0) - y) * p) - py),
                r(r(log_sigmoid(-x)) - r(r(log_sigmoid(x)) * pw)),
            )
        }
        None => (r(p - y), -x),
    }
}

/// `v` rounded to `T`: one `+`, `-`, `*` or `/` of values of `T` done in `f64` and rounded so is
/// exactly that operation in `T`.
pub(crate) fn in_dtype<T: Real>(v: f64) -> f64 {
    T::from_f64(v).to_f64()
}

/// `sigmoid(x)` as PyTorch's kernel computes it in `T`: `1 / (1 + exp(-x))`, each step rounded
/// to `T`. For `f32` this reproduces PyTorch's sigmoid bit for bit far more often than the
/// correctly rounded value does, which matters wherever a loss subtracts it from a target.
pub(crate) fn sigmoid_in<T: Real>(x: f64) -> f64 {
    let r = in_dtype::<T>;
    r(1.0 / r(1.0 + r((-x).exp())))
}
