//! What a loss returns: its value and the gradient of every differentiable input.

use ndarray::{ArrayD, ArrayViewD};

use crate::Real;

/// The value of a loss and its gradients.
///
/// `value` is 0-dimensional for [`Reduction::Mean`](crate::Reduction::Mean) and
/// [`Reduction::Sum`](crate::Reduction::Sum) and holds one entry per element for
/// [`Reduction::None`](crate::Reduction::None). `grad` holds the gradient of
/// `sum(value * grad_output)` with respect to each differentiable input, where `grad_output` is
/// the upstream gradient given in the options (all ones when unset).
///
/// ```
/// use lossfit::functional::{mse_loss, MseOptions};
/// use ndarray::array;
///
/// let loss = mse_loss(&array![1.0_f64, 2.0], &array![0.0_f64, 0.0], &MseOptions::default())?;
/// assert_eq!(loss.scalar(), Some(2.5));
/// assert_eq!(loss.grad.input, array![1.0, 2.0].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Loss<T, G> {
    /// The loss value (0-dimensional when reduced).
    pub value: ArrayD<T>,
    /// The gradients, one field per differentiable input, each of that input's shape.
    pub grad: G,
}

impl<T: Real, G> Loss<T, G> {
    /// The value as a number when it is a single one (reduced, or an unbatched input).
    #[must_use]
    pub fn scalar(&self) -> Option<T> {
        (self.value.ndim() == 0).then(|| self.value[[]])
    }
}

/// Gradients that can be listed by the name of the input they belong to.
///
/// The names are PyTorch's functional argument names (`input`, `target`, `anchor`, `var`, ...),
/// which is how test harnesses and tools match them to reference values.
///
/// ```
/// use lossfit::Gradients;
/// use lossfit::functional::{mse_loss, MseOptions};
/// use ndarray::array;
///
/// let loss = mse_loss(&array![1.0_f32], &array![0.0_f32], &MseOptions::default())?;
/// let names: Vec<_> = loss.grad.named().into_iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["input", "target"]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub trait Gradients<T> {
    /// Each gradient with the name of its input, in argument order.
    fn named(&self) -> Vec<(&'static str, ArrayViewD<'_, T>)>;
}

/// Declares a gradient struct with one `ArrayD<T>` field per input and its [`Gradients`] impl.
macro_rules! gradients {
    ($(#[$meta:meta])* $name:ident { $($(#[$field_meta:meta])* $field:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<T> {
            $($(#[$field_meta])* pub $field: ::ndarray::ArrayD<T>,)+
        }

        impl<T> $crate::Gradients<T> for $name<T> {
            fn named(&self) -> Vec<(&'static str, ::ndarray::ArrayViewD<'_, T>)> {
                vec![$((stringify!($field), self.$field.view())),+]
            }
        }
    };
}
pub(crate) use gradients;

gradients! {
    /// The gradient of a loss whose only differentiable argument is `input`.
    InputGrad {
        /// d loss / d input.
        input,
    }
}

gradients! {
    /// The gradients of a loss of `input` and a real-valued `target`.
    InputTargetGrad {
        /// d loss / d input.
        input,
        /// d loss / d target.
        target,
    }
}
