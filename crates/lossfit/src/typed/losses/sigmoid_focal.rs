//! `SigmoidFocal`: focal loss on raw logits for imbalanced `MultiLabel` and `Binary` heads.

use ndarray::ArrayViewD;

use crate::functional::{SigmoidFocalOptions, sigmoid_focal_loss};
use crate::typed::{ReductionMode, Unset};
use crate::{InputTargetGrad, Loss, Real, Result};

use super::SigmoidInput;

/// Sigmoid focal loss (torchvision's `sigmoid_focal_loss`, Lin et al. 2017) on raw
/// [`Logits`](crate::Logits) of a `MultiLabel` or `Binary` head: BCE-with-logits scaled by
/// `(1 - p_t)^gamma` and the class-balancing `alpha`. Unlike torchvision (default
/// `reduction="none"`), the reduction is unset until chosen, and then the mean like every loss.
/// Math: [`functional::sigmoid_focal_loss`](crate::functional::sigmoid_focal_loss).
///
/// ```
/// use lossfit::{Binary, BinaryLabels, Logits, Mean, SigmoidFocal};
/// use ndarray::array;
///
/// let logits = Logits::<Binary, f32>::new(array![3.0, -1.0])?;
/// let loss = SigmoidFocal::new().alpha(0.25).gamma(2.0).reduction(Mean)
///     .compute(&logits, &BinaryLabels::new(array![1.0, 1.0])?)?;
/// assert!(loss.value > 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SigmoidFocal<T, R = Unset> {
    alpha: f64,
    gamma: f64,
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> SigmoidFocal<T> {
    /// torchvision's defaults: `alpha = 0.25`, `gamma = 2`; the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        SigmoidFocal {
            alpha: 0.25,
            gamma: 2.0,
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for SigmoidFocal<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> SigmoidFocal<T, R> {
    /// The weight of positives in `[0, 1]` (negatives get `1 - alpha`); negative disables it.
    #[must_use]
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The focusing exponent (`>= 0`).
    #[must_use]
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }

    fn run(
        &self,
        logits: ArrayViewD<'_, T>,
        labels: ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        let options = SigmoidFocalOptions {
            alpha: self.alpha,
            gamma: self.gamma,
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        sigmoid_focal_loss(logits, labels, &options)
    }
}

typed_loss_methods!(SigmoidFocal { alpha, gamma, element }, grad: InputTargetGrad<T>);

independent_label_tasks!(SigmoidFocal, SigmoidInput::logits);
