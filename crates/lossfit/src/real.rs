//! The floating-point element types the losses accept (`f32` and `f64`).

use std::fmt::{Debug, Display};

mod sealed {
    /// Sealed, and the kernels' arithmetic (which only `f32` and `f64` have).
    pub trait Sealed: crate::kernels::float::Float {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// An element type a loss can be computed on: `f32` or `f64` (sealed).
///
/// Every loss widens its inputs to `f64`, does the math there and rounds the results back to
/// `T` once. For `f32` this makes the result at least as accurate as PyTorch's (which keeps
/// `f32` intermediates), so parity with PyTorch holds to PyTorch's own rounding error; for
/// `f64` the arithmetic is the same as PyTorch's.
///
/// ```
/// use lossfit::Real;
/// assert_eq!(<f32 as Real>::from_f64(0.5), 0.5_f32);
/// assert_eq!(Real::to_f64(0.25_f32), 0.25_f64);
/// assert_eq!(<f64 as Real>::DTYPE, "float64");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an element type lossfit computes in: use `f32` or `f64`",
    label = "not `f32` or `f64`",
    note = "class labels are integers: they go in `ClassIndices` (`ClassIndices::new(array![2, 0, 1])`), not in `Logits`; a float target (regression, multi-hot, probabilities) is `f32` or `f64` like the predictions"
)]
pub trait Real:
    Copy + Debug + Display + Default + PartialOrd + Send + Sync + 'static + sealed::Sealed
{
    /// PyTorch's name for this dtype (`"float32"` or `"float64"`).
    const DTYPE: &'static str;
    /// Widen to `f64` (exact for both types).
    fn to_f64(self) -> f64;
    /// Round an `f64` to this type (round-to-nearest for `f32`).
    fn from_f64(x: f64) -> Self;
}

impl Real for f32 {
    const DTYPE: &'static str = "float32";
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

impl Real for f64 {
    const DTYPE: &'static str = "float64";
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> Self {
        x
    }
}
