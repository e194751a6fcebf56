//! `SoftmaxFocal`: cross-entropy that down-weights easy samples, for imbalanced `MultiClass`.

use ndarray::ArrayViewD;

use crate::functional::{SoftmaxFocalOptions, softmax_focal_loss};
use crate::typed::{ClassWeights, MultiClass, MultiClassLoss, Prediction, ReductionMode, Unset};
use crate::{InputGrad, Loss, Real, Result};

use super::class_index::RawLogits;
use crate::typed::families::ClassTargets;

/// Softmax focal loss on raw `MultiClass` [`Logits`](crate::Logits) with
/// [`ClassIndices`](crate::ClassIndices): `-alpha[c] * (1 - p_c)^gamma * log p_c`. With
/// `gamma = 0` and no `alpha` it is cross-entropy; a larger `gamma` lets the many easy samples
/// of the majority classes stop dominating the gradient. Math:
/// [`functional::softmax_focal_loss`](crate::functional::softmax_focal_loss).
///
/// ```
/// use lossfit::{ClassIndices, Logits, Mean, MultiClass, SoftmaxFocal};
/// use ndarray::array;
///
/// let logits = Logits::<MultiClass, f32>::new(array![[4.0, 0.0], [0.0, 0.5]])?;
/// let labels = ClassIndices::new(array![0, 1]);
/// let focal = SoftmaxFocal::new().gamma(2.0).reduction(Mean).compute(&logits, &labels)?;
/// let plain = SoftmaxFocal::new().gamma(0.0).reduction(Mean).compute(&logits, &labels)?;
/// assert!(focal.value < plain.value); // easy samples count less
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxFocal<T, R = Unset> {
    alpha: Option<ClassWeights<T>>,
    gamma: f64,
    mode: R,
}

impl<T: Real> SoftmaxFocal<T> {
    /// `gamma = 2`, no class weights, the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        SoftmaxFocal {
            alpha: None,
            gamma: 2.0,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for SoftmaxFocal<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> SoftmaxFocal<T, R> {
    /// Per-class weights `alpha` (absent: 1 for every class).
    #[must_use]
    pub fn alpha(mut self, alpha: ClassWeights<T>) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// The focusing exponent (`>= 0`; 0 is cross-entropy).
    #[must_use]
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }
}

typed_loss_methods!(SoftmaxFocal { alpha, gamma }, grad: InputGrad<T>);

impl<T: Real, R: ReductionMode, P> MultiClassLoss<P> for SoftmaxFocal<T, R>
where
    P: RawLogits<T, Self> + Prediction<Task = MultiClass>,
{
    type Family = ClassTargets;

    fn evaluate(
        &self,
        prediction: &P,
        (indices, _ignore_index): (ArrayViewD<'_, i64>, Option<i64>),
    ) -> Result<Loss<T, InputGrad<T>>> {
        let options = SoftmaxFocalOptions {
            alpha: self.alpha.as_ref().map(ClassWeights::view),
            gamma: self.gamma,
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        softmax_focal_loss(prediction.logits(), indices, &options)
    }
}
