//! What the labels are: class indices, class probabilities, multi-hot rows, regression values.
//!
//! Like predictions, targets carry their meaning in their type, so class indices cannot reach
//! a multi-label or regression loss, and multi-hot rows cannot reach a cross-entropy.
//! Constructors check what can be checked without the prediction (rank, values in range, no
//! NaN); the class count is checked against the prediction when the loss is computed.

use ndarray::{Array, ArrayD, ArrayViewD, Dimension};

use crate::tensor::position;
use crate::{LossError, Real, Result};

fn check_rank(kind: &'static str, shape: &[usize], rank: usize, expected: &str) -> Result<()> {
    if shape.len() == rank {
        return Ok(());
    }
    Err(LossError::Shape {
        loss: kind,
        arg: "target",
        found: shape.to_vec(),
        expected: expected.to_string(),
        fix: format!("build `{kind}` from an array of shape {expected}"),
    })
}

/// Fails on the first value outside `valid` (NaN included), naming its position.
fn check_values<T: Real>(
    kind: &'static str,
    data: &ArrayD<T>,
    valid: impl Fn(f64) -> bool,
    expected: &str,
) -> Result<()> {
    for (flat, v) in data.iter().enumerate() {
        let v = v.to_f64();
        if !valid(v) {
            return Err(LossError::Domain {
                loss: kind,
                arg: "target",
                position: position(data.shape(), flat),
                value: v,
                expected: expected.to_string(),
            });
        }
    }
    Ok(())
}

/// One class index per sample `[N]` for `MultiClass` losses.
///
/// ```
/// use lossfit::ClassIndices;
/// use ndarray::array;
///
/// let labels = ClassIndices::new(array![0_usize, 2, 1]);
/// assert_eq!(labels.len(), 3);
/// // -100 marks samples to leave out of the loss (as PyTorch's ignore_index)
/// let partial = ClassIndices::with_ignore_index(array![0_i64, -100, 1], -100)?;
/// assert_eq!(partial.ignore_index(), Some(-100));
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassIndices {
    data: ArrayD<i64>,
    ignore_index: Option<i64>,
}

impl ClassIndices {
    /// Class indices, one per sample.
    #[must_use]
    pub fn new(labels: impl Into<ndarray::Array1<usize>>) -> Self {
        ClassIndices {
            data: labels.into().mapv(|c| c as i64).into_dyn(),
            ignore_index: None,
        }
    }

    /// Class indices where `ignore_index` marks samples that contribute nothing (not even to
    /// the mean's denominator).
    ///
    /// # Errors
    /// [`LossError::Shape`] unless `labels` is one-dimensional.
    pub fn with_ignore_index<D: Dimension>(
        labels: Array<i64, D>,
        ignore_index: i64,
    ) -> Result<Self> {
        check_rank("ClassIndices", labels.shape(), 1, "[N]")?;
        Ok(ClassIndices {
            data: labels.into_dyn(),
            ignore_index: Some(ignore_index),
        })
    }

    /// The number of samples.
    #[must_use]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no samples.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The index that marks ignored samples, if any.
    #[must_use]
    pub fn ignore_index(&self) -> Option<i64> {
        self.ignore_index
    }

    /// The indices as `i64` (PyTorch's dtype for class indices).
    #[must_use]
    pub fn view(&self) -> ArrayViewD<'_, i64> {
        self.data.view()
    }
}

/// One class index per token `[N, T]` for `Sequence` losses; padding is ignored.
///
/// ```
/// use lossfit::TokenIndices;
/// use ndarray::array;
///
/// let tokens = TokenIndices::new(array![[5_i64, 7, -100]])?; // -100: padding
/// assert_eq!(tokens.ignore_index(), -100);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenIndices {
    data: ArrayD<i64>,
    ignore_index: i64,
}

impl TokenIndices {
    /// Token class indices `[N, T]`, with `-100` (PyTorch's default) marking padding.
    ///
    /// # Errors
    /// [`LossError::Shape`] unless `tokens` is two-dimensional.
    pub fn new<D: Dimension>(tokens: Array<i64, D>) -> Result<Self> {
        check_rank("TokenIndices", tokens.shape(), 2, "[N, T]")?;
        Ok(TokenIndices {
            data: tokens.into_dyn(),
            ignore_index: -100,
        })
    }

    /// The index that marks padding.
    #[must_use]
    pub fn ignore_index(&self) -> i64 {
        self.ignore_index
    }

    /// Uses another index to mark padding (e.g. the tokenizer's pad id).
    #[must_use]
    pub fn with_ignore_index(mut self, ignore_index: i64) -> Self {
        self.ignore_index = ignore_index;
        self
    }

    /// The indices.
    #[must_use]
    pub fn view(&self) -> ArrayViewD<'_, i64> {
        self.data.view()
    }
}

macro_rules! float_target {
    (
        $(#[$meta:meta])* $name:ident, rank: $rank:expr, shape: $shape:literal,
        valid: $valid:expr, expected: $expected:literal $(, then: $then:path)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<T> {
            data: ArrayD<T>,
        }

        impl<T: Real> $name<T> {
            #[doc = concat!("Wraps targets (shape: ", $shape, "); every value must be ", $expected, ".")]
            ///
            /// # Errors
            /// [`LossError::Shape`] for the wrong rank; [`LossError::Domain`] naming the first
            /// value out of range (NaN included).
            pub fn new<D: Dimension>(data: Array<T, D>) -> Result<Self> {
                let rank: Option<usize> = $rank;
                if let Some(rank) = rank {
                    check_rank(stringify!($name), data.shape(), rank, $shape)?;
                }
                let data = data.into_dyn();
                check_values(stringify!($name), &data, $valid, concat!("expected ", $expected))?;
                $($then(&data)?;)?
                Ok($name { data })
            }

            /// The values.
            #[must_use]
            pub fn view(&self) -> ArrayViewD<'_, T> {
                self.data.view()
            }
        }
    };
}

float_target! {
    /// A probability per class per sample `[N, C]` (soft labels, mixup, distillation).
    ///
    /// ```
    /// use lossfit::ClassProbabilities;
    /// use ndarray::array;
    ///
    /// assert!(ClassProbabilities::new(array![[0.7_f32, 0.3]]).is_ok());
    /// assert!(ClassProbabilities::new(array![[1.5_f32, -0.5]]).is_err());
    /// // multi-hot rows are several labels per sample, not a distribution over classes
    /// assert!(ClassProbabilities::new(array![[1.0_f32, 1.0, 0.0]]).is_err());
    /// ```
    ClassProbabilities, rank: Some(2), shape: "`[N, C]`",
    valid: |v| (0.0..=1.0).contains(&v), expected: "a probability in [0, 1]",
    then: rows_sum_to_one
}

/// How far a row of class probabilities may sum from 1 (rounding in `f32` softmax outputs over
/// many classes stays far below it; a multi-hot row or an unnormalised one does not).
const ROW_SUM_TOLERANCE: f64 = 1e-3;

/// Each row of `[N, C]` class probabilities is a distribution: it sums to 1.
fn rows_sum_to_one<T: Real>(data: &ArrayD<T>) -> Result<()> {
    for (row, values) in data.outer_iter().enumerate() {
        let sum: f64 = values.iter().map(|v| v.to_f64()).sum();
        if (sum - 1.0).abs() > ROW_SUM_TOLERANCE {
            return Err(LossError::Domain {
                loss: "ClassProbabilities",
                arg: "target",
                position: vec![row],
                value: sum,
                expected: "rows that sum to 1, one distribution over the classes per sample (this \
                           row's sum is the value); several true labels per sample are a \
                           `MultiLabel` head with `MultiHot` targets, and unnormalised scores need \
                           dividing by their row sum"
                    .to_string(),
            });
        }
    }
    Ok(())
}

float_target! {
    /// Which labels apply to each sample `[N, L]`: 0 or 1 (or a soft value in between).
    ///
    /// ```
    /// use lossfit::MultiHot;
    /// use ndarray::array;
    ///
    /// assert!(MultiHot::new(array![[1.0_f32, 0.0, 1.0]]).is_ok());
    /// assert!(MultiHot::new(array![[2.0_f32, 0.0, 1.0]]).is_err()); // a class index, not multi-hot
    /// ```
    MultiHot, rank: Some(2), shape: "`[N, L]`",
    valid: |v| (0.0..=1.0).contains(&v), expected: "0 or 1 (or a soft label in [0, 1])"
}

float_target! {
    /// One label per sample `[N]`: 0 or 1 (or a soft value in between).
    ///
    /// ```
    /// use lossfit::BinaryLabels;
    /// use ndarray::array;
    ///
    /// assert!(BinaryLabels::new(array![0.0_f64, 1.0, 1.0]).is_ok());
    /// ```
    BinaryLabels, rank: Some(1), shape: "`[N]`",
    valid: |v| (0.0..=1.0).contains(&v), expected: "0 or 1 (or a soft label in [0, 1])"
}

float_target! {
    /// One ±1 label per sample `[N]`: `SoftMargin`, `MarginRanking`, `CosineEmbedding`,
    /// `HingeEmbedding` (1: similar / first ranks higher / positive; -1: the opposite).
    ///
    /// ```
    /// use lossfit::SignLabels;
    /// use ndarray::array;
    ///
    /// assert!(SignLabels::new(array![1.0_f32, -1.0]).is_ok());
    /// assert!(SignLabels::new(array![1.0_f32, 0.0]).is_err()); // 0/1 labels: use BinaryLabels
    /// ```
    SignLabels, rank: Some(1), shape: "`[N]`",
    valid: |v| v == 1.0 || v == -1.0, expected: "1 or -1"
}

float_target! {
    /// One 0/1 label per pair `[N]` for `Contrastive` (1: similar, 0: dissimilar).
    ///
    /// ```
    /// use lossfit::PairLabels;
    /// use ndarray::array;
    ///
    /// assert!(PairLabels::new(array![1.0_f64, 0.0]).is_ok());
    /// ```
    PairLabels, rank: Some(1), shape: "`[N]`",
    valid: |v| v == 0.0 || v == 1.0, expected: "1 (similar) or 0 (dissimilar)"
}

float_target! {
    /// Real-valued regression targets, of the prediction's shape.
    ///
    /// ```
    /// use lossfit::Targets;
    /// use ndarray::array;
    ///
    /// assert!(Targets::new(array![[0.5_f32, 1.5]]).is_ok());
    /// assert!(Targets::new(array![f32::NAN]).is_err());
    /// ```
    Targets, rank: None, shape: "of the prediction's shape",
    valid: f64::is_finite, expected: "a finite number (a NaN target silently poisons the loss)"
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn class_probabilities_are_one_distribution_per_row() {
        // Softmax outputs over many classes sum to 1 up to f32 rounding.
        let row = ndarray::Array2::from_elem((2, 1000), 1.0_f32 / 1000.0);
        assert!(ClassProbabilities::new(row).is_ok());
        assert!(ClassProbabilities::new(array![[0.7_f64, 0.2, 0.1]]).is_ok());
        // A multi-hot row, an unnormalised row, an empty row: errors naming the row and its sum.
        for (rows, bad_row, sum) in [
            (array![[0.5, 0.5, 0.0], [1.0, 1.0, 0.0]], 1, 2.0),
            (array![[0.2, 0.2, 0.2], [0.5, 0.5, 0.0]], 0, 0.6),
            (array![[0.0, 0.0, 0.0], [0.5, 0.5, 0.0]], 0, 0.0),
        ] {
            match ClassProbabilities::<f64>::new(rows) {
                Err(LossError::Domain {
                    position, value, ..
                }) => {
                    assert_eq!(position, vec![bad_row]);
                    assert!((value - sum).abs() < 1e-12);
                }
                other => panic!("expected a row-sum error, got {other:?}"),
            }
        }
        let message = ClassProbabilities::new(array![[1.0_f32, 1.0]])
            .unwrap_err()
            .to_string();
        assert!(message.contains("MultiLabel"), "{message}");
    }
}
