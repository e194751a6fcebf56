//! Sigmoid focal loss (Lin et al. 2017) as torchvision defines it, for dense detection and
//! imbalanced multi-label heads.

use ndarray::ArrayViewD;

use super::bce_with_logits::{in_dtype, logit_bce, logit_bce_grad, sigmoid_in};
use super::reduce::reduce;
use crate::tensor::{Dense, check_param, expect_same_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "sigmoid_focal_loss";

/// Options of [`sigmoid_focal_loss`] (torchvision's keywords and defaults, except `reduction`).
///
/// torchvision's `sigmoid_focal_loss` defaults to `reduction="none"`; here the default is
/// [`Reduction::Mean`], like every other lossfit loss, so a focal loss drops into a training
/// loop in place of BCE without a shape change. Set [`Reduction::None`] for torchvision's
/// default.
///
/// ```
/// use lossfit::functional::SigmoidFocalOptions;
/// use lossfit::Reduction;
///
/// let options = SigmoidFocalOptions::<f32>::default();
/// assert_eq!((options.alpha, options.gamma, options.reduction), (0.25, 2.0, Reduction::Mean));
/// let unbalanced = SigmoidFocalOptions::<f32> { alpha: -1.0, ..Default::default() };
/// assert!(unbalanced.alpha < 0.0);
/// ```
#[derive(Clone, Debug)]
pub struct SigmoidFocalOptions<'a, T> {
    /// Weight of the positive term in `[0, 1]` (negatives get `1 - alpha`); any negative value
    /// disables the balancing, as torchvision's `-1`. Default 0.25.
    pub alpha: f64,
    /// Focusing exponent `>= 0` on `1 - p_t`; 0 gives plain (alpha-balanced) BCE. Default 2.
    pub gamma: f64,
    /// Default [`Reduction::Mean`] (torchvision's default is `none`, see above).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for SigmoidFocalOptions<'_, T> {
    fn default() -> Self {
        SigmoidFocalOptions {
            alpha: 0.25,
            gamma: 2.0,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Sigmoid focal loss on logits (`torchvision.ops.sigmoid_focal_loss`).
///
/// ```text
/// p    = sigmoid(x)
/// ce   = binary_cross_entropy_with_logits(x, y)            per element
/// p_t  = p y + (1 - p)(1 - y),   m = 1 - p_t
/// a_t  = alpha y + (1 - alpha)(1 - y)                       (a_t = 1 if alpha < 0)
/// l    = a_t * ce * m^gamma
/// d l / d x = a_t * ((p - y) m^gamma - ce * gamma m^(gamma - 1) * p (1 - p)(2y - 1))
/// d l / d y = a_t * (-x m^gamma - ce * gamma m^(gamma - 1) * (2p - 1))
///             + (2 alpha - 1) * ce * m^gamma                         (alpha >= 0 only)
/// ```
/// Easy examples (`p_t` near 1) are down-weighted by `(1 - p_t)^gamma`; with `gamma = 0` and
/// `alpha < 0` this is exactly BCE with logits.
///
/// # Parity with torchvision
/// `1 - p_t` cancels badly near saturation, and the gradients sum terms that cancel, so this
/// loss retraces torchvision's graph through PyTorch's autograd step by
/// step, rounding each intermediate to `T` as PyTorch does. It therefore agrees with PyTorch
/// also where `1 - p_t` is exactly 0 (a confident correct logit beyond about 17 in magnitude
/// for `f32`, 37 for `f64`): there the focusing term's gradient is 0 for `gamma = 0` (PyTorch's
/// `pow` backward), finite for `gamma >= 1`, and, as in PyTorch, infinite or NaN for
/// `0 < gamma < 1`; and an `f32` gradient whose exact value is 0 carries PyTorch's rounding
/// residue, not 0.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape; the value is a scalar, or of the input's
/// shape for [`Reduction::None`].
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the shapes differ or `grad_output` does
/// not fit the value; [`LossError::Parameter`](crate::LossError::Parameter) for `gamma`
/// negative or not finite, or `alpha` above 1 or NaN (torchvision documents these ranges but
/// does not check them).
///
/// ```
/// use lossfit::functional::{sigmoid_focal_loss, SigmoidFocalOptions};
/// use lossfit::Reduction;
/// use ndarray::array;
///
/// let logits = array![0.0_f64, 4.0];
/// let labels = array![1.0_f64, 1.0];
/// let options = SigmoidFocalOptions { reduction: Reduction::None, ..Default::default() };
/// let loss = sigmoid_focal_loss(&logits, &labels, &options)?;
/// // At x = 0: 0.25 * log 2 * 0.5^2.
/// assert!((loss.value[0] - 0.25 * 2.0_f64.ln() * 0.25).abs() < 1e-15);
/// // The confident, correct x = 4 is down-weighted far more than by plain BCE.
/// assert!(loss.value[1] < 1e-4 * loss.value[0]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn sigmoid_focal_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &SigmoidFocalOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    let focal = Focal::new(options.alpha, options.gamma)?;
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let terms: Vec<FocalTerm> = x
        .data
        .iter()
        .zip(&y.data)
        .map(|(&x, &y)| focal.forward::<T>(x, y))
        .collect();
    let elems = terms.iter().map(|term| term.loss).collect();
    let reduced = reduce(
        NAME,
        elems,
        &x.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad_input = Vec::with_capacity(terms.len());
    let mut grad_target = Vec::with_capacity(terms.len());
    for (i, term) in terms.iter().enumerate() {
        let (dx, dy) = focal.backward::<T>(term, x.data[i], y.data[i], reduced.seed.at(i));
        grad_input.push(dx);
        grad_target.push(dy);
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}

/// The validated hyperparameters.
#[derive(Clone, Copy, Debug)]
struct Focal {
    /// `None` when balancing is disabled (`alpha < 0`).
    alpha: Option<f64>,
    gamma: f64,
}

/// The intermediates of one element that the backward pass reuses, each rounded to `T`.
#[derive(Clone, Copy, Debug)]
struct FocalTerm {
    /// `sigmoid(x)`.
    p: f64,
    /// `1 - p`.
    q: f64,
    /// `1 - y`.
    y_neg: f64,
    /// The per-element BCE with logits.
    ce: f64,
    /// `1 - p_t`.
    miss: f64,
    /// `(1 - p_t)^gamma`.
    modulator: f64,
    /// `ce * modulator`.
    unbalanced: f64,
    /// `a_t` (1 when balancing is disabled).
    alpha_t: f64,
    loss: f64,
}

impl Focal {
    fn new(alpha: f64, gamma: f64) -> Result<Self> {
        check_param(
            NAME,
            "gamma",
            gamma,
            gamma.is_finite() && gamma >= 0.0,
            "expected a finite exponent >= 0 (2 is the paper's choice; 0 turns focusing off)",
        )?;
        check_param(
            NAME,
            "alpha",
            alpha,
            alpha <= 1.0,
            "expected a positive-class weight in [0, 1] (0.25 is the paper's choice), or a \
             negative value such as -1 to disable balancing",
        )?;
        Ok(Focal {
            alpha: (alpha >= 0.0).then_some(alpha),
            gamma,
        })
    }

    /// torchvision's forward for one element, operation by operation, each result rounded to
    /// `T` as PyTorch computes it in `T`.
    ///
    /// The rounding matters where `1 - p_t` cancels: where the sigmoid saturates in `T` (beyond
    /// about 17 for `f32`) PyTorch's `1 - p_t` is exactly 0 and the focusing term has PyTorch's
    /// gradient there (infinite or NaN for `0 < gamma < 1`), which an `f64` `1 - p_t` of 1e-9
    /// would miss. For `f64` the rounding is the identity.
    fn forward<T: Real>(self, x: f64, y: f64) -> FocalTerm {
        let r = in_dtype::<T>;
        let p = sigmoid_in::<T>(x);
        let q = r(1.0 - p);
        let y_neg = r(1.0 - y);
        let ce = logit_bce::<T>(x, y, None);
        let p_t = r(r(p * y) + r(q * y_neg));
        let miss = r(1.0 - p_t);
        let modulator = r(miss.powf(self.gamma));
        let unbalanced = r(ce * modulator);
        let (alpha_t, loss) = match self.alpha {
            Some(alpha) => {
                let alpha_t = r(r(r(alpha) * y) + r(r(1.0 - alpha) * y_neg));
                (alpha_t, r(alpha_t * unbalanced))
            }
            None => (1.0, unbalanced),
        };
        FocalTerm {
            p,
            q,
            y_neg,
            ce,
            miss,
            modulator,
            unbalanced,
            alpha_t,
            loss,
        }
    }

    /// Reverse mode through [`Self::forward`]'s operations with upstream `seed`, each step as
    /// PyTorch's autograd takes it, in `T` and in autograd's order of accumulation.
    ///
    /// Following autograd this closely is what makes the result agree with PyTorch where the
    /// terms cancel: at a logit of `-1e4` with target 1 the three contributions to the target's
    /// gradient are each about `1e4` and sum to PyTorch's rounding residue, not to 0; and where
    /// `1 - p_t` is 0 the non-finite values arise exactly where PyTorch's do.
    fn backward<T: Real>(self, term: &FocalTerm, x: f64, y: f64, seed: f64) -> (f64, f64) {
        let r = in_dtype::<T>;
        let FocalTerm {
            p,
            q,
            y_neg,
            ce,
            miss,
            modulator,
            unbalanced,
            alpha_t,
            ..
        } = *term;
        let seed = r(seed);
        // loss = alpha_t * unbalanced, alpha_t = alpha * y + (1 - alpha) * (1 - y); the two
        // target terms arrive in this order (later operations are differentiated first)
        let (grad_unbalanced, mut grad_y) = match self.alpha {
            Some(alpha) => {
                let grad_alpha_t = r(seed * unbalanced);
                let from_negatives = -r(grad_alpha_t * r(1.0 - alpha));
                let from_positives = r(grad_alpha_t * r(alpha));
                (r(seed * alpha_t), Some(r(from_negatives + from_positives)))
            }
            None => (seed, None),
        };
        let mut accumulate = |term: f64| {
            grad_y = Some(grad_y.map_or(term, |acc| r(acc + term)));
        };
        // unbalanced = ce * modulator, modulator = miss^gamma (PyTorch's pow backward is 0 for
        // a zero exponent, whatever the base)
        let grad_ce = r(grad_unbalanced * modulator);
        let grad_miss = if self.gamma == 0.0 {
            0.0
        } else {
            let slope = r(r(self.gamma) * r(miss.powf(self.gamma - 1.0)));
            r(r(grad_unbalanced * ce) * slope)
        };
        // miss = 1 - p_t, p_t = p * y + q * y_neg
        let grad_p_t = -grad_miss;
        accumulate(-r(grad_p_t * q));
        let grad_p = r(-r(grad_p_t * y_neg) + r(grad_p_t * y));
        accumulate(r(grad_p_t * p));
        // ce's own backward, then p = sigmoid(x)
        let (ce_dx, ce_dy) = logit_bce_grad::<T>(x, y, None);
        accumulate(r(ce_dy * grad_ce));
        let grad_x = r(r(ce_dx * grad_ce) + r(r(grad_p * r(1.0 - p)) * p));
        (grad_x, grad_y.unwrap_or(0.0))
    }
}
