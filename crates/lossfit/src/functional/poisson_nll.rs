//! Poisson negative log-likelihood, for count targets (events per interval, photon counts).

use std::f64::consts::PI;

use ndarray::ArrayViewD;

use super::reduce::reduce;
use crate::tensor::{Dense, check_param, expect_same_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "poisson_nll_loss";

/// Options of [`poisson_nll_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::PoissonNllOptions;
/// let options = PoissonNllOptions::<f32>::default();
/// assert!(options.log_input && !options.full);
/// assert_eq!(options.eps, 1e-8);
/// ```
#[derive(Clone, Debug)]
pub struct PoissonNllOptions<'a, T> {
    /// `true` (default): the input is the log of the rate; `false`: the rate itself.
    pub log_input: bool,
    /// Add Stirling's approximation of `log(target!)` (where `target > 1`), making the value
    /// the full negative log-likelihood; default `false`.
    pub full: bool,
    /// Added to the rate inside the log when `log_input` is `false`; default `1e-8`, must be
    /// finite and `>= 0` (ignored, and not checked, when `log_input` is `true`).
    pub eps: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for PoissonNllOptions<'_, T> {
    fn default() -> Self {
        PoissonNllOptions {
            log_input: true,
            full: false,
            eps: 1e-8,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Poisson negative log-likelihood (`torch.nn.functional.poisson_nll_loss`).
///
/// ```text
/// l_i = exp(x_i) - y_i x_i                 log_input
///       x_i - y_i log(x_i + eps)           otherwise
///     + [y_i > 1] (y_i log y_i - y_i + 0.5 log(2 pi y_i))      when full
/// d l_i / d x_i = exp(x_i) - y_i           log_input
///                 1 - y_i / (x_i + eps)    otherwise
/// d l_i / d y_i = -x_i  or  -log(x_i + eps),  + [y_i > 1] (log y_i + 0.5 / y_i)  when full
/// ```
/// As PyTorch's autograd, `full` makes the target gradient NaN where `y_i <= 0` (the masked
/// Stirling term still multiplies a zero by `log(y_i)`), and the value is NaN for NaN targets.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape (PyTorch would broadcast; lossfit never
/// does).
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) when `log_input` is `false` and `eps`
/// is negative or not finite; [`LossError::Shape`](crate::LossError::Shape) when the shapes
/// differ or `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{poisson_nll_loss, PoissonNllOptions};
/// use ndarray::array;
///
/// // log-rate 0 (rate 1) against a count of 1: exp(0) - 1 * 0 = 1.
/// let loss = poisson_nll_loss(&array![0.0_f64], &array![1.0_f64], &PoissonNllOptions::default())?;
/// assert_eq!(loss.scalar(), Some(1.0));
/// assert_eq!(loss.grad.input, array![0.0].into_dyn());
/// assert_eq!(loss.grad.target, array![0.0].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn poisson_nll_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &PoissonNllOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    if !options.log_input {
        check_param(
            NAME,
            "eps",
            options.eps,
            options.eps.is_finite() && options.eps >= 0.0,
            "expected a finite value >= 0 (keeps log(input + eps) finite at a zero rate; \
             1e-8 is PyTorch's default)",
        )?;
    }
    // PyTorch adds eps in the tensor's own precision.
    let eps = T::from_f64(options.eps).to_f64();
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let pairs = || x.data.iter().copied().zip(y.data.iter().copied());
    let elems = pairs()
        .map(|(xi, yi)| {
            let base = if options.log_input {
                xi.exp() - yi * xi
            } else {
                xi - yi * (xi + eps).ln()
            };
            if options.full {
                base + stirling(yi)
            } else {
                base
            }
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
    let (grad_input, grad_target): (Vec<f64>, Vec<f64>) = pairs()
        .enumerate()
        .map(|(i, (xi, yi))| {
            let s = reduced.seed.at(i);
            let (gx, gy) = if options.log_input {
                (s * xi.exp() - s * yi, -s * xi)
            } else {
                (s - s * yi / (xi + eps), -s * (xi + eps).ln())
            };
            let gy = if options.full {
                gy + stirling_grad(yi, s)
            } else {
                gy
            };
            (gx, gy)
        })
        .unzip();
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}

/// Stirling's approximation of `log(y!)`, counted only where `y > 1` (NaN passes through).
fn stirling(y: f64) -> f64 {
    if y <= 1.0 {
        0.0
    } else {
        y * y.ln() - y + 0.5 * (2.0 * PI * y).ln()
    }
}

/// The gradient of `seed * stirling(y)` as PyTorch's autograd computes it.
///
/// Where `y <= 1` the term is masked out, but autograd still multiplies the zeroed gradient by
/// `log(y)` and divides it by `y`: zero for `0 < y <= 1`, NaN for `y <= 0`. At `y = inf` the
/// quotient `(seed * y) / y` is NaN.
fn stirling_grad(y: f64, seed: f64) -> f64 {
    if y <= 1.0 {
        if y > 0.0 { 0.0 } else { f64::NAN }
    } else if y.is_infinite() {
        f64::NAN
    } else {
        seed * (y.ln() + 0.5 / y)
    }
}
