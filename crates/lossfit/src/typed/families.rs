//! Target families: what a loss reads from its target, and the check that puts a target-kind
//! error under the target argument.
//!
//! `compute` checks the prediction (through the task, [`Accepts`](super::Accepts)) and the
//! target (through [`TargetOf`]) as two separate bounds, so each mistake is one error pointing
//! at the argument to change. The loss names the family of targets it reads for a task and
//! prediction element type (`MultiLabelTargets<f32>`, ...); each family takes its target kinds
//! through one trait with its own message (`MultiLabelTarget`, `ClassTarget`, ...).

use std::marker::PhantomData;

use ndarray::ArrayViewD;

use super::losses::{
    BinaryTarget, ClassTarget, CrossEntropyTarget, KlTarget, MultiLabelTarget, NoTarget,
    PairTarget, RegressionTarget, SequenceTarget, SignTarget,
};
use super::{Accepts, Prediction, TokenIndices};

/// The family of targets loss `L` reads for prediction `P` (on `P`'s task).
pub type FamilyOf<L, P> = <<P as Prediction>::Task as Accepts<L, P>>::Family;

/// What a loss reads from a target of this family.
pub trait TargetFamily {
    /// The target's data, borrowed.
    type Data<'a>;
}

/// A target as `compute` checks it (the type the target-kind bound is on, so that the error
/// points at the target argument).
#[derive(Debug)]
pub struct TargetKind<Y>(PhantomData<Y>);

/// A target kind `Y` (as `TargetKind<Y>`) that loss `L` reads as family `F`.
///
/// One impl, forwarding to the family ([`ReadsTarget`]): an unfit target is reported with the
/// message of the family's own trait (`MultiLabelTarget`, `ClassTarget`, ...).
#[diagnostic::on_unimplemented(
    message = "`{L}` does not take these targets",
    label = "not a target of this loss",
    note = "see the table of losses, predictions and targets in the crate's guide"
)]
pub trait TargetOf<F: TargetFamily, L> {
    /// The target type.
    type Target;
    /// The target's data.
    fn data(target: &Self::Target) -> F::Data<'_>;
}

impl<F: ReadsTarget<L, Y>, L, Y> TargetOf<F, L> for TargetKind<Y> {
    type Target = Y;
    fn data(target: &Y) -> F::Data<'_> {
        F::read(target)
    }
}

/// A family that reads targets of kind `Y` for loss `L` (through the family's trait).
pub trait ReadsTarget<L, Y>: TargetFamily {
    /// The target's data.
    fn read(target: &Y) -> Self::Data<'_>;
}

/// Declares a family, its data, and how it reads a target through the family's trait.
macro_rules! family {
    ($(#[$meta:meta])* $name:ident<$e:ident> => $trait:ident<$e2:ident>, $data:ty, |$y:ident| $read:expr) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name<$e>(PhantomData<$e>);

        impl<$e: 'static> TargetFamily for $name<$e> {
            type Data<'a> = $data;
        }

        impl<$e: 'static, L, Y: $trait<$e2, L>> ReadsTarget<L, Y> for $name<$e> {
            // (Named: most families' data borrows the target; `NoTargets`' does not.)
            #[allow(clippy::needless_lifetimes)]
            fn read<'a>($y: &'a Y) -> $data {
                $read
            }
        }
    };
    ($(#[$meta:meta])* $name:ident => $trait:ident, $data:ty, |$y:ident| $read:expr) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name;

        impl TargetFamily for $name {
            type Data<'a> = $data;
        }

        impl<L, Y: $trait<L>> ReadsTarget<L, Y> for $name {
            // (Named: most families' data borrows the target; `NoTargets`' does not.)
            #[allow(clippy::needless_lifetimes)]
            fn read<'a>($y: &'a Y) -> $data {
                $read
            }
        }
    };
}

family! {
    /// 0/1 rows of a `MultiLabel` head ([`MultiHot`](crate::MultiHot)).
    MultiLabelTargets<E> => MultiLabelTarget<E>, ArrayViewD<'a, E>, |y| y.labels()
}
family! {
    /// 0/1 labels of a `Binary` head ([`BinaryLabels`](crate::BinaryLabels)).
    BinaryTargets<E> => BinaryTarget<E>, ArrayViewD<'a, E>, |y| y.labels()
}
family! {
    /// ±1 labels ([`SignLabels`](crate::SignLabels)).
    SignTargets<E> => SignTarget<E>, ArrayViewD<'a, E>, |y| y.signs()
}
family! {
    /// 0/1 pair labels ([`PairLabels`](crate::PairLabels)).
    PairTargets<E> => PairTarget<E>, ArrayViewD<'a, E>, |y| y.labels()
}
family! {
    /// Real-valued targets ([`Targets`](crate::Targets)).
    RegressionTargets<E> => RegressionTarget<E>, ArrayViewD<'a, E>, |y| y.values()
}
family! {
    /// Target distributions of `KlDiv`, and whether they are log-probabilities.
    KlTargets<E> => KlTarget<E>, (ArrayViewD<'a, E>, bool), |y| y.distribution()
}
family! {
    /// `CrossEntropy`'s `MultiClass` targets: class indices or class probabilities.
    CrossEntropyTargets<E> => CrossEntropyTarget<E>, CrossEntropyData<'a, E>, |y| y.data()
}
family! {
    /// Class indices and the ignore index ([`ClassIndices`](crate::ClassIndices)).
    ClassTargets => ClassTarget, (ArrayViewD<'a, i64>, Option<i64>), |y| y.indices()
}
family! {
    /// Token indices of a `Sequence` head ([`TokenIndices`]).
    SequenceTargets => SequenceTarget, &'a TokenIndices, |y| y.tokens()
}
family! {
    /// No target (`&()`): the pairing is positional.
    NoTargets => NoTarget, (), |_y| ()
}

/// What `CrossEntropy` reads from a `MultiClass` target.
#[derive(Clone, Debug)]
pub enum CrossEntropyData<'a, E> {
    /// Class indices and the ignore index.
    Indices(ArrayViewD<'a, i64>, Option<i64>),
    /// One probability per class and sample.
    Probabilities(ArrayViewD<'a, E>),
}
