//! `CrossEntropy`: softmax cross-entropy on raw logits, for `MultiClass` and `Sequence` heads.

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

use crate::functional::{
    CrossEntropyOptions, cross_entropy, cross_entropy_in_place, cross_entropy_into,
    cross_entropy_probs, cross_entropy_probs_into,
};
use crate::typed::families::{CrossEntropyData, CrossEntropyTargets, SequenceTargets};
use crate::typed::{ChosenReduction, LossElement, TargetElement, as_loss};
use crate::typed::{
    ClassIndices, ClassProbabilities, ClassWeights, Logits, LogitsView, MultiClass, MultiClassLoss,
    Prediction, ReductionMode, Sequence, SequenceLoss, SoftmaxTask, TokenIndices, Unset,
};
use crate::{AsTensorMut, InputGrad, Loss, LossError, Real, Result};

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

impl<K: SoftmaxTask, T, U: Real + LossElement<T>> CrossEntropyInput<T> for Logits<K, U> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

impl<K: SoftmaxTask, T, U: Real + LossElement<T>> CrossEntropyInput<T> for LogitsView<'_, K, U> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

/// The target kinds `CrossEntropy` takes for `MultiClass` logits `[N, C]`.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy` on `MultiClass` outputs expects `ClassIndices` or `ClassProbabilities`, but got `{Self}`",
    label = "not a multi-class target",
    note = "multi-hot rows mean several labels per sample: that is a `MultiLabel` head with `BceWithLogits`; token indices [N, T] belong to a `Sequence` head (`Logits<Sequence, _>` [N, T, C]); regression targets need a regression loss"
)]
pub trait CrossEntropyTarget<E, L> {
    /// The indices (and ignore index) or the probabilities.
    fn data(&self) -> CrossEntropyData<'_, E>;
}

impl<E, L> CrossEntropyTarget<E, L> for ClassIndices {
    fn data(&self) -> CrossEntropyData<'_, E> {
        CrossEntropyData::Indices(self.view(), self.ignore_index())
    }
}

impl<E, U: Real + TargetElement<E>, L> CrossEntropyTarget<E, L> for ClassProbabilities<U> {
    fn data(&self) -> CrossEntropyData<'_, E> {
        CrossEntropyData::Probabilities(U::view(self.view()))
    }
}

impl<T: Real, R: ReductionMode, P> MultiClassLoss<P> for CrossEntropy<T, R>
where
    P: CrossEntropyInput<T> + Prediction<Task = MultiClass>,
    P::Elem: LossElement<T>,
{
    type Family = CrossEntropyTargets<P::Elem>;

    fn evaluate(
        &self,
        prediction: &P,
        target: CrossEntropyData<'_, P::Elem>,
    ) -> Result<Loss<T, InputGrad<T>>> {
        match target {
            CrossEntropyData::Indices(indices, ignore_index) => {
                cross_entropy(prediction.logits(), indices, &self.options(ignore_index))
            }
            CrossEntropyData::Probabilities(probabilities) => {
                let loss = cross_entropy_probs(
                    prediction.logits(),
                    as_loss(probabilities),
                    &self.options(None),
                )?;
                Ok(Loss {
                    value: loss.value,
                    grad: InputGrad {
                        input: loss.grad.input,
                    },
                })
            }
        }
    }
}

/// The target kinds `CrossEntropy` takes for `Sequence` logits `[N, T, C]`.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy` on `Sequence` outputs expects `TokenIndices` [N, T], but got `{Self}`",
    label = "not token indices",
    note = "build the targets with `TokenIndices::new(tokens)` (padding marked with the ignore index, -100 by default)"
)]
pub trait SequenceTarget<L> {
    /// The token indices.
    fn tokens(&self) -> &TokenIndices;
}

impl<L> SequenceTarget<L> for TokenIndices {
    fn tokens(&self) -> &TokenIndices {
        self
    }
}

impl<T: Real, R: ReductionMode, P> SequenceLoss<P> for CrossEntropy<T, R>
where
    P: CrossEntropyInput<T> + Prediction<Task = Sequence>,
{
    type Family = SequenceTargets;

    fn evaluate(&self, prediction: &P, tokens: &TokenIndices) -> Result<Loss<T, InputGrad<T>>> {
        // The buffer form, into a fresh gradient: the logits are read as `N * T` rows.
        let logits = prediction.logits();
        let mut input = ArrayD::from_elem(logits.raw_dim(), T::default());
        let value = <TokenIndices as CrossEntropyIntoTarget<Sequence, T>>::write_into(
            tokens,
            self,
            logits,
            input.view_mut(),
        )?;
        Ok(Loss {
            value,
            grad: InputGrad { input },
        })
    }
}

impl<T: Real, R: ReductionMode> CrossEntropy<T, R> {
    /// [`compute`](Self::compute) that writes the gradient of the logits into a buffer the
    /// caller owns and returns the value: no `[N, C]` allocation per training step (the
    /// fused kernel of [`functional::cross_entropy_into`](crate::functional::cross_entropy_into)).
    ///
    /// Takes [`Logits`] or borrowed [`LogitsView`]s: `MultiClass` `[N, C]` with
    /// [`ClassIndices`] or [`ClassProbabilities`], `Sequence` `[N, T, C]` with
    /// [`TokenIndices`] (read as `N * T` rows, no transpose). `grad` must have the logits'
    /// shape; all of it is overwritten. The result is `compute`'s without the gradient
    /// (`ScalarLoss<T, ()>` for `Mean`/`Sum`, `SampleLosses<T, ()>` for `PerSample`).
    ///
    /// # Errors
    /// As [`compute`](Self::compute), and [`LossError::Shape`] when `grad` does not have the
    /// logits' shape. Nothing is written when an error is returned.
    ///
    /// ```
    /// use lossfit::{ClassIndices, CrossEntropy, LogitsView, Mean, MultiClass};
    /// use ndarray::{array, Array2};
    ///
    /// let loss = CrossEntropy::new().reduction(Mean);
    /// let labels = ClassIndices::new(array![0, 2]);
    /// let mut grad = Array2::<f32>::zeros((2, 3)); // allocated once, reused every step
    /// for _step in 0..3 {
    ///     let output = array![[2.0_f32, 0.1, -1.0], [0.3, 0.2, 1.5]]; // the model's output
    ///     let logits = LogitsView::<MultiClass, f32>::new(output.view())?;
    ///     let value = loss.compute_into(&logits, &labels, &mut grad)?.value;
    ///     assert!(value > 0.0 && grad[[0, 0]] < 0.0);
    /// }
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    pub fn compute_into<'g, P, Y>(
        &self,
        logits: &P,
        target: &Y,
        grad: impl AsTensorMut<'g, T>,
    ) -> Result<R::Output<T, ()>>
    where
        R: ChosenReduction,
        P: CrossEntropyInput<T> + Prediction,
        Y: CrossEntropyIntoTarget<P::Task, T>,
    {
        let value = target.write_into(self, logits.logits(), grad.as_tensor_mut())?;
        R::wrap(Loss { value, grad: () })
    }

    /// [`compute`](Self::compute) that turns the logits into their gradient: the buffer the
    /// model produced is reused, so a step allocates nothing of the logits' size at all
    /// ([`functional::cross_entropy_in_place`](crate::functional::cross_entropy_in_place)).
    ///
    /// The logits are taken by value, since they are gone afterwards; the result's
    /// `grad.input` is their array, now holding d loss / d logits. `MultiClass` logits take
    /// [`ClassIndices`], `Sequence` logits [`TokenIndices`] (probability targets have no
    /// in-place form: use [`compute_into`](Self::compute_into)).
    ///
    /// # Errors
    /// As [`compute`](Self::compute); the logits are dropped with the error.
    ///
    /// ```
    /// use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
    /// use ndarray::array;
    ///
    /// let logits = Logits::<MultiClass, f64>::new(array![[0.0, 0.0]])?;
    /// let loss = CrossEntropy::new().reduction(Mean).compute_in_place(logits, &ClassIndices::new(array![1]))?;
    /// assert!((loss.value - 2.0_f64.ln()).abs() < 1e-12);
    /// assert_eq!(loss.grad.input, array![[0.5, -0.5]].into_dyn()); // softmax - onehot, in the logits' buffer
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    pub fn compute_in_place<K, Y>(
        &self,
        logits: Logits<K, T>,
        target: &Y,
    ) -> Result<R::Output<T, InputGrad<T>>>
    where
        R: ChosenReduction,
        K: SoftmaxTask,
        Y: CrossEntropyInPlaceTarget<K>,
    {
        let mut input = logits.into_inner();
        let value = target.overwrite(self, input.view_mut())?;
        R::wrap(Loss {
            value,
            grad: InputGrad { input },
        })
    }
}

/// The targets [`CrossEntropy::compute_into`] takes for logits of task `K`.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy` on `{K}` outputs does not take `{Self}` targets",
    label = "not a target of `CrossEntropy` on `{K}` outputs",
    note = "`MultiClass` logits [N, C] take `ClassIndices` or `ClassProbabilities`; `Sequence` logits [N, T, C] take `TokenIndices` [N, T]"
)]
pub trait CrossEntropyIntoTarget<K, T> {
    /// Writes d loss / d logits into `grad` and returns the value.
    ///
    /// # Errors
    /// The functional layer's.
    fn write_into<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
        grad: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>>;
}

/// The targets [`CrossEntropy::compute_in_place`] takes for logits of task `K`: class or
/// token indices.
#[diagnostic::on_unimplemented(
    message = "`CrossEntropy::compute_in_place` on `{K}` outputs does not take `{Self}` targets",
    label = "no in-place form for these targets",
    note = "`MultiClass` logits take `ClassIndices` and `Sequence` logits `TokenIndices`; probability targets have `compute_into` (a gradient buffer of your own) but no in-place form"
)]
pub trait CrossEntropyInPlaceTarget<K> {
    /// Overwrites `logits` with d loss / d logits and returns the value.
    ///
    /// # Errors
    /// The functional layer's; the logits are untouched then.
    fn overwrite<T: Real, R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>>;
}

impl<T: Real> CrossEntropyIntoTarget<MultiClass, T> for ClassIndices {
    fn write_into<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
        grad: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        cross_entropy_into(
            logits,
            self.view(),
            &loss.options(self.ignore_index()),
            grad,
        )
    }
}

impl<T: Real> CrossEntropyIntoTarget<MultiClass, T> for ClassProbabilities<T> {
    fn write_into<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
        grad: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        cross_entropy_probs_into(logits, self.view(), &loss.options(None), grad)
    }
}

impl CrossEntropyInPlaceTarget<MultiClass> for ClassIndices {
    fn overwrite<T: Real, R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        cross_entropy_in_place(logits, self.view(), &loss.options(self.ignore_index()))
    }
}

impl<T: Real> CrossEntropyIntoTarget<Sequence, T> for TokenIndices {
    fn write_into<R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewD<'_, T>,
        grad: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        let options = loss.options(Some(self.ignore_index()));
        match token_rows(logits.shape(), self) {
            Some(rows) if logits.is_standard_layout() && grad.is_standard_layout() => {
                let logits = logits
                    .into_shape_with_order(rows.shape)
                    .map_err(layout_bug)?;
                let grad = grad.into_shape_with_order(rows.shape).map_err(layout_bug)?;
                let value = cross_entropy_into(logits, rows.tokens, &options, grad)?;
                per_token(value, rows.samples)
            }
            // Strided views (or shapes the functional layer will reject): PyTorch's
            // classes-second layout, as views.
            _ => cross_entropy_into(
                logits.permuted_axes(vec![0, 2, 1]),
                self.view(),
                &options,
                grad.permuted_axes(vec![0, 2, 1]),
            ),
        }
    }
}

impl CrossEntropyInPlaceTarget<Sequence> for TokenIndices {
    fn overwrite<T: Real, R: ReductionMode>(
        &self,
        loss: &CrossEntropy<T, R>,
        logits: ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        let options = loss.options(Some(self.ignore_index()));
        match token_rows(logits.shape(), self) {
            Some(rows) if logits.is_standard_layout() => {
                let logits = logits
                    .into_shape_with_order(rows.shape)
                    .map_err(layout_bug)?;
                let value = cross_entropy_in_place(logits, rows.tokens, &options)?;
                per_token(value, rows.samples)
            }
            _ => cross_entropy_in_place(logits.permuted_axes(vec![0, 2, 1]), self.view(), &options),
        }
    }
}

/// Token logits seen as rows of classes.
struct TokenRows<'t> {
    /// `N`.
    samples: usize,
    /// `[N * T, C]`.
    shape: (usize, usize),
    /// The tokens as `[N * T]`.
    tokens: ndarray::ArrayView1<'t, i64>,
}

/// `[N, T, C]` logits whose `[N, T]` tokens match are `N * T` rows of `C` classes: the same
/// loss (a mean over the tokens that are not ignored), read row by row with no transpose.
/// `None` when the shapes do not match (the classes-second path then reports it).
fn token_rows<'t>(logits: &[usize], tokens: &'t TokenIndices) -> Option<TokenRows<'t>> {
    let view = tokens.view();
    match (logits, view.shape()) {
        ([n, t, c], [tn, tt]) if n == tn && t == tt => Some(TokenRows {
            samples: *n,
            shape: (n * t, *c),
            tokens: view.into_shape_with_order(n * t).ok()?,
        }),
        _ => None,
    }
}

/// Per-token values of the rows back in `[N, T]`; a reduced value as it is.
fn per_token<T: Real>(value: ArrayD<T>, n: usize) -> Result<ArrayD<T>> {
    if value.ndim() == 0 {
        return Ok(value);
    }
    let tokens = value.len() / n.max(1);
    value
        .into_shape_with_order(vec![n, tokens])
        .map_err(layout_bug)
}

// By value: it is `map_err`'s argument.
#[allow(clippy::needless_pass_by_value)]
fn layout_bug(error: ndarray::ShapeError) -> LossError {
    LossError::Shape {
        loss: "CrossEntropy",
        arg: "input",
        found: Vec::new(),
        expected: format!("a reshape that ndarray accepts ({error})"),
        fix: "this is a bug in lossfit: please report it".to_string(),
    }
}
