//! `Mse`: mean squared error for `Regression` heads.

use ndarray::ArrayViewD;

use crate::functional::{MseOptions, mse_loss};
use crate::typed::families::RegressionTargets;
use crate::typed::{LossElement, TargetElement, as_loss};
use crate::typed::{
    Prediction, Predictions, ReductionMode, Regression, RegressionLoss, Targets, Unset,
};
use crate::{InputTargetGrad, Loss, Real, Result};

/// Mean squared error (`torch.nn.MSELoss`) between [`Predictions`] and [`Targets`] of the
/// same shape (never broadcast). Math: [`functional::mse_loss`](crate::functional::mse_loss).
///
/// ```
/// use lossfit::{Mean, Mse, Predictions, Targets};
/// use ndarray::array;
///
/// let loss = Mse::new()
///     .reduction(Mean)
///     .compute(&Predictions::new(array![1.0_f32, 3.0]), &Targets::new(array![1.0_f32, 1.0])?)?;
/// assert_eq!(loss.value, 2.0);
/// assert_eq!(loss.grad.input, array![0.0_f32, 2.0].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mse<T, R = Unset> {
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> Mse<T> {
    /// The loss, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        Mse {
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for Mse<T> {
    fn default() -> Self {
        Self::new()
    }
}

typed_loss_methods!(Mse { element }, grad: InputTargetGrad<T>);

/// The prediction kinds the point-regression losses (`Mse`, `L1`, `SmoothL1`, `Huber`,
/// `PoissonNll`) take.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `Predictions`, but got `{Self}`",
    label = "not point predictions",
    note = "`GaussianPredictions` (a mean and a variance) go with `GaussianNll`"
)]
pub trait PointPrediction<T, L> {
    /// The predicted values.
    fn values(&self) -> ArrayViewD<'_, T>;
}

impl<T, U: Real + LossElement<T>, L> PointPrediction<T, L> for Predictions<U> {
    fn values(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

/// The target kinds the regression losses take: real values, [`Targets`].
#[diagnostic::on_unimplemented(
    message = "`{L}` expects regression `Targets`, but got `{Self}`",
    label = "not regression targets",
    note = "class labels mean a classification task: declare `Logits<MultiClass, _>` and use `CrossEntropy` with `ClassIndices`, or `Logits<MultiLabel, _>` with `BceWithLogits` for multi-hot labels"
)]
pub trait RegressionTarget<T, L> {
    /// The target values.
    fn values(&self) -> ArrayViewD<'_, T>;
}

impl<E, U: Real + TargetElement<E>, L> RegressionTarget<E, L> for Targets<U> {
    fn values(&self) -> ArrayViewD<'_, E> {
        U::view(self.view())
    }
}

impl<T: Real, R: ReductionMode, P> RegressionLoss<P> for Mse<T, R>
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
        let options = MseOptions {
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        mse_loss(prediction.values(), as_loss(target), &options)
    }
}
