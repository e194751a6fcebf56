//! Per-class weights, the slot that label statistics fill.

use ndarray::{Array1, ArrayView1};

use lossfit_stats::{ClassCounts, ClassLabel, WeightScheme};

use crate::{LossError, Real, Result};

/// One non-negative weight per class, for the losses that take class weights.
///
/// Build them by hand with [`ClassWeights::new`] or from label counts with
/// [`ClassWeights::balanced`] (inverse frequency, normalised to mean 1 over classes), the
/// scheme `losslint` and `#[derive(ModelOutput)]` suggest for imbalanced labels.
///
/// ```
/// use lossfit::ClassWeights;
///
/// let weights = ClassWeights::<f32>::balanced(&[900, 100])?;
/// assert_eq!(weights.view().to_vec(), vec![0.2, 1.8]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ClassWeights<T> {
    weights: Array1<T>,
}

impl<T: Real> ClassWeights<T> {
    /// Weights given by hand, in class-index order.
    ///
    /// # Errors
    /// [`LossError::Domain`] for a negative or non-finite weight.
    pub fn new(weights: impl Into<Array1<T>>) -> Result<Self> {
        let weights = weights.into();
        for (class, w) in weights.iter().enumerate() {
            let w = w.to_f64();
            if !(w.is_finite() && w >= 0.0) {
                return Err(LossError::Domain {
                    loss: "ClassWeights",
                    arg: "weights",
                    position: vec![class],
                    value: w,
                    expected: "a finite, non-negative weight per class".to_string(),
                });
            }
        }
        Ok(ClassWeights { weights })
    }

    /// Inverse-frequency weights from per-class counts (`w_c ∝ 1 / n_c`), normalised so
    /// their mean over classes is 1: rare classes weigh more, and the loss keeps its scale.
    /// The scheme `losslint` and `#[derive(ModelOutput)]` suggest for imbalanced labels (one
    /// implementation, [`lossfit_stats::ClassCounts::weights`]).
    ///
    /// # Errors
    /// [`LossError::Parameter`] for a class with count 0 (its weight would be infinite: drop the
    /// class or set its weight with [`ClassWeights::new`]) or when `counts` is empty.
    pub fn balanced(counts: &[u64]) -> Result<Self> {
        let counts = ClassCounts::from_pairs(
            counts
                .iter()
                .enumerate()
                .map(|(class, &n)| (ClassLabel::Id(class as u64), n)),
        );
        Self::from_counts(&counts, WeightScheme::InverseFrequency)
    }

    /// Weights of a scheme (inverse frequency, inverse square root, effective number) from
    /// label statistics, e.g. read with [`lossfit_stats::read_labels`].
    ///
    /// ```
    /// use lossfit::ClassWeights;
    /// use lossfit::stats::{ClassCounts, ClassLabel, WeightScheme};
    ///
    /// // Names index classes in the order the model's outputs use, which the user declares.
    /// let counts = ClassCounts::from_pairs([(ClassLabel::from("cat"), 900), (ClassLabel::from("dog"), 100)])
    ///     .with_class_names(&["cat", "dog"])?;
    /// let weights = ClassWeights::<f64>::from_counts(&counts, WeightScheme::InverseSqrtFrequency)?;
    /// assert!(weights.view()[1] > weights.view()[0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`LossError::Parameter`] when a class has count 0, there are no classes, or the labels
    /// are names in no declared order ([`ClassCounts::with_class_names`]).
    pub fn from_counts(counts: &ClassCounts, scheme: WeightScheme) -> Result<Self> {
        let weights = counts.weights(scheme).map_err(|e| LossError::Parameter {
            loss: "ClassWeights",
            param: "counts",
            value: format!("{:?}", counts.counts()),
            expected: e.to_string(),
        })?;
        Ok(ClassWeights {
            weights: weights.into_iter().map(T::from_f64).collect(),
        })
    }

    /// The weights, in class-index order.
    #[must_use]
    pub fn view(&self) -> ArrayView1<'_, T> {
        self.weights.view()
    }

    /// The number of classes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether there are no classes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}
