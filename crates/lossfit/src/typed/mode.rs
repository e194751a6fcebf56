//! The reduction as a type: a scalar loss and per-sample losses are different results.

use ndarray::ArrayD;

use crate::{Loss, LossError, Real, Reduction, Result};

mod sealed {
    pub trait Sealed {}
}

/// How a typed loss reduces, fixed in its type (sealed): [`Unset`], [`Mean`], [`Sum`] or
/// [`PerSample`].
///
/// [`Unset`] behaves as [`Mean`] (PyTorch's default) but stays observable, which is how
/// `losslint` and `#[derive(ModelOutput)]` tell an implicit reduction from a chosen one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a reduction of this loss",
    label = "not `Mean`, `Sum` or `PerSample`",
    note = "`BatchMean` belongs to `KlDiv` alone; every other loss takes `Mean`, `Sum` or `PerSample`"
)]
pub trait ReductionMode: sealed::Sealed + Copy + Default + std::fmt::Debug {
    /// The reduction the functional layer is called with.
    fn reduction(&self) -> Reduction;
    /// Whether the user chose it (everything but [`Unset`]).
    const EXPLICIT: bool;
    /// What a loss with this reduction returns.
    type Output<T, G>;
    /// Turns the functional layer's result into this mode's output.
    ///
    /// # Errors
    /// Never for results of the matching reduction.
    fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<Self::Output<T, G>>;
}

/// A reduced loss: one number and the gradients of that number.
///
/// ```
/// use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
/// use ndarray::array;
///
/// let logits = Logits::<MultiClass, f64>::new(array![[0.0, 0.0]])?;
/// let loss = CrossEntropy::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![1]))?;
/// assert!((loss.value - 2.0_f64.ln()).abs() < 1e-15);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarLoss<T, G> {
    /// The loss.
    pub value: T,
    /// Its gradients, one field per differentiable input.
    pub grad: G,
}

/// Unreduced losses: one value per sample, and the gradients of their sum.
///
/// ```
/// use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass, PerSample};
/// use ndarray::array;
///
/// let logits = Logits::<MultiClass, f32>::new(array![[0.0, 0.0], [5.0, -5.0]])?;
/// let losses = CrossEntropy::new().reduction(PerSample).compute(&logits, &ClassIndices::new(array![1, 0]))?;
/// assert_eq!(losses.values.len(), 2);
/// assert!(losses.values[[1]] < losses.values[[0]]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SampleLosses<T, G> {
    /// One loss per sample (per element for elementwise losses).
    pub values: ArrayD<T>,
    /// The gradients of `values.sum()`.
    pub grad: G,
}

macro_rules! scalar_mode {
    ($(#[$meta:meta])* $name:ident, $reduction:expr, $explicit:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl ReductionMode for $name {
            fn reduction(&self) -> Reduction {
                $reduction
            }
            const EXPLICIT: bool = $explicit;
            type Output<T, G> = ScalarLoss<T, G>;
            fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<ScalarLoss<T, G>> {
                let value = loss.scalar().ok_or_else(|| LossError::Shape {
                    loss: "reduction",
                    arg: "value",
                    found: loss.value.shape().to_vec(),
                    expected: "a scalar".to_string(),
                    fix: "this is a bug in lossfit: please report it".to_string(),
                })?;
                Ok(ScalarLoss { value, grad: loss.grad })
            }
        }
    };
}

scalar_mode! {
    /// No reduction was chosen: the mean is used (PyTorch's default), and tools report it as
    /// implicit. Write `.reduction(Mean)` to say it was chosen.
    Unset, Reduction::Mean, false
}
scalar_mode! {
    /// The mean over samples (weighted losses divide by the summed weight, as PyTorch).
    Mean, Reduction::Mean, true
}
scalar_mode! {
    /// The sum over samples.
    Sum, Reduction::Sum, true
}

/// A reduction that was chosen: every mode but [`Unset`]. A typed loss computes only with one,
/// so "a reduction nobody chose" does not compile (the functional layer keeps PyTorch's
/// defaults for code ported from PyTorch).
#[diagnostic::on_unimplemented(
    message = "no reduction was chosen for this loss: `compute` needs one",
    label = "add `.reduction(Mean)` before `.compute(..)` (or `Sum`, or `PerSample` for one loss per sample)",
    note = "an unchosen reduction would silently be PyTorch's mean; `.reduction(Mean)` keeps that and says so"
)]
pub trait ChosenReduction: ReductionMode {}

impl ChosenReduction for Mean {}
impl ChosenReduction for Sum {}
impl ChosenReduction for PerSample {}
impl ChosenReduction for Reduction {}

/// The state of a loss whose reduction is not chosen yet: `.reduction(..)` is called once (a
/// second call would silently replace the first).
#[diagnostic::on_unimplemented(
    message = "the reduction of this loss is already chosen (`{Self}`): `.reduction(..)` is called once",
    label = "a second `.reduction(..)`",
    note = "the last call would silently win: keep the one you mean"
)]
pub trait Unchosen: sealed::Sealed {}

impl Unchosen for Unset {}

/// PyTorch's spelling of the choice, `.reduction(Reduction::Sum)`: `Mean` and `Sum` give a
/// [`ScalarLoss`]. `Reduction::None` is rejected when the loss is computed, because its
/// result would not be a scalar: use [`PerSample`] to get per-sample losses as their own type.
impl sealed::Sealed for Reduction {}
impl ReductionMode for Reduction {
    fn reduction(&self) -> Reduction {
        *self
    }
    const EXPLICIT: bool = true;
    type Output<T, G> = ScalarLoss<T, G>;
    fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<ScalarLoss<T, G>> {
        let value = loss.scalar().ok_or_else(|| LossError::Parameter {
            loss: "reduction",
            param: "reduction",
            value: "Reduction::None".to_string(),
            expected: "`Reduction::Mean` or `Reduction::Sum` for a scalar loss; for one loss \
                       per sample write `.reduction(PerSample)`, which returns `SampleLosses`"
                .to_string(),
        })?;
        Ok(ScalarLoss {
            value,
            grad: loss.grad,
        })
    }
}

/// No reduction: one loss per sample ([`SampleLosses`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PerSample;
impl sealed::Sealed for PerSample {}
impl ReductionMode for PerSample {
    fn reduction(&self) -> Reduction {
        Reduction::None
    }
    const EXPLICIT: bool = true;
    type Output<T, G> = SampleLosses<T, G>;
    fn wrap<T: Real, G>(loss: Loss<T, G>) -> Result<SampleLosses<T, G>> {
        Ok(SampleLosses {
            values: loss.value,
            grad: loss.grad,
        })
    }
}
