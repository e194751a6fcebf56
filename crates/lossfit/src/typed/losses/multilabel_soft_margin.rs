//! `MultiLabelSoftMargin`: per-label logistic loss averaged over labels, for `MultiLabel`.

use ndarray::ArrayViewD;

use crate::functional::{MultilabelSoftMarginOptions, multilabel_soft_margin_loss};
use crate::typed::{ClassWeights, MultiLabel, MultiLabelLoss, Prediction, ReductionMode, Unset};
use crate::{InputTargetGrad, Loss, Real, Result};

use super::SigmoidInput;
use crate::typed::families::MultiLabelTargets;
use crate::typed::{LossElement, as_loss};

/// Multi-label soft margin loss (`torch.nn.MultiLabelSoftMarginLoss`) on raw `MultiLabel`
/// [`Logits`](crate::Logits) `[N, L]` with [`MultiHot`](crate::MultiHot) targets: each
/// sample's loss is the mean over labels of the (weighted) logistic loss. Math:
/// [`functional::multilabel_soft_margin_loss`](crate::functional::multilabel_soft_margin_loss).
///
/// ```
/// use lossfit::{Logits, Mean, MultiHot, MultiLabel, MultiLabelSoftMargin};
/// use ndarray::array;
///
/// let logits = Logits::<MultiLabel, f64>::new(array![[2.0, -2.0]])?;
/// let loss = MultiLabelSoftMargin::new().reduction(Mean)
///     .compute(&logits, &MultiHot::new(array![[1.0, 0.0]])?)?;
/// assert!(loss.value < 0.2);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MultiLabelSoftMargin<T, R = Unset> {
    weight: Option<ClassWeights<T>>,
    mode: R,
}

impl<T: Real> MultiLabelSoftMargin<T> {
    /// Unweighted, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        MultiLabelSoftMargin {
            weight: None,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for MultiLabelSoftMargin<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> MultiLabelSoftMargin<T, R> {
    /// One weight per label.
    #[must_use]
    pub fn weight(mut self, weight: ClassWeights<T>) -> Self {
        self.weight = Some(weight);
        self
    }
}

typed_loss_methods!(MultiLabelSoftMargin { weight }, grad: InputTargetGrad<T>);

impl<T: Real, R: ReductionMode, P> MultiLabelLoss<P> for MultiLabelSoftMargin<T, R>
where
    P: SigmoidInput<T, Self> + Prediction<Task = MultiLabel>,
    P::Elem: LossElement<T>,
{
    type Family = MultiLabelTargets<P::Elem>;

    fn evaluate(
        &self,
        prediction: &P,
        labels: ArrayViewD<'_, P::Elem>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        let options = MultilabelSoftMarginOptions {
            weight: self.weight.as_ref().map(|w| w.view().into_dyn()),
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        multilabel_soft_margin_loss(prediction.logits(), as_loss(labels), &options)
    }
}
