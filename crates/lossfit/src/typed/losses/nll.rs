//! `Nll`: negative log-likelihood of class indices, on log-probabilities.

use ndarray::ArrayViewD;

use crate::functional::{NllOptions, nll_loss};
use crate::typed::{ClassWeights, MultiClass, MultiClassLoss, Prediction, ReductionMode, Unset};
use crate::{InputGrad, Loss, Real, Result};

use super::class_index::LogProbabilityInput;
use crate::typed::families::ClassTargets;

/// Negative log-likelihood (`torch.nn.NLLLoss`) of [`ClassIndices`](crate::ClassIndices) on
/// [`LogProbabilities`](crate::LogProbabilities) of a `MultiClass` head: `log_softmax`
/// followed by `Nll` is `CrossEntropy` in two steps. Giving it raw logits or probabilities does
/// not compile. Math: [`functional::nll_loss`](crate::functional::nll_loss).
///
/// ```
/// use lossfit::{ClassIndices, Logits, Mean, MultiClass, Nll};
/// use ndarray::array;
///
/// let log_p = Logits::<MultiClass, f64>::new(array![[0.0, 0.0]])?.log_softmax();
/// let loss = Nll::new().reduction(Mean).compute(&log_p, &ClassIndices::new(array![0]))?;
/// assert!((loss.value - 2.0_f64.ln()).abs() < 1e-15);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Nll<T, R = Unset> {
    weight: Option<ClassWeights<T>>,
    mode: R,
}

impl<T: Real> Nll<T> {
    /// Unweighted, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        Nll {
            weight: None,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for Nll<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> Nll<T, R> {
    /// Weights each sample by its class's weight (the mean divides by the summed weight).
    #[must_use]
    pub fn weight(mut self, weight: ClassWeights<T>) -> Self {
        self.weight = Some(weight);
        self
    }
}

typed_loss_methods!(Nll { weight }, grad: InputGrad<T>);

impl<T: Real, R: ReductionMode, P> MultiClassLoss<P> for Nll<T, R>
where
    P: LogProbabilityInput<T, Self> + Prediction<Task = MultiClass>,
{
    type Family = ClassTargets;

    fn evaluate(
        &self,
        prediction: &P,
        (indices, ignore_index): (ArrayViewD<'_, i64>, Option<i64>),
    ) -> Result<Loss<T, InputGrad<T>>> {
        let options = NllOptions {
            weight: self.weight.as_ref().map(ClassWeights::view),
            ignore_index: ignore_index.unwrap_or(-100),
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        nll_loss(prediction.log_probabilities(), indices, &options)
    }
}
