//! `KlDiv`: KL divergence of a `MultiClass` head's log-probabilities from target distributions
//! (knowledge distillation), with `BatchMean`, the reduction that is the KL divergence.

use ndarray::ArrayViewD;

use crate::functional::{KlDivOptions, KlReduction, kl_div};
use crate::typed::{
    Accepts, ClassProbabilities, LogProbabilities, Mean, MultiClass, MultiClassLoss, PerSample,
    Prediction, ReductionMode, SoftmaxTask, Sum, TypedLoss, Unset,
};
use crate::{InputGrad, Loss, Real, Result};

use super::class_index::LogProbabilityInput;
use crate::typed::families::KlTargets;
use crate::typed::{FamilyOf, LossElement, TargetElement, TargetKind, TargetOf, as_loss};

mod sealed {
    pub trait Sealed {}
}

/// The sum over classes and the mean over the batch: the mathematically correct KL divergence
/// reduction (`reduction="batchmean"` in PyTorch). Only [`KlDiv`] takes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BatchMean;

/// Every reduction marker a [`KlDiv`] can be built with, and what it would return; which of
/// them it computes with is [`KlMode`]. (Two traits, so that a `KlDiv` with `Mean` or with no
/// reduction fails with one message at `compute`, the message of [`KlMode`].)
pub trait KlChoice: sealed::Sealed + Copy + Default + std::fmt::Debug {
    /// The functional layer's reduction.
    const KL: KlReduction;
    /// Whether the user chose it.
    const EXPLICIT: bool;
    /// What the loss returns.
    type Output<T, G>;
    /// Turns the functional layer's result into the output.
    ///
    /// # Errors
    /// Never for results of the matching reduction.
    fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<Self::Output<T, G>>;
}

/// The reductions [`KlDiv`] computes with: [`BatchMean`] (the KL divergence per sample),
/// [`Sum`] and [`PerSample`]. Not [`Mean`](crate::Mean): PyTorch's default divides by the
/// number of *elements*, not samples, so the value is the KL divergence divided by the number
/// of classes (`losslint` flags it as LL008); and not [`Unset`]: `compute` needs a chosen
/// reduction.
#[diagnostic::on_unimplemented(
    message = "`KlDiv` does not compute with `{Self}`: choose `BatchMean` (the KL divergence per sample), `Sum` or `PerSample`",
    label = "`KlDiv` with a reduction it does not take",
    note = "`Mean` divides by the number of elements, not samples: the value would be the KL divergence divided by the number of classes (losslint's LL008); `Unset` means no reduction was chosen: add `.reduction(BatchMean)`"
)]
pub trait KlMode: KlChoice {}

macro_rules! kl_choice_from_reduction {
    ($($mode:ident => $kl:ident),+) => {$(
        impl sealed::Sealed for $mode {}
        impl KlChoice for $mode {
            const KL: KlReduction = KlReduction::$kl;
            const EXPLICIT: bool = <$mode as ReductionMode>::EXPLICIT;
            type Output<T, G> = <$mode as ReductionMode>::Output<T, G>;
            fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<Self::Output<T, G>> {
                <$mode as ReductionMode>::wrap(loss)
            }
        }
    )+};
}

kl_choice_from_reduction!(Unset => Mean, Mean => Mean, Sum => Sum, PerSample => None);

impl sealed::Sealed for BatchMean {}
impl KlChoice for BatchMean {
    const KL: KlReduction = KlReduction::BatchMean;
    const EXPLICIT: bool = true;
    type Output<T, G> = <Sum as ReductionMode>::Output<T, G>;
    fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<Self::Output<T, G>> {
        <Sum as ReductionMode>::wrap(loss)
    }
}

impl KlMode for BatchMean {}
impl KlMode for Sum {}
impl KlMode for PerSample {}

/// KL divergence (`torch.nn.KLDivLoss`) of a `MultiClass` head's
/// [`LogProbabilities`] from [`ClassProbabilities`] (or from [`LogProbabilities`], PyTorch's
/// `log_target=True`). Math: [`functional::kl_div`](crate::functional::kl_div).
///
/// ```
/// use lossfit::{BatchMean, ClassProbabilities, KlDiv, Logits, MultiClass};
/// use ndarray::array;
///
/// let student = Logits::<MultiClass, f64>::new(array![[1.0, 0.0]])?.log_softmax();
/// let teacher = ClassProbabilities::new(array![[0.9, 0.1]])?;
/// let loss = KlDiv::new().reduction(BatchMean).compute(&student, &teacher)?;
/// assert!(loss.value > 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct KlDiv<T, R = Unset> {
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> KlDiv<T> {
    /// The loss, with the reduction not yet chosen (choose [`BatchMean`]).
    #[must_use]
    pub fn new() -> Self {
        KlDiv {
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for KlDiv<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: KlChoice> TypedLoss for KlDiv<T, R> {
    type Elem = T;
    type Grad = InputGrad<T>;
}

impl<T: Real, R: KlChoice> KlDiv<T, R> {
    /// Chooses the reduction: [`BatchMean`] (the KL divergence), [`Sum`] or [`PerSample`].
    /// `Mean` does not compute (see [`KlMode`]).
    #[must_use]
    pub fn reduction<M: KlChoice>(self, mode: M) -> KlDiv<T, M>
    where
        R: crate::typed::Unchosen,
    {
        KlDiv {
            element: self.element,
            mode,
        }
    }

    /// Whether the reduction was chosen.
    #[must_use]
    pub fn is_reduction_explicit(&self) -> bool {
        R::EXPLICIT
    }

    /// Computes the divergence and the gradient of the log-probabilities.
    ///
    /// # Errors
    /// [`LossError`](crate::LossError) when the shapes differ.
    pub fn compute<P, Y>(&self, prediction: &P, target: &Y) -> Result<R::Output<T, InputGrad<T>>>
    where
        R: KlMode,
        P: Prediction,
        P::Task: Accepts<Self, P>,
        TargetKind<Y>: TargetOf<FamilyOf<Self, P>, Self, Target = Y>,
    {
        let target = <TargetKind<Y> as TargetOf<FamilyOf<Self, P>, Self>>::data(target);
        R::wrap(<P::Task as Accepts<Self, P>>::evaluate(
            self, prediction, target,
        )?)
    }
}

/// The targets `KlDiv` compares against: a distribution per sample.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects target distributions (`ClassProbabilities` or `LogProbabilities`), but got `{Self}`",
    label = "not a distribution over classes",
    note = "for hard labels use `Nll` (on log-probabilities) or `CrossEntropy` (on logits) with `ClassIndices`"
)]
pub trait KlTarget<T, L> {
    /// The target values and whether they are log-probabilities.
    fn distribution(&self) -> (ArrayViewD<'_, T>, bool);
}

impl<E, U: Real + TargetElement<E>, L> KlTarget<E, L> for ClassProbabilities<U> {
    fn distribution(&self) -> (ArrayViewD<'_, E>, bool) {
        (U::view(self.view()), false)
    }
}

impl<K: SoftmaxTask, E, U: Real + TargetElement<E>, L> KlTarget<E, L> for LogProbabilities<K, U> {
    fn distribution(&self) -> (ArrayViewD<'_, E>, bool) {
        (U::view(self.view()), true)
    }
}

impl<T: Real, R: KlChoice, P> MultiClassLoss<P> for KlDiv<T, R>
where
    P: LogProbabilityInput<T, Self> + Prediction<Task = MultiClass>,
    P::Elem: LossElement<T>,
{
    type Family = KlTargets<P::Elem>;

    fn evaluate(
        &self,
        prediction: &P,
        (distribution, log_target): (ArrayViewD<'_, P::Elem>, bool),
    ) -> Result<Loss<T, InputGrad<T>>> {
        let options = KlDivOptions {
            reduction: R::KL,
            log_target,
            grad_output: None,
        };
        let loss = kl_div(
            prediction.log_probabilities(),
            as_loss(distribution),
            &options,
        )?;
        Ok(Loss {
            value: loss.value,
            grad: InputGrad {
                input: loss.grad.input,
            },
        })
    }
}
