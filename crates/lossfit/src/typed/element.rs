//! One float type per computation: what a loss, its predictions and its targets must share,
//! checked so that a mismatch is one error naming both types and the argument to change.

use ndarray::ArrayViewD;

/// The element type of a prediction (`Self`) as the loss's (`T`): implemented only when they
/// are the same type, which is how `compute` checks that a loss built from `f64` class
/// weights, `pos_weight` or `alpha` is not handed `f32` logits.
#[diagnostic::on_unimplemented(
    message = "the predictions are `{Self}` but this loss computes in `{T}`",
    label = "`{Self}` predictions for a `{T}` loss",
    note = "a loss takes the element type of its class weights, `pos_weight` or `alpha` (`ClassWeights<{T}>`, `array![..]` of `{T}`): build those from `{Self}` values (or convert the predictions) so that both are one float type"
)]
pub trait LossElement<T>: Sized {
    /// The same view, typed as the loss's element (the identity).
    fn view(view: ArrayViewD<'_, Self>) -> ArrayViewD<'_, T>;
}

impl<E> LossElement<E> for E {
    fn view(view: ArrayViewD<'_, E>) -> ArrayViewD<'_, E> {
        view
    }
}

/// The element type of a target (`Self`) as the predictions' (`E`): implemented only when they
/// are the same type.
#[diagnostic::on_unimplemented(
    message = "the targets are `{Self}` but the predictions are `{E}`",
    label = "`{Self}` targets for `{E}` predictions",
    note = "targets and predictions are one float type: build the targets from `{E}` values (`.mapv(|x| x as {E})`)"
)]
pub trait TargetElement<E>: Sized {
    /// The same view, typed as the predictions' element (the identity).
    fn view(view: ArrayViewD<'_, Self>) -> ArrayViewD<'_, E>;
}

impl<E> TargetElement<E> for E {
    fn view(view: ArrayViewD<'_, E>) -> ArrayViewD<'_, E> {
        view
    }
}

/// A view of a prediction's element type as the loss's (the identity; see [`LossElement`]).
pub(crate) fn as_loss<E: LossElement<T>, T>(view: ArrayViewD<'_, E>) -> ArrayViewD<'_, T> {
    E::view(view)
}
