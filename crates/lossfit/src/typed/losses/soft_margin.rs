//! `SoftMargin`: the logistic loss with ±1 labels, for `Binary` heads.

use ndarray::ArrayViewD;

use crate::functional::{SoftMarginOptions, soft_margin_loss};
use crate::typed::{Binary, BinaryLoss, Prediction, ReductionMode, Unset};
use crate::{InputGrad, Loss, Real, Result};

use super::SigmoidInput;
use crate::typed::families::SignTargets;
use crate::typed::{LossElement, as_loss};

/// Soft margin loss (`torch.nn.SoftMarginLoss`), `log(1 + exp(-y x))`, on raw `Binary`
/// [`Logits`](crate::Logits) with ±1 [`SignLabels`](crate::SignLabels). Math:
/// [`functional::soft_margin_loss`](crate::functional::soft_margin_loss).
///
/// ```
/// use lossfit::{Binary, Logits, Mean, SignLabels, SoftMargin};
/// use ndarray::array;
///
/// let logits = Logits::<Binary, f64>::new(array![0.0])?;
/// let loss = SoftMargin::new().reduction(Mean).compute(&logits, &SignLabels::new(array![1.0])?)?;
/// assert!((loss.value - 2.0_f64.ln()).abs() < 1e-15);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SoftMargin<T, R = Unset> {
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> SoftMargin<T> {
    /// The loss, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        SoftMargin {
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for SoftMargin<T> {
    fn default() -> Self {
        Self::new()
    }
}

typed_loss_methods!(SoftMargin { element }, grad: InputGrad<T>);

impl<T: Real, R: ReductionMode, P> BinaryLoss<P> for SoftMargin<T, R>
where
    P: SigmoidInput<T, Self> + Prediction<Task = Binary>,
    P::Elem: LossElement<T>,
{
    type Family = SignTargets<P::Elem>;

    fn evaluate(
        &self,
        prediction: &P,
        signs: ArrayViewD<'_, P::Elem>,
    ) -> Result<Loss<T, InputGrad<T>>> {
        let options = SoftMarginOptions {
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        soft_margin_loss(prediction.logits(), as_loss(signs), &options)
    }
}
