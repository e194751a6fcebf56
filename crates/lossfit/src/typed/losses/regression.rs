//! `L1`, `SmoothL1`, `Huber`, `PoissonNll` and `GaussianNll`: the other `Regression` losses.
//!
//! They share `Mse`'s prediction and target kinds (`Predictions`, `Targets`), except
//! `GaussianNll`, whose head predicts a mean and a variance.

use ndarray::ArrayViewD;

use crate::functional::{
    GaussianNllGrad, GaussianNllOptions, HuberOptions, L1Options, PoissonNllOptions,
    SmoothL1Options, gaussian_nll_loss, huber_loss, l1_loss, poisson_nll_loss, smooth_l1_loss,
};
use crate::typed::{
    GaussianPredictions, Prediction, ReductionMode, Regression, RegressionLoss, Unset,
};
use crate::{InputTargetGrad, Loss, Real, Result};

use super::PointPrediction;
use crate::typed::families::RegressionTargets;
use crate::typed::{LossElement, as_loss};

/// Declares a point-regression loss: struct, constructor with PyTorch's defaults, setters, and
/// its `RegressionLoss` impl calling one functional function.
macro_rules! point_regression_loss {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$field_meta:meta])* $field:ident: $default:expr),* }
        => |$loss:ident, $input:ident, $target:ident| $call:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<T, R = Unset> {
            $($field: f64,)*
            element: std::marker::PhantomData<T>,
            mode: R,
        }

        impl<T: Real> $name<T> {
            /// PyTorch's defaults, with the reduction not yet chosen.
            #[must_use]
            pub fn new() -> Self {
                $name { $($field: $default,)* element: std::marker::PhantomData, mode: Unset }
            }
        }

        impl<T: Real> Default for $name<T> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T: Real, R: ReductionMode> $name<T, R> {
            $(
                $(#[$field_meta])*
                #[must_use]
                pub fn $field(mut self, $field: f64) -> Self {
                    self.$field = $field;
                    self
                }
            )*
        }

        typed_loss_methods!($name { $($field,)* element }, grad: InputTargetGrad<T>);

        impl<T: Real, R: ReductionMode, P> RegressionLoss<P> for $name<T, R>
        where
            P: PointPrediction<T, Self> + Prediction<Task = Regression>,
            P::Elem: LossElement<T>,
        {
            type Family = RegressionTargets<P::Elem>;

            fn evaluate(
                &self,
                prediction: &P,
                target: ArrayViewD<'_, P::Elem>,
            ) -> Result<Loss<T, InputTargetGrad<T>>> {
                let ($loss, $input, $target): (&Self, ArrayViewD<'_, T>, ArrayViewD<'_, T>) =
                    (self, prediction.values(), as_loss(target));
                $call
            }
        }
    };
}

point_regression_loss! {
    /// Mean absolute error (`torch.nn.L1Loss`) between [`Predictions`](crate::Predictions) and
    /// [`Targets`](crate::Targets). Math: [`functional::l1_loss`](crate::functional::l1_loss).
    ///
    /// ```
    /// use lossfit::{L1, Mean, Predictions, Targets};
    /// use ndarray::array;
    ///
    /// let loss = L1::new().reduction(Mean)
    ///     .compute(&Predictions::new(array![1.0_f64, -1.0]), &Targets::new(array![0.0, 0.0])?)?;
    /// assert_eq!(loss.value, 1.0);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    L1 {} => |loss, input, target| {
        let _ = loss;
        l1_loss(input, target, &L1Options { reduction: loss.mode.reduction(), ..L1Options::default() })
    }
}

point_regression_loss! {
    /// Smooth L1 (`torch.nn.SmoothL1Loss`): quadratic below `beta`, linear above; `beta = 0` is
    /// L1. Math: [`functional::smooth_l1_loss`](crate::functional::smooth_l1_loss).
    ///
    /// ```
    /// use lossfit::{Mean, Predictions, SmoothL1, Targets};
    /// use ndarray::array;
    ///
    /// let loss = SmoothL1::new().beta(1.0).reduction(Mean)
    ///     .compute(&Predictions::new(array![0.5_f64]), &Targets::new(array![0.0])?)?;
    /// assert_eq!(loss.value, 0.125);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    SmoothL1 {
        /// Where the loss turns from quadratic to linear (`>= 0`).
        beta: 1.0
    } => |loss, input, target| smooth_l1_loss(input, target, &SmoothL1Options {
        beta: loss.beta,
        reduction: loss.mode.reduction(),
        ..SmoothL1Options::default()
    })
}

point_regression_loss! {
    /// Huber loss (`torch.nn.HuberLoss`): quadratic below `delta`, `delta`-scaled linear above.
    /// Math: [`functional::huber_loss`](crate::functional::huber_loss).
    ///
    /// ```
    /// use lossfit::{Huber, Mean, Predictions, Targets};
    /// use ndarray::array;
    ///
    /// let loss = Huber::new().delta(1.0).reduction(Mean)
    ///     .compute(&Predictions::new(array![3.0_f64]), &Targets::new(array![0.0])?)?;
    /// assert_eq!(loss.value, 2.5);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    Huber {
        /// Where the loss turns from quadratic to linear (`> 0`).
        delta: 1.0
    } => |loss, input, target| huber_loss(input, target, &HuberOptions {
        delta: loss.delta,
        reduction: loss.mode.reduction(),
        ..HuberOptions::default()
    })
}

/// Poisson negative log-likelihood (`torch.nn.PoissonNLLLoss`) of count
/// [`Targets`](crate::Targets) given predicted log-rates (default) or rates. Math:
/// [`functional::poisson_nll_loss`](crate::functional::poisson_nll_loss).
///
/// ```
/// use lossfit::{Mean, PoissonNll, Predictions, Targets};
/// use ndarray::array;
///
/// let loss = PoissonNll::new().reduction(Mean)
///     .compute(&Predictions::new(array![0.0_f64]), &Targets::new(array![1.0])?)?;
/// assert_eq!(loss.value, 1.0); // exp(0) - 1 * 0
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonNll<T, R = Unset> {
    log_input: bool,
    full: bool,
    eps: f64,
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> PoissonNll<T> {
    /// PyTorch's defaults (log-rate input, no Stirling term, `eps = 1e-8`).
    #[must_use]
    pub fn new() -> Self {
        PoissonNll {
            log_input: true,
            full: false,
            eps: 1e-8,
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for PoissonNll<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> PoissonNll<T, R> {
    /// Whether the predictions are log-rates (`true`, default) or rates.
    #[must_use]
    pub fn log_input(mut self, log_input: bool) -> Self {
        self.log_input = log_input;
        self
    }

    /// Adds Stirling's approximation of `log(target!)`.
    #[must_use]
    pub fn full(mut self, full: bool) -> Self {
        self.full = full;
        self
    }

    /// Added to rates before the log when `log_input` is false.
    #[must_use]
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
}

typed_loss_methods!(PoissonNll { log_input, full, eps, element }, grad: InputTargetGrad<T>);

impl<T: Real, R: ReductionMode, P> RegressionLoss<P> for PoissonNll<T, R>
where
    P: PointPrediction<T, Self> + Prediction<Task = Regression>,
    P::Elem: LossElement<T>,
{
    type Family = RegressionTargets<P::Elem>;

    fn evaluate(
        &self,
        prediction: &P,
        target: ArrayViewD<'_, P::Elem>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        let options = PoissonNllOptions {
            log_input: self.log_input,
            full: self.full,
            eps: self.eps,
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        poisson_nll_loss(prediction.values(), as_loss(target), &options)
    }
}

/// Gaussian negative log-likelihood (`torch.nn.GaussianNLLLoss`) of
/// [`Targets`](crate::Targets) under a predicted mean and variance
/// ([`GaussianPredictions`]). Math:
/// [`functional::gaussian_nll_loss`](crate::functional::gaussian_nll_loss).
///
/// ```
/// use lossfit::{GaussianNll, GaussianPredictions, Mean, Targets};
/// use ndarray::array;
///
/// let head = GaussianPredictions::new(array![0.0_f64], array![1.0])?;
/// let loss = GaussianNll::new().reduction(Mean).compute(&head, &Targets::new(array![2.0])?)?;
/// assert_eq!(loss.value, 2.0); // 0.5 * (ln 1 + 2^2 / 1)
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianNll<T, R = Unset> {
    full: bool,
    eps: f64,
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> GaussianNll<T> {
    /// PyTorch's defaults (no constant term, `eps = 1e-6`).
    #[must_use]
    pub fn new() -> Self {
        GaussianNll {
            full: false,
            eps: 1e-6,
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for GaussianNll<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> GaussianNll<T, R> {
    /// Adds the constant `0.5 * log(2 pi)`.
    #[must_use]
    pub fn full(mut self, full: bool) -> Self {
        self.full = full;
        self
    }

    /// The variance is clamped to at least `eps`.
    #[must_use]
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
}

typed_loss_methods!(GaussianNll { full, eps, element }, grad: GaussianNllGrad<T>);

/// The prediction kind `GaussianNll` takes.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `GaussianPredictions` (a mean and a variance), but got `{Self}`",
    label = "not a mean and a variance",
    note = "wrap the head's two outputs with `GaussianPredictions::new(mean, var)`; point predictions go with `Mse`, `L1`, `SmoothL1` or `Huber`"
)]
pub trait GaussianInput<T, L> {
    /// The predicted mean and variance.
    fn gaussian(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>);
}

impl<T, U: Real + LossElement<T>, L> GaussianInput<T, L> for GaussianPredictions<U> {
    fn gaussian(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>) {
        (U::view(self.mean()), U::view(self.var()))
    }
}

impl<T: Real, R: ReductionMode, P> RegressionLoss<P> for GaussianNll<T, R>
where
    P: GaussianInput<T, Self> + Prediction<Task = Regression>,
    P::Elem: LossElement<T>,
{
    type Family = RegressionTargets<P::Elem>;

    fn evaluate(
        &self,
        prediction: &P,
        target: ArrayViewD<'_, P::Elem>,
    ) -> Result<Loss<T, GaussianNllGrad<T>>> {
        let (mean, var) = prediction.gaussian();
        let options = GaussianNllOptions {
            full: self.full,
            eps: self.eps,
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        gaussian_nll_loss(mean, as_loss(target), var, &options)
    }
}
