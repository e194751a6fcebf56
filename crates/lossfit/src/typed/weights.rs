//! Per-class weights, the slot that label statistics fill.

use ndarray::{Array1, ArrayView1};

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
    ///
    /// # Errors
    /// [`LossError::Domain`] for a class with count 0 (its weight would be infinite: drop the
    /// class or set its weight with [`ClassWeights::new`]) or when `counts` is empty.
    pub fn balanced(counts: &[u64]) -> Result<Self> {
        if let Some(class) = counts.iter().position(|&n| n == 0) {
            return Err(LossError::Domain {
                loss: "ClassWeights::balanced",
                arg: "counts",
                position: vec![class],
                value: 0.0,
                expected: "a positive count for every class: a class that never occurs has \
                           no inverse frequency; drop it or give it a weight by hand"
                    .to_string(),
            });
        }
        if counts.is_empty() {
            return Err(LossError::Shape {
                loss: "ClassWeights::balanced",
                arg: "counts",
                found: vec![0],
                expected: "[C] with C >= 1".to_string(),
                fix: "pass one count per class".to_string(),
            });
        }
        let inverse: Vec<f64> = counts.iter().map(|&n| 1.0 / n as f64).collect();
        let mean = inverse.iter().sum::<f64>() / inverse.len() as f64;
        Ok(ClassWeights {
            weights: inverse.iter().map(|w| T::from_f64(w / mean)).collect(),
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
