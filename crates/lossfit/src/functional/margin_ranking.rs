//! Margin ranking loss, and the hinge every margin-based ranking loss shares.

use ndarray::ArrayViewD;

use super::reduce::reduce;
use crate::output::gradients;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, Loss, Real, Reduction, Result};

const NAME: &str = "margin_ranking_loss";

gradients! {
    /// The gradients of a loss of two inputs and a real-valued `target`
    /// ([`margin_ranking_loss`], [`contrastive_loss`](super::contrastive_loss)).
    PairGrad {
        /// d loss / d input1.
        input1,
        /// d loss / d input2.
        input2,
        /// d loss / d target.
        target,
    }
}

/// `max(v, 0)` as PyTorch's `clamp_min(v, 0)`: unlike `f64::max`, a NaN stays NaN.
pub(super) fn hinge(v: f64) -> f64 {
    if v.is_nan() || v > 0.0 { v } else { 0.0 }
}

/// The derivative PyTorch's autograd gives `clamp_min(v, 0)`: 1 where `v > 0`, else 0 (also at
/// the kink `v == 0` and for NaN).
pub(super) fn hinge_slope(v: f64) -> f64 {
    if v > 0.0 { 1.0 } else { 0.0 }
}

/// Options of [`margin_ranking_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::MarginRankingOptions;
/// use lossfit::Reduction;
///
/// let options = MarginRankingOptions::<f32> { margin: 0.5, reduction: Reduction::Sum, ..Default::default() };
/// assert_eq!(MarginRankingOptions::<f32>::default().margin, 0.0);
/// assert!(options.grad_output.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct MarginRankingOptions<'a, T> {
    /// How far `input1` must lead `input2` (in the direction of `target`) before the loss is
    /// zero. Any value; default 0.
    pub margin: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Margin ranking loss (`torch.nn.functional.margin_ranking_loss`): `target = 1` asks for
/// `input1` to rank above `input2`, `target = -1` for the opposite.
///
/// ```text
/// u_i = -y_i * (x1_i - x2_i) + margin
/// l_i = max(0, u_i)
/// d l_i / d x1_i = -y_i [u_i > 0]      d l_i / d x2_i = y_i [u_i > 0]
/// d l_i / d y_i  = -(x1_i - x2_i) [u_i > 0]
/// ```
/// At the kink `u_i == 0` the gradient is 0, the subgradient PyTorch's autograd returns. The
/// target is not checked to be `±1`: PyTorch uses any real value as a weight of the difference,
/// and so does this function (which is why the target has a gradient).
///
/// # Shapes
/// `input1`, `input2` and `target` of the same, arbitrary shape (a 0-dimensional pair is one
/// comparison). PyTorch broadcasts tensors of the same number of dimensions; lossfit does not,
/// as a `(N, 1)` score against an `(N,)` target would compare every pair with every target.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the three shapes differ or `grad_output`
/// does not fit the value.
///
/// ```
/// use lossfit::functional::{margin_ranking_loss, MarginRankingOptions};
/// use ndarray::array;
///
/// let better = array![2.0_f64, 0.5];
/// let worse = array![1.0_f64, 1.0];
/// let target = array![1.0_f64, 1.0];
/// let options = MarginRankingOptions { margin: 0.5, ..Default::default() };
/// let loss = margin_ranking_loss(&better, &worse, &target, &options)?;
/// // The first pair leads by 1 >= 0.5 (no loss), the second trails by 0.5 (loss 1).
/// assert_eq!(loss.scalar(), Some(0.5));
/// assert_eq!(loss.grad.input1, array![0.0, -0.5].into_dyn());
/// assert_eq!(loss.grad.target, array![0.0, 0.25].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn margin_ranking_loss<'a, T: Real>(
    input1: impl AsTensor<'a, T>,
    input2: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &MarginRankingOptions<'_, T>,
) -> Result<Loss<T, PairGrad<T>>> {
    let (input1, input2, target) = (input1.as_tensor(), input2.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input1", input1.shape()), ("input2", input2.shape()))?;
    expect_same_shape(NAME, ("input1", input1.shape()), ("target", target.shape()))?;
    let (x1, x2, y) = (
        Dense::from_view(&input1),
        Dense::from_view(&input2),
        Dense::from_view(&target),
    );
    let diff: Vec<f64> = x1.data.iter().zip(&x2.data).map(|(a, b)| a - b).collect();
    let unclamped: Vec<f64> = diff
        .iter()
        .zip(&y.data)
        .map(|(d, y)| -y * d + options.margin)
        .collect();
    let reduced = reduce(
        NAME,
        unclamped.iter().map(|&u| hinge(u)).collect(),
        &x1.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let len = diff.len();
    let (mut grad1, mut grad2, mut grad_target) = (
        Vec::with_capacity(len),
        Vec::with_capacity(len),
        Vec::with_capacity(len),
    );
    for (i, (&d, &y)) in diff.iter().zip(&y.data).enumerate() {
        let g = reduced.seed.at(i) * hinge_slope(unclamped[i]);
        let g_diff = g * -y;
        grad1.push(g_diff);
        grad2.push(-g_diff);
        grad_target.push(-(g * d));
    }
    Ok(Loss {
        value: reduced.value,
        grad: PairGrad {
            input1: to_array(&x1.shape, grad1),
            input2: to_array(&x1.shape, grad2),
            target: to_array(&x1.shape, grad_target),
        },
    })
}
