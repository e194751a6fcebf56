//! `BceWithLogits`: sigmoid + binary cross-entropy in one stable step, for `MultiLabel` and
//! `Binary` heads.

use ndarray::{Array1, ArrayViewD};

use crate::functional::{BceWithLogitsOptions, binary_cross_entropy_with_logits};
use crate::typed::{BinaryLabels, Logits, LogitsView, MultiHot, ReductionMode, SigmoidTask, Unset};
use crate::typed::{LossElement, TargetElement};
use crate::{InputTargetGrad, Loss, LossError, Real, Result};

/// Binary cross-entropy on raw logits (`torch.nn.BCEWithLogitsLoss`): `MultiLabel` logits
/// `[N, L]` with [`MultiHot`] targets, or `Binary` logits `[N]` with [`BinaryLabels`].
///
/// The sigmoid is inside the loss, computed with the log-sum-exp trick, so logits of any size
/// stay finite; that is why it is preferred over `sigmoid` followed by `Bce`. `pos_weight`
/// (one per label) multiplies the positive term: `neg / pos` of a label's counts balances it.
/// Math: [`functional::binary_cross_entropy_with_logits`](crate::functional::binary_cross_entropy_with_logits).
///
/// ```
/// use lossfit::{BceWithLogits, Logits, Mean, MultiHot, MultiLabel};
/// use ndarray::array;
///
/// let logits = Logits::<MultiLabel, f64>::new(array![[3.0, -2.0, 0.5]])?;
/// let labels = MultiHot::new(array![[1.0, 0.0, 1.0]])?;
/// let loss = BceWithLogits::new()
///     .pos_weight(array![1.0, 1.0, 9.0])
///     .reduction(Mean)
///     .compute(&logits, &labels)?;
/// assert!(loss.value > 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BceWithLogits<T, R = Unset> {
    pos_weight: Option<Array1<T>>,
    mode: R,
}

impl<T: Real> BceWithLogits<T> {
    /// No positive weight, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        BceWithLogits {
            pos_weight: None,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for BceWithLogits<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> BceWithLogits<T, R> {
    /// Weights the positive term of each label (`[L]` for multi-label, one value for binary).
    #[must_use]
    pub fn pos_weight(mut self, pos_weight: impl Into<Array1<T>>) -> Self {
        self.pos_weight = Some(pos_weight.into());
        self
    }

    fn run(
        &self,
        logits: ArrayViewD<'_, T>,
        labels: ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        if let Some((label, &w)) = self.pos_weight.as_ref().and_then(|w| {
            w.iter()
                .enumerate()
                .find(|(_, w)| !(w.to_f64().is_finite() && w.to_f64() >= 0.0))
        }) {
            return Err(LossError::Domain {
                loss: "BceWithLogits",
                arg: "pos_weight",
                position: vec![label],
                value: w.to_f64(),
                expected: "a finite, non-negative weight per label (neg / pos of the label's \
                           counts balances it; 1 leaves it as it is)"
                    .to_string(),
            });
        }
        let pos_weight = self.pos_weight.as_ref().map(|w| w.view().into_dyn());
        let options = BceWithLogitsOptions {
            weight: None,
            pos_weight,
            reduction: self.mode.reduction(),
            grad_output: None,
        };
        binary_cross_entropy_with_logits(logits, labels, &options)
    }
}

typed_loss_methods!(BceWithLogits { pos_weight }, grad: InputTargetGrad<T>);

/// The prediction kinds the sigmoid losses (`BceWithLogits`, `SigmoidFocal`, `SoftMargin`,
/// `MultiLabelSoftMargin`) take: raw logits.
#[diagnostic::on_unimplemented(
    message = "`{L}` applies its own sigmoid and expects raw `Logits`, but got `{Self}`",
    label = "not raw logits",
    note = "pass the model's logits, not `sigmoid(logits)`; for probabilities use `Bce` (less stable: prefer the logits)"
)]
pub trait SigmoidInput<T, L> {
    /// The raw scores.
    fn logits(&self) -> ArrayViewD<'_, T>;
}

impl<K: SigmoidTask, T, U: Real + LossElement<T>, L> SigmoidInput<T, L> for Logits<K, U> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

impl<K: SigmoidTask, T, U: Real + LossElement<T>, L> SigmoidInput<T, L> for LogitsView<'_, K, U> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

/// The targets of a `MultiLabel` loss: [`MultiHot`] rows.
#[diagnostic::on_unimplemented(
    message = "`{L}` on `MultiLabel` outputs expects `MultiHot` targets [N, L], but got `{Self}`",
    label = "not multi-hot targets",
    note = "class indices mean exactly one class per sample: that is a `MultiClass` head with `CrossEntropy`; to keep several labels per sample, encode them as 0/1 rows with `MultiHot::new`"
)]
pub trait MultiLabelTarget<T, L> {
    /// The 0/1 (or soft) labels.
    fn labels(&self) -> ArrayViewD<'_, T>;
}

impl<E, U: Real + TargetElement<E>, L> MultiLabelTarget<E, L> for MultiHot<U> {
    fn labels(&self) -> ArrayViewD<'_, E> {
        U::view(self.view())
    }
}

/// The targets of a `Binary` loss: [`BinaryLabels`] in `[0, 1]`.
#[diagnostic::on_unimplemented(
    message = "`{L}` on `Binary` outputs expects `BinaryLabels` [N], but got `{Self}`",
    label = "not binary labels",
    note = "build them with `BinaryLabels::new(labels)` (0 or 1 per sample); class indices over more than two classes need a `MultiClass` head"
)]
pub trait BinaryTarget<T, L> {
    /// The 0/1 (or soft) labels.
    fn labels(&self) -> ArrayViewD<'_, T>;
}

impl<E, U: Real + TargetElement<E>, L> BinaryTarget<E, L> for BinaryLabels<U> {
    fn labels(&self) -> ArrayViewD<'_, E> {
        U::view(self.view())
    }
}

independent_label_tasks!(BceWithLogits, SigmoidInput::logits);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mean, MultiLabel};
    use ndarray::array;

    #[test]
    fn pos_weight_must_be_finite_and_non_negative() {
        let logits = Logits::<MultiLabel, f32>::new(array![[1.0, -2.0]]).unwrap();
        let labels = MultiHot::new(array![[1.0_f32, 0.0]]).unwrap();
        for bad in [-2.0_f32, f32::NAN, f32::INFINITY] {
            let error = BceWithLogits::new()
                .pos_weight(array![1.0, bad])
                .reduction(Mean)
                .compute(&logits, &labels)
                .unwrap_err();
            assert!(
                matches!(error, LossError::Domain { arg: "pos_weight", ref position, .. } if position == &[1]),
                "{error}"
            );
        }
        let fine = BceWithLogits::new()
            .pos_weight(array![1.0, 0.0])
            .reduction(Mean)
            .compute(&logits, &labels);
        assert!(fine.is_ok());
    }
}
