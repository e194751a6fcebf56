//! `Bce`: binary cross-entropy on probabilities (prefer `BceWithLogits`).

use ndarray::ArrayViewD;

use crate::functional::{BceOptions, binary_cross_entropy};
use crate::typed::{ReductionMode, Unset};
use crate::{InputTargetGrad, Loss, Real, Result};

use super::ProbabilityInput;

/// Binary cross-entropy (`torch.nn.BCELoss`) on [`Probabilities`](crate::Probabilities) of a
/// `MultiLabel` or `Binary` head. Logs are clamped at -100 as in PyTorch, which hides how wrong
/// a saturated sigmoid was: [`BceWithLogits`](crate::BceWithLogits) on the raw logits is the
/// stable choice. Math: [`functional::binary_cross_entropy`](crate::functional::binary_cross_entropy).
///
/// ```
/// use lossfit::{Bce, Binary, BinaryLabels, Logits, Mean};
/// use ndarray::array;
///
/// let probs = Logits::<Binary, f64>::new(array![0.0, 2.0])?.sigmoid();
/// let loss = Bce::new().reduction(Mean).compute(&probs, &BinaryLabels::new(array![1.0, 1.0])?)?;
/// assert!(loss.value > 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Bce<T, R = Unset> {
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> Bce<T> {
    /// The loss, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        Bce {
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for Bce<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> Bce<T, R> {
    fn run(
        &self,
        probs: ArrayViewD<'_, T>,
        labels: ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        let options = BceOptions {
            weight: None,
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        binary_cross_entropy(probs, labels, &options)
    }
}

typed_loss_methods!(Bce { element }, grad: InputTargetGrad<T>);

independent_label_tasks!(Bce, ProbabilityInput::probabilities);
