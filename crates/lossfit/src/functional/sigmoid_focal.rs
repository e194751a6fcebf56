//! Sigmoid focal loss (Lin et al. 2017) as torchvision defines it, for dense detection and
//! imbalanced multi-label heads.

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

use super::elementwise::{Input, MeanOver, ParamShape, Spec, fused_variants};
use crate::kernels::float::Float;
use crate::kernels::pointwise::Pointwise;
use crate::kernels::{Isa, pow_positive, sigmoid_and_log_sigmoid};
use crate::tensor::check_param;
use crate::{AsTensor, AsTensorMut, InputTargetGrad, Loss, Real, Reduction, Result};

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
    spec(options)?.loss(&input.as_tensor(), &target.as_tensor())
}

fused_variants!(
    sigmoid_focal_loss,
    sigmoid_focal_loss_into,
    sigmoid_focal_loss_in_place,
    SigmoidFocalOptions
);

fn spec<'o, 'a, T: Real>(options: &'o SigmoidFocalOptions<'a, T>) -> Result<FocalSpec<'o, 'a, T>> {
    fn with<'o, 'a, T, L>(options: &'o SigmoidFocalOptions<'a, T>, math: L) -> Spec<'o, 'a, T, L> {
        Spec {
            name: NAME,
            math,
            weight: None,
            pos_weight: None,
            param_shape: ParamShape::Exact,
            mean_over: MeanOver::Count,
            reduction: options.reduction,
            grad_output: options.grad_output.as_ref(),
        }
    }
    let (alpha, gamma) = check(options.alpha, options.gamma)?;
    Ok(match gamma {
        0.0 => FocalSpec::Zero(with(options, Focal { alpha, gamma })),
        1.0 => FocalSpec::One(with(options, Focal { alpha, gamma })),
        2.0 => FocalSpec::Two(with(options, Focal { alpha, gamma })),
        _ => FocalSpec::General(with(options, Focal { alpha, gamma })),
    })
}

/// The kernel of one call, by exponent: `m^gamma` is 1, `m` or `m * m` for gamma 0, 1 and 2
/// (2 is the paper's and the default), `exp(gamma ln m)` otherwise. One kernel per case,
/// because the vectoriser evaluates both sides of a per-element branch: a single kernel would
/// pay for `exp` and `ln` at gamma 2 as well.
#[derive(Debug)]
enum FocalSpec<'o, 'a, T> {
    Zero(Spec<'o, 'a, T, Focal<GAMMA_ZERO>>),
    One(Spec<'o, 'a, T, Focal<GAMMA_ONE>>),
    Two(Spec<'o, 'a, T, Focal<GAMMA_TWO>>),
    General(Spec<'o, 'a, T, Focal<GAMMA_GENERAL>>),
}

const GAMMA_ZERO: u8 = 0;
const GAMMA_ONE: u8 = 1;
const GAMMA_TWO: u8 = 2;
const GAMMA_GENERAL: u8 = 3;

/// Runs the same method on whichever kernel the call has.
macro_rules! each_kernel {
    ($spec:expr, |$s:ident| $body:expr) => {
        match $spec {
            FocalSpec::Zero($s) => $body,
            FocalSpec::One($s) => $body,
            FocalSpec::Two($s) => $body,
            FocalSpec::General($s) => $body,
        }
    };
}

impl<T: Real> FocalSpec<'_, '_, T> {
    fn loss(
        &self,
        input: &ArrayViewD<'_, T>,
        target: &ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        each_kernel!(self, |spec| spec.loss(input, target))
    }

    fn run_into(
        &self,
        input: ArrayViewD<'_, T>,
        target: &ArrayViewD<'_, T>,
        grad: &mut ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        each_kernel!(self, |spec| spec.run_into(input, target, grad))
    }

    fn run(
        &self,
        input: Input<'_, '_, '_, T>,
        target: &ArrayViewD<'_, T>,
        grad_target: Option<&mut ArrayViewMutD<'_, T>>,
    ) -> Result<ArrayD<T>> {
        each_kernel!(self, |spec| spec.run(input, target, grad_target))
    }
}

/// The focal term's parameters (`alpha` `None` when balancing is off); `GAMMA` is one of the
/// `GAMMA_*` kernels.
#[derive(Clone, Copy, Debug)]
struct Focal<const GAMMA: u8> {
    alpha: Option<f64>,
    gamma: f64,
}

/// Checks `alpha` and `gamma`; `alpha < 0` turns balancing off.
fn check(alpha: f64, gamma: f64) -> Result<(Option<f64>, f64)> {
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
    Ok(((alpha >= 0.0).then_some(alpha), gamma))
}

impl<const GAMMA: u8> Focal<GAMMA> {
    /// torchvision's forward for one element, operation by operation, each result rounded to
    /// `T` as PyTorch computes it in `T`.
    ///
    /// The rounding matters where `1 - p_t` cancels: where the sigmoid saturates in `T` (beyond
    /// about 17 for `f32`) PyTorch's `1 - p_t` is exactly 0 and the focusing term has PyTorch's
    /// gradient there (infinite or NaN for `0 < gamma < 1`), which an `f64` `1 - p_t` of 1e-9
    /// would miss. For `f64` the rounding is the identity.
    /// Loss and `g`-scaled gradients of input and target, retracing torchvision's graph and
    /// PyTorch's autograd step by step (later operations are differentiated first), each
    /// intermediate rounded to the element type as PyTorch does.
    #[inline(always)]
    fn chain<I: Isa, F: Float>(&self, x: F, y: F, seed: F) -> (F, F, F) {
        let one = F::c(1.0);
        let (p, log_sig) = sigmoid_and_log_sigmoid::<I, F>(x);
        let q = one - p;
        let y_neg = one - y;
        let ce = (one - y) * x - log_sig;
        let p_t = p * y + q * y_neg;
        let miss = one - p_t;
        let gamma = F::c(self.gamma);
        let modulator = match GAMMA {
            GAMMA_ZERO => F::c(1.0),
            GAMMA_ONE => miss,
            GAMMA_TWO => miss * miss,
            _ => pow_positive::<I, F>(miss, gamma),
        };
        let unbalanced = ce * modulator;
        let alpha = F::c(self.alpha.unwrap_or(0.0));
        let alpha_t = alpha * y + (one - alpha) * y_neg;
        // loss = alpha_t * unbalanced, alpha_t = alpha * y + (1 - alpha) * (1 - y); the two
        // target terms arrive in this order
        let (loss, grad_unbalanced, mut grad_y) = if self.alpha.is_some() {
            let grad_alpha_t = seed * unbalanced;
            let from_negatives = -(grad_alpha_t * (one - alpha));
            let from_positives = grad_alpha_t * alpha;
            (
                alpha_t * unbalanced,
                seed * alpha_t,
                from_negatives + from_positives,
            )
        } else {
            (unbalanced, seed, F::c(0.0))
        };
        // unbalanced = ce * modulator, modulator = miss^gamma (PyTorch's pow backward is 0 for
        // a zero exponent, whatever the base)
        let grad_ce = grad_unbalanced * modulator;
        let grad_miss = if GAMMA == GAMMA_ZERO {
            F::c(0.0)
        } else {
            let power = match GAMMA {
                GAMMA_ONE => F::c(1.0),
                GAMMA_TWO => miss,
                _ => pow_positive::<I, F>(miss, F::c(self.gamma - 1.0)),
            };
            let slope = gamma * power;
            grad_unbalanced * ce * slope
        };
        // miss = 1 - p_t, p_t = p * y + q * y_neg
        let grad_p_t = -grad_miss;
        grad_y = grad_y + -(grad_p_t * q);
        let grad_p = -(grad_p_t * y_neg) + grad_p_t * y;
        grad_y = grad_y + grad_p_t * p;
        // ce's own backward (d/dx = p - y, d/dy = -x), then p = sigmoid(x)
        grad_y = grad_y + -x * grad_ce;
        let grad_x = (p - y) * grad_ce + grad_p * (one - p) * p;
        (loss, grad_x, grad_y)
    }
}

impl<F: Float, const GAMMA: u8> Pointwise<F> for Focal<GAMMA> {
    #[inline(always)]
    fn forward<I: Isa>(&self, x: F, y: F, _pw: F, g: F) -> (F, F) {
        let (loss, dx, _) = self.chain::<I, F>(x, y, g);
        (loss, dx)
    }

    #[inline(always)]
    fn d_target<I: Isa>(&self, x: F, y: F, _pw: F, g: F) -> F {
        self.chain::<I, F>(x, y, g).2
    }
}
