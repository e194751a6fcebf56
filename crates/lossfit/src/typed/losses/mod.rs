//! The typed losses: options as builder methods, the reduction as a type, and `compute`
//! accepting exactly the prediction and target kinds that fit. All math is the functional
//! layer's.

/// The methods every typed loss shares: choosing the reduction and computing.
macro_rules! typed_loss_methods {
    ($name:ident { $($field:ident),* }, grad: $grad:ty) => {
        impl<T: $crate::Real, R: $crate::typed::ReductionMode> $crate::typed::TypedLoss for $name<T, R> {
            type Elem = T;
            type Grad = $grad;
        }

        impl<T: $crate::Real, R: $crate::typed::ReductionMode> $name<T, R> {
            /// Chooses the reduction, once: [`Mean`](crate::typed::Mean),
            /// [`Sum`](crate::typed::Sum) or [`PerSample`](crate::typed::PerSample).
            /// `compute` needs it (a loss with none does not compile), and a second call does
            /// not compile either.
            #[must_use]
            pub fn reduction<M: $crate::typed::ReductionMode>(self, mode: M) -> $name<T, M>
            where
                R: $crate::typed::Unchosen,
            {
                $name { $($field: self.$field,)* mode }
            }

            /// Whether the reduction was chosen (a loss computes only once it is).
            #[must_use]
            pub fn is_reduction_explicit(&self) -> bool {
                R::EXPLICIT
            }

            /// The reduction in force.
            #[must_use]
            pub fn reduction_in_force(&self) -> $crate::Reduction {
                self.mode.reduction()
            }

            /// Computes the loss and its gradients.
            ///
            /// Compiles only for the prediction and target kinds that fit this loss (see
            /// the guide in the crate docs); the compiler says what to use otherwise.
            ///
            /// # Errors
            /// [`LossError`](crate::LossError) for data the loss cannot take: shapes that
            /// do not match, class indices out of range, invalid options.
            pub fn compute<P, Y>(
                &self,
                prediction: &P,
                target: &Y,
            ) -> $crate::Result<R::Output<T, $grad>>
            where
                R: $crate::typed::ChosenReduction,
                P: $crate::typed::Prediction,
                P::Elem: $crate::typed::LossElement<T>,
                P::Task: $crate::typed::Accepts<Self, P>,
                $crate::typed::TargetKind<Y>: $crate::typed::TargetOf<$crate::typed::FamilyOf<Self, P>, Self, Target = Y>,
            {
                let target = <$crate::typed::TargetKind<Y> as $crate::typed::TargetOf<
                    $crate::typed::FamilyOf<Self, P>,
                    Self,
                >>::data(target);
                R::wrap(<P::Task as $crate::typed::Accepts<Self, P>>::evaluate(self, prediction, target)?)
            }
        }
    };
}

/// The `MultiLabel` and `Binary` impls of a loss on independent labels (`Bce`, `BceWithLogits`,
/// `SigmoidFocal`): both tasks read 0/1 labels of the prediction's element type and call the
/// loss's `run(prediction, labels)`.
macro_rules! independent_label_tasks {
    ($loss:ident, $input:ident :: $read:ident) => {
        independent_label_tasks!(@task $loss, $input::$read, MultiLabelLoss, MultiLabel, MultiLabelTargets);
        independent_label_tasks!(@task $loss, $input::$read, BinaryLoss, Binary, BinaryTargets);
    };
    (@task $loss:ident, $input:ident :: $read:ident, $trait:ident, $task:ident, $family:ident) => {
        impl<T: $crate::Real, R: $crate::typed::ReductionMode, P> $crate::typed::$trait<P> for $loss<T, R>
        where
            P: $input<T, Self> + $crate::typed::Prediction<Task = $crate::typed::$task>,
            P::Elem: $crate::typed::LossElement<T>,
        {
            type Family = $crate::typed::families::$family<P::Elem>;

            fn evaluate(
                &self,
                prediction: &P,
                labels: ::ndarray::ArrayViewD<'_, P::Elem>,
            ) -> $crate::Result<$crate::Loss<T, $crate::InputTargetGrad<T>>> {
                self.run(prediction.$read(), $crate::typed::as_loss(labels))
            }
        }
    };
}

mod bce;
mod bce_with_logits;
mod class_index;
mod cross_entropy;
mod kl_div;
mod labels;
mod mse;
mod multi_margin;
mod multilabel_soft_margin;
mod nll;
mod ranking;
mod regression;
mod sigmoid_focal;
mod soft_margin;
mod softmax_focal;
mod triplet_margin;

pub use bce::*;
pub use bce_with_logits::*;
pub use class_index::*;
pub use cross_entropy::*;
pub use kl_div::*;
pub use labels::*;
pub use mse::*;
pub use multi_margin::*;
pub use multilabel_soft_margin::*;
pub use nll::*;
pub use ranking::*;
pub use regression::*;
pub use sigmoid_focal::*;
pub use soft_margin::*;
pub use softmax_focal::*;
pub use triplet_margin::*;
