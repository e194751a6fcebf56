//! Gaussian negative log-likelihood: regression that also predicts its own uncertainty.

use std::f64::consts::PI;

use ndarray::{ArrayD, ArrayViewD};

use super::math::sum;
use super::reduce::reduce;
use crate::output::gradients;
use crate::tensor::{Dense, check_param, expect_same_shape, position, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "gaussian_nll_loss";

/// Options of [`gaussian_nll_loss`] and [`gaussian_nll_loss_scalar_var`] (PyTorch's keywords
/// and defaults).
///
/// ```
/// use lossfit::functional::GaussianNllOptions;
/// let options = GaussianNllOptions::<f64>::default();
/// assert!(!options.full);
/// assert_eq!(options.eps, 1e-6);
/// ```
#[derive(Clone, Debug)]
pub struct GaussianNllOptions<'a, T> {
    /// Add the constant `0.5 * log(2 pi)` to every element, making the value the full negative
    /// log-likelihood; default `false` (the constant changes no gradient).
    pub full: bool,
    /// The variance is clamped to at least `eps` before use; default `1e-6`, must be finite and
    /// `>= 0`.
    pub eps: f64,
    /// Default [`Reduction::Mean`] (the mean over the input's elements).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for GaussianNllOptions<'_, T> {
    fn default() -> Self {
        GaussianNllOptions {
            full: false,
            eps: 1e-6,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

gradients! {
    /// The gradients of [`gaussian_nll_loss`].
    GaussianNllGrad {
        /// d loss / d input (the predicted mean).
        input,
        /// d loss / d target.
        target,
        /// d loss / d var, of var's own shape: summed over the elements that share a variance.
        var,
    }
}

/// Gaussian negative log-likelihood with a variance tensor
/// (`torch.nn.functional.gaussian_nll_loss`).
///
/// ```text
/// v_i = max(var[b(i)], eps)                  (b: the broadcast of var over input, see Shapes)
/// l_i = 0.5 (log v_i + (x_i - y_i)^2 / v_i)  (+ 0.5 log(2 pi) when full)
/// d l_i / d x_i = (x_i - y_i) / v_i = -d l_i / d y_i
/// d loss / d var[j] = sum_{i: b(i) = j} 0.5 (1 / v_i - (x_i - y_i)^2 / v_i^2) * seed_i
/// ```
/// As in PyTorch, the clamp is invisible to autograd: where `var < eps` the variance gradient
/// is the derivative at `eps`, not zero (PyTorch clamps a copy in place under `no_grad`).
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape. `var` may have (PyTorch's rules, and the
/// only broadcast lossfit does):
/// - the input's shape (one variance per element, heteroscedastic);
/// - the input's shape without its last dimension (one variance per row of the last dimension,
///   e.g. `(N,)` for a `(N, D)` input; a 0-dimensional `var` for a 1-dimensional input);
/// - the input's number of dimensions with exactly one dimension of size 1 where the input's
///   differs (e.g. `(N, 1)`, or `(B, 1, H, W)` for a `(B, C, H, W)` input): shared along it.
///
/// For one variance for everything use [`gaussian_nll_loss_scalar_var`].
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) for a target, var or `grad_output` of the
/// wrong shape; [`LossError::Domain`](crate::LossError::Domain) for a negative variance;
/// [`LossError::Parameter`](crate::LossError::Parameter) for an `eps` that is negative or not
/// finite.
///
/// ```
/// use lossfit::functional::{gaussian_nll_loss, GaussianNllOptions};
/// use lossfit::Reduction;
/// use ndarray::array;
///
/// // One variance per sample for 2-dimensional predictions.
/// let input = array![[1.0_f64, 2.0], [0.0, 0.0]];
/// let target = array![[1.0_f64, 0.0], [0.0, 1.0]];
/// let var = array![1.0_f64, 0.5];
/// let options = GaussianNllOptions { reduction: Reduction::Sum, ..Default::default() };
/// let loss = gaussian_nll_loss(&input, &target, &var, &options)?;
/// assert_eq!(loss.grad.input, array![[0.0, 2.0], [0.0, -2.0]].into_dyn());
/// assert_eq!(loss.grad.var.shape(), &[2]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn gaussian_nll_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    var: impl AsTensor<'a, T>,
    options: &GaussianNllOptions<'_, T>,
) -> Result<Loss<T, GaussianNllGrad<T>>> {
    let (input, target, var) = (input.as_tensor(), target.as_tensor(), var.as_tensor());
    check_eps(options.eps)?;
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let var_shape = broadcast_var_shape(input.shape(), var.shape())?;
    let v = Dense::from_view(&var);
    if let Some(flat) = v.data.iter().position(|&vi| vi < 0.0) {
        return Err(LossError::Domain {
            loss: NAME,
            arg: "var",
            position: position(&v.shape, flat),
            value: v.data[flat],
            expected: "variances must be >= 0 (values below eps are clamped to eps); predict \
                       the variance through softplus or exp to keep it positive"
                .to_string(),
        });
    }
    let index = var_indices(input.shape(), &var_shape);
    let (value, grad) = gaussian(
        &Dense::from_view(&input),
        &Dense::from_view(&target),
        &v.data,
        &index,
        options,
    )?;
    Ok(Loss {
        value,
        grad: GaussianNllGrad {
            input: grad.input,
            target: grad.target,
            var: to_array(&v.shape, grad.var),
        },
    })
}

/// Gaussian negative log-likelihood with one variance for every element
/// (`torch.nn.functional.gaussian_nll_loss` with a Python float `var`).
///
/// ```text
/// v = max(var, eps)
/// l_i = 0.5 (log v + (x_i - y_i)^2 / v)  (+ 0.5 log(2 pi) when full)
/// d l_i / d x_i = (x_i - y_i) / v = -d l_i / d y_i
/// ```
/// `var` is a constant here, as a Python float is to autograd, so it gets no gradient; pass a
/// 0-dimensional array to [`gaussian_nll_loss`] for one. It is rounded to `T` first, as PyTorch
/// multiplies it into a tensor of the input's dtype.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape.
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) for a negative `var` or an `eps` that
/// is negative or not finite; [`LossError::Shape`](crate::LossError::Shape) when the shapes
/// differ or `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{gaussian_nll_loss_scalar_var, GaussianNllOptions};
/// use ndarray::array;
///
/// let options = GaussianNllOptions { full: true, ..Default::default() };
/// let loss = gaussian_nll_loss_scalar_var(&array![0.0_f64], &array![0.0_f64], 1.0, &options)?;
/// // A standard normal at its mean: 0.5 log(2 pi).
/// assert!((loss.scalar().unwrap() - 0.918_938_533_204_672_7).abs() < 1e-15);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn gaussian_nll_loss_scalar_var<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    var: f64,
    options: &GaussianNllOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    check_eps(options.eps)?;
    check_param(
        NAME,
        "var",
        var,
        var >= 0.0 || var.is_nan(),
        "expected a variance >= 0 (values below eps are clamped to eps)",
    )?;
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let var = [T::from_f64(var).to_f64()];
    let index = vec![0; input.len()];
    let (value, grad) = gaussian(
        &Dense::from_view(&input),
        &Dense::from_view(&target),
        &var,
        &index,
        options,
    )?;
    Ok(Loss {
        value,
        grad: InputTargetGrad {
            input: grad.input,
            target: grad.target,
        },
    })
}

fn check_eps(eps: f64) -> Result<()> {
    check_param(
        NAME,
        "eps",
        eps,
        eps.is_finite() && eps >= 0.0,
        "expected a finite value >= 0 (the smallest variance used; 1e-6 is PyTorch's default)",
    )
}

/// The shape `var` broadcasts from, with the input's number of dimensions, under PyTorch's
/// rules (see [`gaussian_nll_loss`]).
fn broadcast_var_shape(input: &[usize], var: &[usize]) -> Result<Vec<usize>> {
    if var == input {
        return Ok(var.to_vec());
    }
    if let Some((_, leading)) = input.split_last()
        && leading == var
    {
        return Ok([var, &[1]].concat());
    }
    if var.len() == input.len() {
        let mut differing = input.iter().zip(var).filter(|(i, v)| i != v);
        if let (Some((_, 1)), None) = (differing.next(), differing.next()) {
            return Ok(var.to_vec());
        }
    }
    Err(LossError::Shape {
        loss: NAME,
        arg: "var",
        found: var.to_vec(),
        expected: format!(
            "the input's shape {input:?}, the input's shape without its last dimension, or the \
             input's shape with exactly one dimension replaced by 1"
        ),
        fix: "give one variance per element, per row of the last dimension, or shared along a \
              single dimension of size 1; for one variance for everything use \
              `gaussian_nll_loss_scalar_var`"
            .to_string(),
    })
}

/// For each element of the input (row-major), the flat index of its variance in `var`, whose
/// broadcast shape `var_shape` has the input's rank and extent 1 where it is shared.
fn var_indices(input: &[usize], var_shape: &[usize]) -> Vec<usize> {
    let count: usize = input.iter().product();
    (0..count)
        .map(|flat| {
            let (mut rest, mut index, mut stride) = (flat, 0, 1);
            for (&extent, &shared) in input.iter().zip(var_shape).rev() {
                let coordinate = rest % extent;
                rest /= extent;
                if shared == extent {
                    index += coordinate * stride;
                }
                stride *= shared;
            }
            index
        })
        .collect()
}

/// The raw gradients of the core: per element for input and target, per variance for var.
struct RawGrad<T> {
    input: ArrayD<T>,
    target: ArrayD<T>,
    var: Vec<f64>,
}

/// The loss of every element against its (clamped) variance `var[index[i]]`, reduced, with
/// the gradients; var's gradient is summed over the elements sharing each variance.
fn gaussian<T: Real>(
    x: &Dense,
    y: &Dense,
    var: &[f64],
    index: &[usize],
    options: &GaussianNllOptions<'_, T>,
) -> Result<(ArrayD<T>, RawGrad<T>)> {
    // PyTorch clamps in the tensor's own precision; the comparison keeps NaN variances NaN.
    let eps = T::from_f64(options.eps).to_f64();
    let clamped: Vec<f64> = var.iter().map(|&v| if v < eps { eps } else { v }).collect();
    let constant = if options.full {
        0.5 * (2.0 * PI).ln()
    } else {
        0.0
    };
    let diffs: Vec<f64> = x.data.iter().zip(&y.data).map(|(a, b)| a - b).collect();
    let elems = diffs
        .iter()
        .zip(index)
        .map(|(d, &j)| {
            let v = clamped[j];
            0.5 * (v.ln() + d * d / v) + constant
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
    let mut shared: Vec<Vec<f64>> = vec![Vec::new(); var.len()];
    let grad_input: Vec<f64> = diffs
        .iter()
        .zip(index)
        .enumerate()
        .map(|(i, (d, &j))| {
            let (v, seed) = (clamped[j], reduced.seed.at(i));
            let half = 0.5 * seed;
            shared[j].push(half / v - half * (d * d / v) / v);
            seed * d / v
        })
        .collect();
    let grad_target = grad_input.iter().map(|g| -g).collect();
    Ok((
        reduced.value,
        RawGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
            var: shared.into_iter().map(sum).collect(),
        },
    ))
}
