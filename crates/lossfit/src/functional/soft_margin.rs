//! Soft margin loss: the logistic loss of a score against a `+-1` label.

use ndarray::ArrayViewD;

use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, InputGrad, Loss, Real, Reduction, Result};

const NAME: &str = "soft_margin_loss";

/// Options of [`soft_margin_loss`].
///
/// ```
/// use lossfit::{functional::SoftMarginOptions, Reduction};
/// let options = SoftMarginOptions::<f32> { reduction: Reduction::None, ..Default::default() };
/// assert!(options.grad_output.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SoftMarginOptions<'a, T> {
    /// Default [`Reduction::Mean`]: the mean over all elements.
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Two-class logistic loss on `+-1` labels (`torch.nn.functional.soft_margin_loss`).
///
/// ```text
/// z_i = exp(-y_i x_i)
/// l_i = log(1 + z_i)
/// d l_i / d x_i = -y_i z_i / (1 + z_i)
/// ```
/// The target is not differentiable (PyTorch's autograd refuses it), so only the input's
/// gradient is returned.
///
/// # Overflow
/// PyTorch evaluates `exp(-y x)` as written, in the tensor's dtype, and so does this function:
/// once `-y x` exceeds the largest exponent of `T` (about 88.7 for `f32`, 709.8 for `f64`) the
/// loss is `inf` and its gradient `NaN`, as in PyTorch. Scale the scores, or use
/// [`binary_cross_entropy_with_logits`](super::binary_cross_entropy_with_logits) with `0/1`
/// targets (the same loss, computed without overflow), if margins can be that wrong.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape; the value is a scalar, or of the input's
/// shape for [`Reduction::None`].
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the shapes differ or `grad_output` does
/// not fit the value. Target values are not checked (PyTorch accepts any).
///
/// ```
/// use lossfit::functional::{soft_margin_loss, SoftMarginOptions};
/// use ndarray::array;
///
/// let scores = array![0.0_f64, 2.0];
/// let labels = array![1.0_f64, -1.0];
/// let loss = soft_margin_loss(&scores, &labels, &SoftMarginOptions::default())?;
/// let expected = (2.0_f64.ln() + (1.0 + 2.0_f64.exp()).ln()) / 2.0;
/// assert!((loss.scalar().unwrap() - expected).abs() < 1e-12);
/// assert_eq!(loss.grad.input[0], -0.25);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn soft_margin_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &SoftMarginOptions<'_, T>,
) -> Result<Loss<T, InputGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let z: Vec<f64> = x
        .data
        .iter()
        .zip(&y.data)
        .map(|(&x, &y)| exp_in::<T>(-x * y))
        .collect();
    let elems = z.iter().map(|z| z.ln_1p()).collect();
    let reduced = reduce(
        NAME,
        elems,
        &x.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;
    let grad_input = z
        .iter()
        .zip(&y.data)
        .enumerate()
        .map(|(i, (&z, &y))| -y * z / (1.0 + z) * reduced.seed.at(i))
        .collect();
    Ok(Loss {
        value: reduced.value,
        grad: InputGrad {
            input: to_array(&x.shape, grad_input),
        },
    })
}

/// `exp(v)`, infinite wherever it overflows `T` (as PyTorch's `exp` in `T` does), so `f32`
/// losses overflow exactly where PyTorch's do although the math runs in `f64`.
fn exp_in<T: Real>(v: f64) -> f64 {
    let z = v.exp();
    if T::from_f64(z).to_f64().is_infinite() {
        f64::INFINITY
    } else {
        z
    }
}
