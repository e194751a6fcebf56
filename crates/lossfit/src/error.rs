//! The error every loss returns on bad input: what is wrong, where, and how to fix it.

use std::fmt;

/// The result type of every fallible function in this crate.
pub type Result<T, E = LossError> = std::result::Result<T, E>;

/// Why a loss could not be computed.
///
/// Every variant names the loss and the argument at fault, what was expected, what was
/// found and how to fix it; the `Display` text is meant to be shown to the user as is.
///
/// ```
/// use lossfit::functional::{mse_loss, MseOptions};
/// use ndarray::array;
///
/// let err = mse_loss(&array![1.0_f32, 2.0], &array![1.0_f32, 2.0, 3.0], &MseOptions::default())
///     .unwrap_err();
/// assert!(err.to_string().contains("`target` has shape [3]"));
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LossError {
    /// An argument's shape does not fit the loss (lossfit never broadcasts silently).
    #[error("{loss}: `{arg}` has shape {found:?}, expected {expected}; {fix}")]
    Shape {
        /// The loss (PyTorch's functional name).
        loss: &'static str,
        /// The argument at fault.
        arg: &'static str,
        /// Its shape.
        found: Vec<usize>,
        /// The shape that would fit, in words.
        expected: String,
        /// How to fix it.
        fix: String,
    },
    /// A class index that is neither in `0..classes` nor the ignore index.
    #[error(
        "{loss}: `{arg}` holds class index {value} at position {position:?}, but the input has \
         {classes} classes (valid: 0..{classes}{}); check the label encoding or the number of \
         classes the model outputs",
        IgnoreHint(*ignore_index)
    )]
    ClassIndex {
        /// The loss (PyTorch's functional name).
        loss: &'static str,
        /// The argument at fault.
        arg: &'static str,
        /// Multi-index of the bad entry.
        position: Vec<usize>,
        /// The bad value.
        value: i64,
        /// How many classes the input has.
        classes: usize,
        /// The ignore index in force, if the loss has one.
        ignore_index: Option<i64>,
    },
    /// A hyperparameter outside its domain.
    #[error("{loss}: `{param}` = {value} is invalid: {expected}")]
    Parameter {
        /// The loss (PyTorch's functional name).
        loss: &'static str,
        /// The parameter at fault.
        param: &'static str,
        /// Its value as given.
        value: String,
        /// The valid domain and what to pass instead.
        expected: String,
    },
    /// A tensor entry outside the domain the loss is defined on.
    #[error("{loss}: `{arg}` holds {value} at position {position:?}: {expected}")]
    Domain {
        /// The loss (PyTorch's functional name).
        loss: &'static str,
        /// The argument at fault.
        arg: &'static str,
        /// Multi-index of the bad entry.
        position: Vec<usize>,
        /// The bad value.
        value: f64,
        /// The valid domain and how to get there.
        expected: String,
    },
}

struct IgnoreHint(Option<i64>);

impl fmt::Display for IgnoreHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(index) => write!(f, ", or the ignore index {index}"),
            None => Ok(()),
        }
    }
}
