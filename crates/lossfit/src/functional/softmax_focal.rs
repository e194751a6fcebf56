//! Softmax focal loss: cross-entropy that down-weights the samples the model already gets right.

use ndarray::{ArrayView1, ArrayViewD};

use super::classes::{ClassLayout, class_weights};
use super::math::log_softmax;
use super::reduce::reduce;
use crate::tensor::{Dense, check_param, index_data, to_array};
use crate::{AsTensor, InputGrad, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "softmax_focal_loss";

/// Options of [`softmax_focal_loss`] (DESIGN.md section 2; there is no PyTorch builtin).
///
/// ```
/// use lossfit::functional::SoftmaxFocalOptions;
/// use ndarray::array;
///
/// let alpha = array![0.25_f32, 0.75];
/// let options = SoftmaxFocalOptions { alpha: Some(alpha.view()), ..Default::default() };
/// assert_eq!(options.gamma, 2.0);
/// ```
#[derive(Clone, Debug)]
pub struct SoftmaxFocalOptions<'a, T> {
    /// Per-class weights `alpha[c]`, one per class; unset means 1 for every class. They scale
    /// each position's loss by its target class's weight; the mean still divides by the number
    /// of positions.
    pub alpha: Option<ArrayView1<'a, T>>,
    /// The focusing exponent, finite and `>= 0`. Default `2.0`; `0` is (alpha-weighted)
    /// cross-entropy.
    pub gamma: f64,
    /// Default [`Reduction::Mean`] (divides by the number of positions `N * d1 * ..`).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for SoftmaxFocalOptions<'_, T> {
    fn default() -> Self {
        SoftmaxFocalOptions {
            alpha: None,
            gamma: 2.0,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Softmax focal loss of raw logits against class indices (Lin et al. 2017, multi-class form;
/// no `torch.nn.functional` equivalent: PyTorch's counterpart is the autograd of the reference
/// in `tests/golden/cases/multiclass.py`).
///
/// ```text
/// log p_n = log_softmax(x_n)[y_n]                 over the class dimension
/// u_n     = 1 - p_n = -expm1(log p_n)             (no cancellation when p_n is close to 1)
/// l_n     = -alpha[y_n] * u_n^gamma * log p_n
/// mean    = sum_n l_n / (number of positions)     (not divided by summed alphas)
/// d l_n / d log p_n = -alpha[y_n] * (u_n^gamma - gamma * u_n^(gamma-1) * p_n * log p_n)
/// d l_n / d x_n[j]  = d l_n / d log p_n * ([j == y_n] - softmax(x_n)[j])
/// ```
/// `gamma = 0` is exactly alpha-weighted cross-entropy (summed, or divided by the number of
/// positions: not by the summed weights as [`cross_entropy`](super::cross_entropy) with
/// `weight` does). The log-softmax subtracts the row maximum, so logits of magnitude `1e4` and
/// `-inf` logits of non-target classes are fine.
///
/// # Edge cases
/// - `p_n == 1` exactly (`log p_n == 0`, e.g. a target logit far above the others) with
///   `gamma > 0`: the loss is 0 and the gradient 0, the limit of the formula. Writing
///   `(1 - p) ** gamma` naively in PyTorch gives a NaN gradient there for `0 < gamma < 1`
///   (`0 * inf` in the chain rule); the reference guards `u == 0` with a double `torch.where`
///   and lossfit matches it.
/// - A target logit of `-inf` (`p_n == 0`): the loss is `inf`, and for `gamma > 0` the gradient
///   of that position is NaN (`0 * -inf` in `p * log p`), as autograd gives on the reference.
///   With `gamma == 0` it is cross-entropy's finite gradient.
///
/// # Shapes
/// `input` `(N, C)`, `(N, C, d1, ..)` (classes second) or unbatched `(C,)`; `target` the input's
/// shape without its class dimension. The value is a scalar, or of the target's shape for
/// [`Reduction::None`]; the gradient has the input's shape. There is no ignore index.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the target's shape is not the input's
/// without its class dimension, `alpha` does not hold one value per class, or `grad_output`
/// does not fit the value; [`LossError::ClassIndex`](crate::LossError::ClassIndex) for a target
/// outside `0..C`; [`LossError::Parameter`](crate::LossError::Parameter) for a negative or
/// non-finite `gamma`.
///
/// ```
/// use lossfit::functional::{softmax_focal_loss, SoftmaxFocalOptions};
/// use ndarray::array;
///
/// let logits = array![[0.0_f64, 0.0]];
/// let loss = softmax_focal_loss(&logits, &array![1_i64], &SoftmaxFocalOptions::default())?;
/// // p = 1/2: (1 - 1/2)^2 * ln 2
/// assert!((loss.scalar().unwrap() - 0.25 * 2.0_f64.ln()).abs() < 1e-15);
/// // Raising the target logit lowers the loss.
/// assert!(loss.grad.input[[0, 1]] < 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn softmax_focal_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, i64>,
    options: &SoftmaxFocalOptions<'_, T>,
) -> Result<Loss<T, InputGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    let gamma = options.gamma;
    check_param(
        NAME,
        "gamma",
        gamma,
        gamma.is_finite() && gamma >= 0.0,
        "expected a finite value >= 0 (2.0 is the usual choice; 0 gives cross-entropy)",
    )?;
    let layout = ClassLayout::of(NAME, input.shape())?;
    layout.expect_index_target(NAME, target.shape())?;
    let alpha = alpha_weights(options.alpha.as_ref(), layout.classes)?;
    let targets = index_data(&target);
    layout.check_indices(NAME, &targets, None)?;

    let x = Dense::from_view(&input);
    let classes = layout.classes;
    let mut log_p = vec![0.0; x.data.len()];
    let (mut row, mut row_log_p) = (vec![0.0; classes], vec![0.0; classes]);
    let mut terms = Vec::with_capacity(layout.positions());
    for (k, &y) in targets.iter().enumerate() {
        layout.gather(&x.data, k, &mut row);
        log_softmax(&row, &mut row_log_p);
        for (c, &lp) in row_log_p.iter().enumerate() {
            log_p[layout.offset(k, c)] = lp;
        }
        let y = y as usize;
        let a = alpha.as_ref().map_or(1.0, |alpha| alpha[y]);
        terms.push(focal_term(row_log_p[y], gamma, a));
    }
    let reduced = reduce(
        NAME,
        terms.iter().map(|t| t.value).collect(),
        &layout.target_shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad = vec![0.0; x.data.len()];
    for (k, (&y, term)) in targets.iter().zip(&terms).enumerate() {
        let d = reduced.seed.at(k) * term.slope;
        for c in 0..classes {
            let i = layout.offset(k, c);
            let onehot = if c == y as usize { 1.0 } else { 0.0 };
            grad[i] = d * (onehot - log_p[i].exp());
        }
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputGrad {
            input: to_array(&x.shape, grad),
        },
    })
}

/// One position's loss and its derivative with respect to the target's log-probability.
#[derive(Clone, Copy, Debug)]
struct FocalTerm {
    value: f64,
    slope: f64,
}

/// `-a * (1 - p)^gamma * log p` and its derivative in `log p`.
fn focal_term(log_p: f64, gamma: f64, a: f64) -> FocalTerm {
    if gamma == 0.0 {
        // Cross-entropy: no focal factor at all, so p == 0 (log p == -inf) keeps a finite slope.
        return FocalTerm {
            value: -a * log_p,
            slope: -a,
        };
    }
    let u = -log_p.exp_m1();
    if u > 0.0 {
        let factor = u.powf(gamma);
        let d_factor = -gamma * u.powf(gamma - 1.0) * log_p.exp();
        FocalTerm {
            value: -a * factor * log_p,
            slope: -a * (factor + log_p * d_factor),
        }
    } else {
        // p == 1: the factor and its contribution vanish (the limit; NaN stays NaN).
        FocalTerm {
            value: -a * 0.0 * log_p,
            slope: -a * (log_p * 0.0),
        }
    }
}

/// Widens `alpha` after checking it holds one value per class.
fn alpha_weights<T: Real>(
    alpha: Option<&ArrayView1<'_, T>>,
    classes: usize,
) -> Result<Option<Vec<f64>>> {
    if let Some(alpha) = alpha
        && alpha.len() != classes
    {
        return Err(LossError::Shape {
            loss: NAME,
            arg: "alpha",
            found: alpha.shape().to_vec(),
            expected: format!("[{classes}] (one weight per class)"),
            fix: format!(
                "pass exactly {classes} class weights, in class-index order, or none for 1 each"
            ),
        });
    }
    class_weights(NAME, alpha, classes)
}
