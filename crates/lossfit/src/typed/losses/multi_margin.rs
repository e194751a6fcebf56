//! `MultiMargin`: the multi-class hinge (SVM) loss on raw logits.

use ndarray::ArrayViewD;

use crate::functional::{MultiMarginOptions, multi_margin_loss};
use crate::typed::{ClassWeights, MultiClass, MultiClassLoss, Prediction, ReductionMode, Unset};
use crate::{InputGrad, Loss, Real, Result};

use super::class_index::RawLogits;
use crate::typed::families::ClassTargets;

/// Multi-class margin loss (`torch.nn.MultiMarginLoss`) on raw `MultiClass`
/// [`Logits`](crate::Logits) with [`ClassIndices`](crate::ClassIndices): every other class
/// must score at least `margin` below the true one. Math:
/// [`functional::multi_margin_loss`](crate::functional::multi_margin_loss).
///
/// ```
/// use lossfit::{ClassIndices, Logits, MultiClass, MultiMargin, Sum};
/// use ndarray::array;
///
/// let logits = Logits::<MultiClass, f64>::new(array![[3.0, 0.5, 1.0]])?;
/// let loss = MultiMargin::new().reduction(Sum).compute(&logits, &ClassIndices::new(array![0]))?;
/// assert_eq!(loss.value, 0.0); // the true class wins by more than the margin
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MultiMargin<T, R = Unset> {
    p: f64,
    margin: f64,
    weight: Option<ClassWeights<T>>,
    mode: R,
}

impl<T: Real> MultiMargin<T> {
    /// PyTorch's defaults: `p = 1`, `margin = 1`, unweighted; the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        MultiMargin {
            p: 1.0,
            margin: 1.0,
            weight: None,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for MultiMargin<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> MultiMargin<T, R> {
    /// The exponent of the hinge: 1 or 2.
    #[must_use]
    pub fn p(mut self, p: f64) -> Self {
        self.p = p;
        self
    }

    /// How far below the true class every other class must score.
    #[must_use]
    pub fn margin(mut self, margin: f64) -> Self {
        self.margin = margin;
        self
    }

    /// Per-class weights (applied by the true class).
    #[must_use]
    pub fn weight(mut self, weight: ClassWeights<T>) -> Self {
        self.weight = Some(weight);
        self
    }
}

typed_loss_methods!(MultiMargin { p, margin, weight }, grad: InputGrad<T>);

impl<T: Real, R: ReductionMode, P> MultiClassLoss<P> for MultiMargin<T, R>
where
    P: RawLogits<T, Self> + Prediction<Task = MultiClass>,
{
    type Family = ClassTargets;

    fn evaluate(
        &self,
        prediction: &P,
        (indices, _ignore_index): (ArrayViewD<'_, i64>, Option<i64>),
    ) -> Result<Loss<T, InputGrad<T>>> {
        let options = MultiMarginOptions {
            p: self.p,
            margin: self.margin,
            weight: self.weight.as_ref().map(ClassWeights::view),
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        multi_margin_loss(prediction.logits(), indices, &options)
    }
}
