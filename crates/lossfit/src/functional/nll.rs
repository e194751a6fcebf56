//! Negative log-likelihood of class indices, given log-probabilities.

use ndarray::{ArrayView1, ArrayViewD};

use super::cross_entropy::{ClassIndexLoss, class_index_loss};
use crate::{AsTensor, InputGrad, Loss, Real, Reduction, Result};

/// Options of [`nll_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// let options = lossfit::functional::NllOptions::<f32>::default();
/// assert_eq!(options.ignore_index, -100);
/// ```
#[derive(Clone, Debug)]
pub struct NllOptions<'a, T> {
    /// Per-class weights, one per class.
    pub weight: Option<ArrayView1<'a, T>>,
    /// Targets equal to this index contribute nothing; default `-100`.
    pub ignore_index: i64,
    /// Default [`Reduction::Mean`] (divides by the summed weight of the non-ignored targets).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for NllOptions<'_, T> {
    fn default() -> Self {
        NllOptions {
            weight: None,
            ignore_index: -100,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Negative log-likelihood (`torch.nn.functional.nll_loss`): the input must already be
/// log-probabilities (the output of a log-softmax).
///
/// ```text
/// l_n  = -w[y_n] * x_n[y_n]                        (0 where y_n == ignore_index)
/// mean = sum_n l_n / sum_{n not ignored} w[y_n]
/// d l_n / d x_n[j] = -w[y_n] * [j == y_n]
/// ```
///
/// # Shapes
/// As [`cross_entropy`](super::cross_entropy): `input` `(N, C)`, `(N, C, d1, ..)` or `(C,)`;
/// `target` the input's shape without the class dimension.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) for a target, weight or `grad_output` of the
/// wrong shape; [`LossError::ClassIndex`](crate::LossError::ClassIndex) for a target outside
/// `0..C` that is not the ignore index.
///
/// ```
/// use lossfit::functional::{nll_loss, NllOptions};
/// use ndarray::array;
///
/// let log_probs = array![[-0.1_f64, -2.4], [-1.2, -0.4]];
/// let loss = nll_loss(&log_probs, &array![0_i64, 1], &NllOptions::default())?;
/// assert!((loss.scalar().unwrap() - 0.25).abs() < 1e-12);
/// assert_eq!(loss.grad.input, array![[-0.5, 0.0], [0.0, -0.5]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn nll_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, i64>,
    options: &NllOptions<'_, T>,
) -> Result<Loss<T, InputGrad<T>>> {
    class_index_loss(
        &ClassIndexLoss {
            loss: "nll_loss",
            from_logits: false,
            weight: options.weight.as_ref(),
            ignore_index: options.ignore_index,
            label_smoothing: 0.0,
            reduction: options.reduction,
            grad_output: options.grad_output.as_ref(),
        },
        &input.as_tensor(),
        &target.as_tensor(),
    )
}
