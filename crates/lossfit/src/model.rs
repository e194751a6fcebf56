//! What `#[derive(ModelOutput)]` implements: a model's heads, their combined loss and gradients.

use crate::{Real, Result};

/// A model output struct whose heads each declare a task and a loss.
///
/// Implemented by `#[derive(ModelOutput)]`: mark each output field with `#[head(...)]` and the
/// compiler checks the whole loss setup, each error pointing at the tokens to change:
///
/// - the loss fits the head's task (and the numbers the head outputs: logits, probabilities,
///   log-probabilities);
/// - the reduction is stated (an implicit mean is the bug nobody chose);
/// - a classification head whose label statistics (`labels = "..."`, read at compile time) are
///   imbalanced has class weights, a `pos_weight` or a focal term, or says why not
///   (`allow_imbalance = "..."`); the error shows the imbalance ratio, the rarest and commonest
///   classes and the weights to paste;
/// - the label file is readable and agrees with `classes = N`;
/// - the field's type can hold the task's output;
/// - every key is known (with a "did you mean") and given once.
///
/// It generates `<Struct>Targets` (one target per head, of the kind the loss takes),
/// `<Struct>Grads` (d total / d head, of each head's own type) and this trait's impl, whose
/// `loss` adds the heads' losses (each times its `scale`) through the typed layer.
///
/// ```
/// use lossfit::{ClassIndices, ModelOutput, Targets};
/// use ndarray::{Array2, array};
///
/// #[derive(ModelOutput)]
/// struct Detector {
///     #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced,
///            labels = "examples/data/imbalanced_digits_counts.json", label_smoothing = 0.1)]
///     class_logits: Array2<f32>,
///     #[head(task = Regression, loss = Huber, delta = 1.0, reduction = mean, scale = 5.0)]
///     boxes: Array2<f32>,
/// }
///
/// let output = Detector { class_logits: Array2::zeros((2, 10)), boxes: Array2::zeros((2, 4)) };
/// let targets = DetectorTargets {
///     class_logits: ClassIndices::new(array![3, 5]),
///     boxes: Targets::new(Array2::from_elem((2, 4), 0.5_f32))?,
/// };
/// let report = output.loss(&targets)?;
/// assert_eq!(report.heads.len(), 2);
/// assert_eq!(report.grad.class_logits.shape(), &[2, 10]);
/// assert!(Detector::HEADS[0].weighted);
/// # Ok::<(), lossfit::LossError>(())
/// ```
///
/// # Keys of `#[head(...)]`
///
/// | key | value | for |
/// |---|---|---|
/// | `task` (required) | `MultiClass`, `MultiLabel`, `Binary`, `Regression`, `Sequence` | every head |
/// | `loss` (required) | a loss of the task (see [`guide`](crate::guide)) | every head |
/// | `reduction` (required) | `mean`, `sum`; for `KlDiv` `batchmean` or `sum` (`mean` is an error: it divides by the number of classes) | every head |
/// | `scale` | weight of the head in the total (default 1) | every head |
/// | `input` | `logits` (default), `probabilities`, `log_probabilities` | required `log_probabilities` for `Nll` and `KlDiv`, `probabilities` for `Bce` |
/// | `labels` | `"path"` to a label file (CSV/TSV, text, JSON counts or array, NPY, JSON Lines, COCO annotations) or dataset directory (a directory per class, YOLO labels), relative to the crate (or to `$LOSSFIT_LABELS_DIR` when set) | classification heads |
/// | `column` | CSV/TSV label column or JSON Lines key, dotted for nested fields (default `label`, `labels`, `target`, `class`, else the last CSV column) | with `labels` |
/// | `classes` | declared class count (absent classes are counted, larger ids are an error), or the class names in the order of the model's outputs, `["cat", "dog", "bird"]`, which labels that are names need for `weight = balanced` | with `labels` |
/// | `max_imbalance` | imbalance ratio that counts as imbalanced (default 3.0) | with `labels` |
/// | `allow_imbalance` | `"reason"`: accept an unweighted loss on imbalanced labels | with `labels` |
/// | `weight` | `balanced` (inverse frequency from `labels`), `inverse_sqrt_frequency`, `effective_number`, or `[w0, w1, ..]` | `CrossEntropy`, `MultiMargin`, `Nll`, `MultiLabelSoftMargin`; `alpha` of `SoftmaxFocal` |
/// | `pos_weight` | `balanced` (neg/pos from `labels`) or `[..]` | `BceWithLogits` |
/// | `label_smoothing` | in `[0, 1]` | `CrossEntropy` |
/// | `target` | `indices` (default) or `probabilities` | `CrossEntropy` on `MultiClass` |
/// | `gamma` / `alpha` | focusing exponent / positive weight | `SoftmaxFocal`, `SigmoidFocal` |
/// | `margin`, `p` | hinge margin and exponent (1 or 2) | `MultiMargin` |
/// | `delta` / `beta` | threshold | `Huber` / `SmoothL1` |
/// | `log_input`, `full` | `true` / `false` | `PoissonNll` |
///
/// The element type (`f32`/`f64`) comes from the fields, which must be `ndarray` arrays of the
/// task's rank (`Array2` for `MultiClass`/`MultiLabel`, `Array1` for `Binary`, `Array3` for
/// `Sequence`; `ArrayD` for any). Label files up to 64 MiB are tracked, so the crate rebuilds
/// when they change; for larger datasets point `labels` at a counts file
/// (`{"counts": {"cat": 900, "dog": 100}}`, what a `GROUP BY label` produces).
///
/// Not covered yet: ranking heads and `GaussianNll` (compute those with the typed losses).
pub trait ModelOutput {
    /// The element type of every head (`f32` or `f64`).
    type Elem: Real;
    /// One target per head (generated: `<Struct>Targets`).
    type Targets;
    /// One gradient per head, of the head's own type (generated: `<Struct>Grads`).
    type Grads;
    /// What each head declares, for reports and tools.
    const HEADS: &'static [HeadSpec];

    /// The weighted sum of the heads' losses, each head's value, and the gradient of the total
    /// with respect to every head's output.
    ///
    /// # Errors
    /// The first head whose loss cannot be computed (shape, class index, ...).
    fn loss(&self, targets: &Self::Targets) -> Result<LossReport<Self::Elem, Self::Grads>>;

    /// [`loss`](Self::loss) that writes the gradients into buffers the caller keeps from step
    /// to step (make them once with [`grads_like`](Self::grads_like)): no gradient is
    /// allocated, and `CrossEntropy` heads run the fused kernel straight into their buffer.
    /// The report carries the values; the gradients are in `grads`.
    ///
    /// # Errors
    /// As [`loss`](Self::loss), and a shape error when a buffer does not have its head's
    /// shape. A head that fails leaves the buffers of the heads after it as they were.
    ///
    /// ```
    /// use lossfit::{ClassIndices, ModelOutput};
    /// use ndarray::{array, Array2};
    ///
    /// #[derive(ModelOutput)]
    /// struct Classifier {
    ///     #[head(task = MultiClass, loss = CrossEntropy, reduction = mean)]
    ///     logits: Array2<f32>,
    /// }
    ///
    /// let output = Classifier { logits: array![[2.0, 0.1, -1.0], [0.3, 0.2, 1.5]] };
    /// let targets = ClassifierTargets { logits: ClassIndices::new(array![0, 2]) };
    /// let mut grads = output.grads_like(); // once, before the training loop
    /// let report = output.loss_into(&targets, &mut grads)?;
    /// assert_eq!(grads.logits, output.loss(&targets)?.grad.logits);
    /// assert!(report.total > 0.0);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    fn loss_into(
        &self,
        targets: &Self::Targets,
        grads: &mut Self::Grads,
    ) -> Result<LossReport<Self::Elem, ()>>;

    /// [`loss`](Self::loss) that turns each head's output into its gradient, for a step that
    /// has no further use for the outputs: `CrossEntropy` heads overwrite their logits in
    /// place (no buffer of their size is allocated); other heads compute as in `loss`.
    ///
    /// # Errors
    /// As [`loss`](Self::loss); the outputs are dropped with the error.
    ///
    /// ```
    /// use lossfit::{ClassIndices, ModelOutput};
    /// use ndarray::{array, Array2};
    ///
    /// #[derive(ModelOutput)]
    /// struct Classifier {
    ///     #[head(task = MultiClass, loss = CrossEntropy, reduction = mean)]
    ///     logits: Array2<f64>,
    /// }
    ///
    /// let output = Classifier { logits: array![[0.0, 0.0]] };
    /// let targets = ClassifierTargets { logits: ClassIndices::new(array![1]) };
    /// let report = output.loss_in_place(&targets)?;
    /// assert_eq!(report.grad.logits, array![[0.5, -0.5]]); // the logits' own buffer
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    fn loss_in_place(self, targets: &Self::Targets) -> Result<LossReport<Self::Elem, Self::Grads>>
    where
        Self: Sized;

    /// Zero gradient buffers of this output's shapes, for [`loss_into`](Self::loss_into).
    #[must_use]
    fn grads_like(&self) -> Self::Grads;
}

/// A head as declared in its `#[head(...)]` attribute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadSpec {
    /// The field name.
    pub name: &'static str,
    /// The task (`"MultiClass"`, ...).
    pub task: &'static str,
    /// The loss (`"CrossEntropy"`, ...).
    pub loss: &'static str,
    /// The reduction (`"mean"`, `"sum"`, `"batchmean"`).
    pub reduction: &'static str,
    /// The head's weight in the total.
    pub scale: f64,
    /// Whether the loss weights classes (class weights, `pos_weight` or a focal term).
    pub weighted: bool,
}

/// One head's share of the total.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadLoss<T> {
    /// The field name.
    pub name: &'static str,
    /// The head's loss value (before scaling).
    pub value: T,
    /// Its weight in the total.
    pub scale: T,
}

/// The combined loss of a [`ModelOutput`].
#[derive(Clone, Debug, PartialEq)]
pub struct LossReport<T, G> {
    /// `sum(scale * value)` over heads.
    pub total: T,
    /// Each head's value and weight, in declaration order.
    pub heads: Vec<HeadLoss<T>>,
    /// d total / d head output, for every head.
    pub grad: G,
}

impl<T: Real, G> LossReport<T, G> {
    /// The report of one head by field name.
    #[must_use]
    pub fn head(&self, name: &str) -> Option<&HeadLoss<T>> {
        self.heads.iter().find(|h| h.name == name)
    }
}
