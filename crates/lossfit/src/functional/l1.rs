//! Mean absolute error, and the machinery shared by every loss of `input - target`.

use ndarray::ArrayViewD;

use super::math::sum;
use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, expect_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, Real, Reduction, Result};

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
    let spec = DifferenceLoss {
        name: NAME,
        weight: options.weight.as_ref(),
        weighted_mean: WeightedMean::BySummedWeight,
        reduction: options.reduction,
        grad_output: options.grad_output.as_ref(),
    };
    difference_loss(&spec, &input.as_tensor(), &target.as_tensor(), absolute)
}

/// `|d|` and its subgradient `sign(d)`, zero at 0 and for NaN (PyTorch's backward of `abs`).
pub(super) fn absolute(d: f64) -> (f64, f64) {
    let slope = if d > 0.0 {
        1.0
    } else if d < 0.0 {
        -1.0
    } else {
        0.0
    };
    (d.abs(), slope)
}

/// What divides a weighted sum under [`Reduction::Mean`]: PyTorch differs between losses.
#[derive(Clone, Copy, Debug)]
pub(super) enum WeightedMean {
    /// The summed weight (`l1_loss`).
    BySummedWeight,
    /// The element count, as without weights (`huber_loss`).
    ByCount,
}

/// A loss that is a function of `d = input - target` alone, element by element.
#[derive(Debug)]
pub(super) struct DifferenceLoss<'o, 'a, T> {
    /// PyTorch's functional name, for errors.
    pub(super) name: &'static str,
    /// Optional per-element weights (the input's shape).
    pub(super) weight: Option<&'o ArrayViewD<'a, T>>,
    /// The Mean denominator when weighted.
    pub(super) weighted_mean: WeightedMean,
    /// The reduction.
    pub(super) reduction: Reduction,
    /// The upstream gradient.
    pub(super) grad_output: Option<&'o ArrayViewD<'a, T>>,
}

/// Evaluates `elementwise(d) = (loss, d loss / d d)` on every `d = input - target`, applies the
/// weight and the reduction, and returns the value with the gradients of input and target.
///
/// The gradient of element `i` is `slope_i * (w_i * seed_i)`: the order autograd multiplies in,
/// so a zero slope times an infinite weight is NaN, as in PyTorch.
pub(super) fn difference_loss<T: Real>(
    spec: &DifferenceLoss<'_, '_, T>,
    input: &ArrayViewD<'_, T>,
    target: &ArrayViewD<'_, T>,
    elementwise: impl Fn(f64) -> (f64, f64),
) -> Result<Loss<T, InputTargetGrad<T>>> {
    expect_same_shape(
        spec.name,
        ("input", input.shape()),
        ("target", target.shape()),
    )?;
    let weight = spec
        .weight
        .map(|w| {
            expect_shape(
                spec.name,
                "weight",
                w.shape(),
                input.shape(),
                "one weight per element of `input`",
            )
            .map(|()| Dense::from_view(w).data)
        })
        .transpose()?;
    let (x, y) = (Dense::from_view(input), Dense::from_view(target));
    let (mut elems, slopes): (Vec<f64>, Vec<f64>) = x
        .data
        .iter()
        .zip(&y.data)
        .map(|(a, b)| elementwise(a - b))
        .unzip();
    let mut divisor = None;
    if let Some(w) = &weight {
        for (e, wi) in elems.iter_mut().zip(w) {
            *e *= wi;
        }
        if matches!(spec.weighted_mean, WeightedMean::BySummedWeight) {
            divisor = Some(sum(w.iter().copied()));
        }
    }
    let reduced = reduce(
        spec.name,
        elems,
        &x.shape,
        spec.reduction,
        divisor,
        spec.grad_output,
    )?;
    let grad_input: Vec<f64> = slopes
        .iter()
        .enumerate()
        .map(|(i, slope)| {
            let upstream = reduced.seed.at(i);
            slope * weight.as_ref().map_or(upstream, |w| w[i] * upstream)
        })
        .collect();
    let grad_target = grad_input.iter().map(|g| -g).collect();
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}
