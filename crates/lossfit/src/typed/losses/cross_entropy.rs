//! `CrossEntropy`: softmax cross-entropy on raw logits, for `MultiClass` and `Sequence` heads.

use ndarray::ArrayViewD;

use crate::functional::{CrossEntropyOptions, cross_entropy, cross_entropy_probs};
use crate::typed::{
    ClassIndices, ClassProbabilities, ClassWeights, Logits, MultiClass, MultiClassLoss, Prediction,
    ReductionMode, Sequence, SequenceLoss, SoftmaxTask, TokenIndices, Unset,
};
use crate::{InputGrad, Loss, Real, Result};

/// Softmax cross-entropy on raw logits (`torch.nn.CrossEntropyLoss`), for `MultiClass`
/// heads with [`ClassIndices`] or [`ClassProbabilities`] and `Sequence` heads with
/// [`TokenIndices`].
///
/// The softmax is inside the loss: give it the model's raw [`Logits`], never
/// `softmax(logits)` (that would not compile). Math and gradients are
/// [`functional::cross_entropy`](crate::functional::cross_entropy)'s.
///
/// ```
/// use lossfit::{ClassIndices, ClassWeights, CrossEntropy, Logits, Mean, MultiClass};
/// use ndarray::array;
///
/// let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.1, -1.0], [0.3, 0.2, 1.5]])?;
/// let labels = ClassIndices::new(array![0, 2]);
/// let loss = CrossEntropy::new()
///     .weight(ClassWeights::balanced(&[500, 300, 200])?)
///     .label_smoothing(0.1)
///     .reduction(Mean)
///     .compute(&logits, &labels)?;
/// assert!(loss.value > 0.0);
/// assert_eq!(loss.grad.input.shape(), &[2, 3]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CrossEntropy<T, R = Unset> {
    weight: Option<ClassWeights<T>>,
    label_smoothing: f64,
    mode: R,
}

impl<T: Real> CrossEntropy<T> {
    /// Unweighted, unsmoothed, with the reduction not yet chosen.
    #[must_use]
    pub fn new() -> Self {
        CrossEntropy {
            weight: None,
            label_smoothing: 0.0,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for CrossEntropy<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> CrossEntropy<T, R> {
    /// Weights each sample's loss by its class's weight (the mean divides by the summed
    /// weight of the targets, as PyTorch).
    #[must_use]
    pub fn weight(mut self, weight: ClassWeights<T>) -> Self {
        self.weight = Some(weight);
        self
    }

    /// Mixes the target with the uniform distribution: `(1 - eps) * onehot + eps / C`.
    /// Must be in `[0, 1]` (checked when computed).
    #[must_use]
    pub fn label_smoothing(mut self, eps: f64) -> Self {
        self.label_smoothing = eps;
        self
    }

    fn options(&self, ignore_index: Option<i64>) -> CrossEntropyOptions<'_, T> {
        CrossEntropyOptions {
            weight: self.weight.as_ref().map(ClassWeights::view),
            ignore_index: ignore_index.unwrap_or(-100),
            label_smoothing: self.label_smoothing,
            reduction: self.mode.reduction(),
            grad_output: None,
        }
    }
}

typed_loss_methods!(CrossEntropy { weight, label_smoothing }, grad: InputGrad<T>);

/// The input kinds `CrossEntropy` takes: raw logits only.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy` expects raw `Logits`, but got `{Self}`",
    label = "not raw logits",
    note = "softmax is already inside `CrossEntropy`: pass the logits the model produced, not `softmax(logits)`; for probabilities use `Bce` (independent labels) or `Nll` on `log_softmax(logits)`"
)]
pub trait CrossEntropyInput<T> {
    /// The raw scores.
    fn logits(&self) -> ArrayViewD<'_, T>;
}

impl<K: SoftmaxTask, T: Real> CrossEntropyInput<T> for Logits<K, T> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        self.view()
    }
}

/// The target kinds `CrossEntropy` takes for `MultiClass` logits `[N, C]`.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy` on `MultiClass` outputs expects `ClassIndices` or `ClassProbabilities`, but got `{Self}`",
    label = "not a multi-class target",
    note = "multi-hot rows mean several labels per sample: that is a `MultiLabel` head with `BceWithLogits`; token indices [N, T] belong to a `Sequence` head (`Logits<Sequence, _>` [N, T, C]); regression targets need a regression loss"
)]
pub trait CrossEntropyTarget<T> {
    /// Calls the functional layer (the typed layer returns the gradient of the logits only;
    /// the functional layer also has the target's, for probabilities).
    ///
    /// # Errors
    /// The functional layer's.
    fn cross_entropy<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputGrad<T>>>;
}

impl<T: Real> CrossEntropyTarget<T> for ClassIndices {
    fn cross_entropy<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputGrad<T>>> {
        cross_entropy(logits, self.view(), &loss.options(self.ignore_index()))
    }
}

impl<T: Real> CrossEntropyTarget<T> for ClassProbabilities<T> {
    fn cross_entropy<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputGrad<T>>> {
        let loss = cross_entropy_probs(logits, self.view(), &loss.options(None))?;
        Ok(Loss {
            value: loss.value,
            grad: InputGrad {
                input: loss.grad.input,
            },
        })
    }
}

impl<T, R, P, Y> MultiClassLoss<P, Y> for CrossEntropy<T, R>
where
    T: Real,
    R: ReductionMode,
    P: CrossEntropyInput<T> + Prediction<Task = MultiClass>,
    Y: CrossEntropyTarget<T>,
{
    fn evaluate(&self, prediction: &P, target: &Y) -> Result<Loss<T, InputGrad<T>>> {
        target.cross_entropy(self, prediction.logits())
    }
}

/// The target kinds `CrossEntropy` takes for `Sequence` logits `[N, T, C]`.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy` on `Sequence` outputs expects `TokenIndices` [N, T], but got `{Self}`",
    label = "not token indices",
    note = "build the targets with `TokenIndices::new(tokens)` (padding marked with the ignore index, -100 by default)"
)]
pub trait SequenceTarget {
    /// The token indices.
    fn tokens(&self) -> &TokenIndices;
}

impl SequenceTarget for TokenIndices {
    fn tokens(&self) -> &TokenIndices {
        self
    }
}

impl<T, R, P, Y> SequenceLoss<P, Y> for CrossEntropy<T, R>
where
    T: Real,
    R: ReductionMode,
    P: CrossEntropyInput<T> + Prediction<Task = Sequence>,
    Y: SequenceTarget,
{
    fn evaluate(&self, prediction: &P, target: &Y) -> Result<Loss<T, InputGrad<T>>> {
        let tokens = target.tokens();
        // PyTorch's layout puts classes second: [N, T, C] -> [N, C, T] (a view, no copy).
        let logits = prediction.logits().permuted_axes(vec![0, 2, 1]);
        let loss = cross_entropy(
            logits,
            tokens.view(),
            &self.options(Some(tokens.ignore_index())),
        )?;
        let input = loss
            .grad
            .input
            .permuted_axes(vec![0, 2, 1])
            .as_standard_layout()
            .into_owned();
        Ok(Loss {
            value: loss.value,
            grad: InputGrad { input },
        })
    }
}
