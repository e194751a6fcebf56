//! What a model head outputs, tagged with its task and with what the numbers are.
//!
//! The same `[N, C]` array means different things as raw logits, probabilities or
//! log-probabilities, and each loss wants exactly one of them. Wrapping the array says which,
//! so a softmax before `CrossEntropy` (which applies its own) is a type error instead of a
//! silently worse model.

use std::marker::PhantomData;

use ndarray::{Array, ArrayD, ArrayView, ArrayViewD, Axis, Dimension};

use super::task::{Binary, MultiClass, MultiLabel, Ranking, Regression, Sequence, Task};
use crate::functional::{log_softmax_last_axis, sigmoid_elementwise};
use crate::{LossError, Real, Result};

/// A model output of a known task (implemented by every prediction kind).
pub trait Prediction {
    /// The task the output belongs to.
    type Task: Task;
    /// The element type.
    type Elem: Real;
}

/// A task whose outputs are class scores: `MultiClass`, `MultiLabel`, `Binary`, `Sequence`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` outputs are not class scores",
    label = "no logits for this task",
    note = "regression outputs go in `Predictions` (or `GaussianPredictions`); ranking outputs in `Triplets`, `EmbeddingPairs`, `ScorePairs` or `Distances`"
)]
pub trait ClassificationTask: Task {
    /// The number of dimensions of its logits.
    const RANK: usize;
    /// Its logits' shape, in words.
    const SHAPE: &'static str;
    /// The fewest classes (or labels) in the last dimension: a softmax over one class is
    /// always 1, so its loss and gradient are 0 and nothing is learned.
    const MIN_CLASSES: usize;
}

impl ClassificationTask for MultiClass {
    const RANK: usize = 2;
    const SHAPE: &'static str = "[N, C]: one row of C class scores per sample";
    const MIN_CLASSES: usize = 2;
}
impl ClassificationTask for MultiLabel {
    const RANK: usize = 2;
    const SHAPE: &'static str = "[N, L]: one score per label per sample";
    const MIN_CLASSES: usize = 1;
}
impl ClassificationTask for Binary {
    const RANK: usize = 1;
    const SHAPE: &'static str = "[N]: one score per sample";
    const MIN_CLASSES: usize = 0;
}
impl ClassificationTask for Sequence {
    const RANK: usize = 3;
    const SHAPE: &'static str = "[N, T, C]: C class scores per token";
    const MIN_CLASSES: usize = 2;
}

/// Tasks whose scores are normalised with a softmax over classes (exactly one class is true).
#[diagnostic::on_unimplemented(
    message = "a softmax makes the classes of a `{Self}` head compete, but its labels are independent",
    label = "no softmax for `{Self}` logits",
    note = "use `sigmoid` for independent labels, or declare the head `MultiClass` if exactly one class is true per sample"
)]
pub trait SoftmaxTask: ClassificationTask {}
impl SoftmaxTask for MultiClass {}
impl SoftmaxTask for Sequence {}

/// Tasks whose scores are normalised one by one with a sigmoid (labels are independent).
#[diagnostic::on_unimplemented(
    message = "independent sigmoids do not give a distribution over the exclusive classes of a `{Self}` head",
    label = "no sigmoid for `{Self}` logits",
    note = "use `softmax` (or `log_softmax`) over the classes, or declare the head `MultiLabel` / `Binary` if labels are independent"
)]
pub trait SigmoidTask: ClassificationTask {}
impl SigmoidTask for MultiLabel {}
impl SigmoidTask for Binary {}

fn check_rank<K: ClassificationTask>(kind: &'static str, shape: &[usize]) -> Result<()> {
    if shape.len() == K::RANK {
        let classes = shape.last().copied().unwrap_or(0);
        if K::RANK > 1 && classes < K::MIN_CLASSES {
            return Err(LossError::Shape {
                loss: kind,
                arg: K::NAME,
                found: shape.to_vec(),
                expected: format!("at least {} classes in the last dimension", K::MIN_CLASSES),
                fix: format!(
                    "a softmax over {classes} class{} gives loss 0 and gradient 0, so nothing is \
                     learned: one logit per sample is a `Binary` head (`{kind}<Binary>` [N] with \
                     `BceWithLogits`), or give the head one column per class",
                    if classes == 1 { "" } else { "es" }
                ),
            });
        }
        return Ok(());
    }
    Err(LossError::Shape {
        loss: kind,
        arg: K::NAME,
        found: shape.to_vec(),
        expected: K::SHAPE.to_string(),
        fix: format!(
            "reshape the model output, or declare the task that matches its shape \
             (`{kind}<MultiClass>` [N, C], `{kind}<MultiLabel>` [N, L], `{kind}<Binary>` [N], \
             `{kind}<Sequence>` [N, T, C])"
        ),
    })
}

macro_rules! class_scores {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<K, T> {
            data: ArrayD<T>,
            task: PhantomData<K>,
        }

        impl<K, T> $name<K, T> {
            #[doc = concat!("Wraps ", $what, " of task `K`, checking the shape the task needs.")]
            ///
            /// # Errors
            /// [`LossError::Shape`] when the array does not have the task's rank.
            // (`T: Real` on the function, not the impl: an integer element type is then the
            // `Real` trait's message, not "function exists but its trait bounds were not
            // satisfied".)
            pub fn new<D: Dimension>(data: Array<T, D>) -> Result<Self>
            where
                K: ClassificationTask,
                T: Real,
            {
                check_rank::<K>(stringify!($name), data.shape())?;
                Ok($name { data: data.into_dyn(), task: PhantomData })
            }
        }

        impl<K: ClassificationTask, T: Real> $name<K, T> {

            /// The scores.
            #[must_use]
            pub fn view(&self) -> ArrayViewD<'_, T> {
                self.data.view()
            }

            /// The underlying array.
            #[must_use]
            pub fn into_inner(self) -> ArrayD<T> {
                self.data
            }

            /// The number of classes or labels (the last dimension; 1 for `Binary`).
            #[must_use]
            pub fn classes(&self) -> usize {
                if K::RANK == 1 { 1 } else { self.data.len_of(Axis(K::RANK - 1)) }
            }
        }

        impl<K: ClassificationTask, T: Real> Prediction for $name<K, T> {
            type Task = K;
            type Elem = T;
        }
    };
}

class_scores! {
    /// Raw, unnormalised scores straight from the model's last layer.
    ///
    /// The losses that apply their own softmax or sigmoid (`CrossEntropy`, `BceWithLogits`,
    /// the focal losses, ...) take these and only these.
    ///
    /// ```
    /// use lossfit::{Logits, MultiClass};
    /// use ndarray::array;
    ///
    /// let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0, 0.5]])?;
    /// assert_eq!(logits.classes(), 3);
    /// assert!(Logits::<MultiClass, f32>::new(array![1.0, 2.0]).is_err()); // [N] is not [N, C]
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    Logits, "raw logits"
}

class_scores! {
    /// Probabilities: the output of [`Logits::softmax`] (one class per sample) or
    /// [`Logits::sigmoid`] (independent labels), or probabilities computed elsewhere.
    ///
    /// Only `Bce` takes these; handing them to a loss that wants logits does not compile.
    ///
    /// ```
    /// use lossfit::{Logits, MultiLabel};
    /// use ndarray::array;
    ///
    /// let probs = Logits::<MultiLabel, f64>::new(array![[0.0, 100.0]])?.sigmoid();
    /// assert_eq!(probs.view()[[0, 0]], 0.5);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    Probabilities, "probabilities"
}

class_scores! {
    /// Log-probabilities: the output of [`Logits::log_softmax`]. `Nll` and `KlDiv` take these.
    ///
    /// ```
    /// use lossfit::{Logits, MultiClass};
    /// use ndarray::array;
    ///
    /// let log_p = Logits::<MultiClass, f64>::new(array![[0.0, 0.0]])?.log_softmax();
    /// assert!((log_p.view()[[0, 1]] + 2.0_f64.ln()).abs() < 1e-15);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    LogProbabilities, "log-probabilities"
}

/// Raw logits borrowed from an array the caller keeps: what [`Logits`] is, without taking
/// the array.
///
/// A training step that keeps its model output (and the derive's `ModelOutput::loss`, which
/// reads `&self`) would otherwise copy the whole `[N, C]` array into a `Logits` every step;
/// every loss that takes `Logits` takes this too.
///
/// ```
/// use lossfit::{ClassIndices, CrossEntropy, Logits, LogitsView, Mean, MultiClass};
/// use ndarray::{array, Array2};
///
/// let output: Array2<f32> = array![[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]]; // kept by the model
/// let logits = LogitsView::<MultiClass, f32>::new(output.view())?;
/// let labels = ClassIndices::new(array![0, 1]);
/// let borrowed = CrossEntropy::new().reduction(Mean).compute(&logits, &labels)?;
/// let owned = Logits::<MultiClass, f32>::new(output.clone())?;
/// let owned = CrossEntropy::new().reduction(Mean).compute(&owned, &labels)?;
/// assert_eq!(borrowed, owned);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LogitsView<'a, K, T> {
    data: ArrayViewD<'a, T>,
    task: PhantomData<K>,
}

impl<'a, K, T> LogitsView<'a, K, T> {
    /// Borrows raw logits of task `K`, checking the shape the task needs (as [`Logits::new`]).
    ///
    /// # Errors
    /// [`LossError::Shape`] when the array does not have the task's rank, or a multi-class or
    /// sequence head has fewer than 2 classes.
    pub fn new<D: Dimension>(data: ArrayView<'a, T, D>) -> Result<Self>
    where
        K: ClassificationTask,
        T: Real,
    {
        check_rank::<K>("LogitsView", data.shape())?;
        Ok(LogitsView {
            data: data.into_dyn(),
            task: PhantomData,
        })
    }
}

impl<K: ClassificationTask, T: Real> LogitsView<'_, K, T> {
    /// The scores.
    #[must_use]
    pub fn view(&self) -> ArrayViewD<'_, T> {
        self.data.view()
    }

    /// The number of classes or labels (the last dimension; 1 for `Binary`).
    #[must_use]
    pub fn classes(&self) -> usize {
        if K::RANK == 1 {
            1
        } else {
            self.data.len_of(Axis(K::RANK - 1))
        }
    }
}

impl<K: ClassificationTask, T: Real> Prediction for LogitsView<'_, K, T> {
    type Task = K;
    type Elem = T;
}

impl<K: ClassificationTask, T: Real> Logits<K, T> {
    /// These logits borrowed, as a [`LogitsView`].
    #[must_use]
    pub fn as_view(&self) -> LogitsView<'_, K, T> {
        LogitsView {
            data: self.data.view(),
            task: PhantomData,
        }
    }
}

// The activations are methods of every task's logits, bounded by the task: the wrong one is
// the task trait's message (as for the free functions), not "method not found".
impl<K: ClassificationTask, T: Real> Logits<K, T> {
    /// The softmax over classes (the last dimension), computed stably.
    #[must_use]
    pub fn softmax(&self) -> Probabilities<K, T>
    where
        K: SoftmaxTask,
    {
        let log_p = log_softmax_last_axis(&self.data.view());
        Probabilities {
            data: log_p.mapv(|x| T::from_f64(x.to_f64().exp())),
            task: PhantomData,
        }
    }

    /// The log-softmax over classes (the last dimension), computed stably.
    #[must_use]
    pub fn log_softmax(&self) -> LogProbabilities<K, T>
    where
        K: SoftmaxTask,
    {
        LogProbabilities {
            data: log_softmax_last_axis(&self.data.view()),
            task: PhantomData,
        }
    }

    /// The sigmoid of every score (labels are independent), computed stably.
    #[must_use]
    pub fn sigmoid(&self) -> Probabilities<K, T>
    where
        K: SigmoidTask,
    {
        Probabilities {
            data: sigmoid_elementwise(&self.data.view()),
            task: PhantomData,
        }
    }
}

/// What only raw logits are: never implemented for probabilities or log-probabilities, so a
/// second activation (`probs.softmax()`) is one error that says why instead of "method not
/// found".
#[diagnostic::on_unimplemented(
    message = "`{Self}` are already activated: another softmax or sigmoid would squash them again",
    label = "already activated",
    note = "apply the activation once, to the `Logits`; the losses that take logits (`CrossEntropy`, `BceWithLogits`) apply it themselves"
)]
pub trait RawScores {}

macro_rules! no_second_activation {
    ($($name:ident),+) => {$(
        impl<K: ClassificationTask, T: Real> $name<K, T> {
            /// Not available: these are already activated (a compile error says so).
            #[doc(hidden)]
            #[must_use]
            pub fn softmax(&self) -> Self
            where
                Self: RawScores,
            {
                self.clone()
            }

            /// Not available: these are already activated (a compile error says so).
            #[doc(hidden)]
            #[must_use]
            pub fn log_softmax(&self) -> Self
            where
                Self: RawScores,
            {
                self.clone()
            }

            /// Not available: these are already activated (a compile error says so).
            #[doc(hidden)]
            #[must_use]
            pub fn sigmoid(&self) -> Self
            where
                Self: RawScores,
            {
                self.clone()
            }
        }
    )+};
}

no_second_activation!(Probabilities, LogProbabilities);

/// `softmax(logits)`: probabilities over classes. A function form of [`Logits::softmax`].
///
/// ```
/// use lossfit::{softmax, Logits, MultiClass};
/// use ndarray::array;
///
/// let p = softmax(&Logits::<MultiClass, f64>::new(array![[1.0, 1.0]])?);
/// assert!((p.view()[[0, 0]] - 0.5).abs() < 1e-15);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[must_use]
pub fn softmax<K: SoftmaxTask, T: Real>(logits: &Logits<K, T>) -> Probabilities<K, T> {
    logits.softmax()
}

/// `log_softmax(logits)`: log-probabilities over classes. See [`Logits::log_softmax`].
///
/// ```
/// use lossfit::{log_softmax, Logits, MultiClass};
/// use ndarray::array;
///
/// let log_p = log_softmax(&Logits::<MultiClass, f32>::new(array![[3.0, 3.0]])?);
/// assert!((log_p.view()[[0, 0]] + 2.0_f32.ln()).abs() < 1e-6);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[must_use]
pub fn log_softmax<K: SoftmaxTask, T: Real>(logits: &Logits<K, T>) -> LogProbabilities<K, T> {
    logits.log_softmax()
}

/// `sigmoid(logits)`: independent probabilities. See [`Logits::sigmoid`].
///
/// ```
/// use lossfit::{sigmoid, Binary, Logits};
/// use ndarray::array;
///
/// let p = sigmoid(&Logits::<Binary, f64>::new(array![0.0])?);
/// assert_eq!(p.view()[[0]], 0.5);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[must_use]
pub fn sigmoid<K: SigmoidTask, T: Real>(logits: &Logits<K, T>) -> Probabilities<K, T> {
    logits.sigmoid()
}

/// Real-valued regression outputs of any shape.
///
/// ```
/// use lossfit::Predictions;
/// use ndarray::array;
///
/// let boxes = Predictions::new(array![[0.1_f32, 0.2, 0.5, 0.7]]);
/// assert_eq!(boxes.view().shape(), &[1, 4]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions<T> {
    data: ArrayD<T>,
}

impl<T: Real> Predictions<T> {
    /// Wraps a regression output.
    #[must_use]
    pub fn new<D: Dimension>(data: Array<T, D>) -> Self {
        Predictions {
            data: data.into_dyn(),
        }
    }

    /// The values.
    #[must_use]
    pub fn view(&self) -> ArrayViewD<'_, T> {
        self.data.view()
    }
}

impl<T: Real> Prediction for Predictions<T> {
    type Task = Regression;
    type Elem = T;
}

/// A Gaussian regression head: a predicted mean and a predicted variance per output.
///
/// ```
/// use lossfit::GaussianPredictions;
/// use ndarray::array;
///
/// let head = GaussianPredictions::new(array![1.0_f64, 2.0], array![0.5, 0.1])?;
/// assert_eq!(head.mean().len(), 2);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianPredictions<T> {
    mean: ArrayD<T>,
    var: ArrayD<T>,
}

impl<T: Real> GaussianPredictions<T> {
    /// Wraps a mean and a variance (the variance's shape rules are `gaussian_nll_loss`'s).
    ///
    /// # Errors
    /// None today; the shapes are checked when the loss is computed. It returns `Result` so
    /// that checks can be added without breaking callers.
    pub fn new<D1: Dimension, D2: Dimension>(
        mean: Array<T, D1>,
        var: Array<T, D2>,
    ) -> Result<Self> {
        Ok(GaussianPredictions {
            mean: mean.into_dyn(),
            var: var.into_dyn(),
        })
    }

    /// The predicted mean.
    #[must_use]
    pub fn mean(&self) -> ArrayViewD<'_, T> {
        self.mean.view()
    }

    /// The predicted variance.
    #[must_use]
    pub fn var(&self) -> ArrayViewD<'_, T> {
        self.var.view()
    }
}

impl<T: Real> Prediction for GaussianPredictions<T> {
    type Task = Regression;
    type Elem = T;
}

macro_rules! ranking_output {
    ($(#[$meta:meta])* $name:ident { $($field:ident),+ }, $rank:literal, $shape:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<T> {
            $($field: ArrayD<T>,)+
        }

        impl<T: Real> $name<T> {
            #[doc = concat!("Wraps the model outputs, each of shape `", $shape, "`.")]
            ///
            /// # Errors
            /// [`LossError::Shape`] when an output has the wrong rank or the outputs differ in shape.
            pub fn new<D: Dimension>($($field: Array<T, D>),+) -> Result<Self> {
                let parts = [$((stringify!($field), $field.shape().to_vec())),+];
                let first = parts[0].1.clone();
                for (arg, shape) in parts {
                    if shape.len() != $rank || shape != first {
                        return Err(LossError::Shape {
                            loss: stringify!($name),
                            arg,
                            found: shape,
                            expected: format!("{} and the same shape as `{}` {:?}", $shape, parts_first_name(&[$(stringify!($field)),+]), first),
                            fix: "pass outputs of one batch, one row per sample".to_string(),
                        });
                    }
                }
                Ok($name { $($field: $field.into_dyn(),)+ })
            }

            $(
                #[doc = concat!("The `", stringify!($field), "` output.")]
                #[must_use]
                pub fn $field(&self) -> ArrayViewD<'_, T> {
                    self.$field.view()
                }
            )+
        }

        impl<T: Real> Prediction for $name<T> {
            type Task = Ranking;
            type Elem = T;
        }
    };
}

fn parts_first_name<'a>(names: &[&'a str]) -> &'a str {
    names.first().copied().unwrap_or("first")
}

ranking_output! {
    /// Anchor, positive and negative embeddings `[N, D]` for `TripletMargin`.
    ///
    /// ```
    /// use lossfit::Triplets;
    /// use ndarray::array;
    ///
    /// let t = Triplets::new(array![[0.0_f32, 1.0]], array![[0.0, 0.9]], array![[1.0, 0.0]])?;
    /// assert_eq!(t.anchor().shape(), &[1, 2]);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    Triplets { anchor, positive, negative }, 2, "[N, D]"
}

ranking_output! {
    /// Two embeddings per sample `[N, D]`: the pairs of `Contrastive` and `CosineEmbedding`,
    /// or the query and key views of `InfoNce` (row `i` of each is a positive pair).
    ///
    /// ```
    /// use lossfit::EmbeddingPairs;
    /// use ndarray::array;
    ///
    /// let pairs = EmbeddingPairs::new(array![[1.0_f64, 0.0]], array![[0.8, 0.6]])?;
    /// assert_eq!(pairs.second().shape(), &[1, 2]);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    EmbeddingPairs { first, second }, 2, "[N, D]"
}

ranking_output! {
    /// Two scores per sample `[N]` to be ranked against each other (`MarginRanking`).
    ///
    /// ```
    /// use lossfit::ScorePairs;
    /// use ndarray::array;
    ///
    /// let scores = ScorePairs::new(array![0.9_f32, 0.2], array![0.1, 0.4])?;
    /// assert_eq!(scores.first().len(), 2);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    ScorePairs { first, second }, 1, "[N]"
}

ranking_output! {
    /// One distance (or dissimilarity) per pair `[N]` for `HingeEmbedding`.
    ///
    /// ```
    /// use lossfit::Distances;
    /// use ndarray::array;
    ///
    /// assert!(Distances::new(array![0.3_f64, 1.7]).is_ok());
    /// ```
    Distances { distance }, 1, "[N]"
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, Array3};

    #[test]
    fn softmax_tasks_need_two_classes() {
        let one = Array2::<f32>::zeros((4, 1));
        let err = Logits::<MultiClass, f32>::new(one).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`Binary` head"), "{message}");
        assert!(Probabilities::<MultiClass, f32>::new(Array2::<f32>::zeros((4, 1))).is_err());
        assert!(Logits::<Sequence, f64>::new(Array3::<f64>::zeros((2, 5, 1))).is_err());
        assert!(Logits::<MultiClass, f32>::new(Array2::<f32>::zeros((4, 0))).is_err());
        // Enough classes, an empty batch, one label, one logit per sample: all fine.
        assert!(Logits::<MultiClass, f32>::new(Array2::<f32>::zeros((4, 2))).is_ok());
        assert!(Logits::<MultiClass, f32>::new(Array2::<f32>::zeros((0, 3))).is_ok());
        assert!(Logits::<MultiLabel, f32>::new(Array2::<f32>::zeros((4, 1))).is_ok());
        assert!(Logits::<Binary, f32>::new(Array1::<f32>::zeros(4)).is_ok());
    }
}
