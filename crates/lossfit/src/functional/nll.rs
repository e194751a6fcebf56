//! Negative log-likelihood of class indices, given log-probabilities.

use ndarray::{ArrayView1, ArrayViewD};

use super::classes::{ClassLayout, class_weights};
use super::math::sum;
use super::reduce::reduce;
use crate::tensor::{Dense, index_data, to_array};
use crate::{AsTensor, InputGrad, Loss, Real, Reduction, Result};

const NAME: &str = "nll_loss";

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
    let (input, target) = (input.as_tensor(), target.as_tensor());
    let layout = ClassLayout::of(NAME, input.shape())?;
    layout.expect_index_target(NAME, target.shape())?;
    let weight = class_weights(NAME, options.weight.as_ref(), layout.classes)?;
    let targets = index_data(&target);
    layout.check_indices(NAME, &targets, Some(options.ignore_index))?;
    let x = Dense::from_view(&input);
    let w = |c: usize| weight.as_ref().map_or(1.0, |w| w[c]);
    let kept = |t: i64| (t != options.ignore_index).then_some(t as usize);

    // l_n = -w[y_n] * x[n, y_n]; the mean divides by the summed weight of kept targets
    let elems = targets
        .iter()
        .enumerate()
        .map(|(k, &t)| kept(t).map_or(0.0, |t| -w(t) * x.data[layout.offset(k, t)]))
        .collect();
    let denominator = sum(targets.iter().filter_map(|&t| kept(t)).map(w));
    let reduced = reduce(
        NAME,
        elems,
        &layout.target_shape,
        options.reduction,
        Some(denominator),
        options.grad_output.as_ref(),
    )?;
    let mut grad = vec![0.0; x.data.len()];
    for (k, &t) in targets.iter().enumerate() {
        if let Some(t) = kept(t) {
            grad[layout.offset(k, t)] = -reduced.seed.at(k) * w(t);
        }
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputGrad {
            input: to_array(&x.shape, grad),
        },
    })
}
