//! `TripletMargin`: pulls the positive closer to the anchor than the negative, for `Ranking`.

use ndarray::ArrayViewD;

use crate::functional::{TripletGrad, TripletMarginOptions, triplet_margin_loss};
use crate::typed::LossElement;
use crate::typed::families::NoTargets;
use crate::typed::{Prediction, Ranking, RankingLoss, ReductionMode, Triplets, Unset};
use crate::{Loss, Real, Result};

/// Triplet margin loss (`torch.nn.TripletMarginLoss`) on [`Triplets`] of embeddings; it needs
/// no labels (`()` as the target): row `i` of each output forms one triplet.
/// Math: [`functional::triplet_margin_loss`](crate::functional::triplet_margin_loss).
///
/// ```
/// use lossfit::{Mean, TripletMargin, Triplets};
/// use ndarray::array;
///
/// let triplets = Triplets::new(array![[0.0_f64, 1.0]], array![[0.0, 0.9]], array![[1.0, 0.0]])?;
/// let loss = TripletMargin::new().margin(0.5).reduction(Mean).compute(&triplets, &())?;
/// assert_eq!(loss.value, 0.0); // the negative is already far enough
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TripletMargin<T, R = Unset> {
    margin: f64,
    p: f64,
    swap: bool,
    element: std::marker::PhantomData<T>,
    mode: R,
}

impl<T: Real> TripletMargin<T> {
    /// PyTorch's defaults: margin 1, Euclidean distance, no swap.
    #[must_use]
    pub fn new() -> Self {
        TripletMargin {
            margin: 1.0,
            p: 2.0,
            swap: false,
            element: std::marker::PhantomData,
            mode: Unset,
        }
    }
}

impl<T: Real> Default for TripletMargin<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, R: ReductionMode> TripletMargin<T, R> {
    /// How much closer the positive must be than the negative (`> 0`).
    #[must_use]
    pub fn margin(mut self, margin: f64) -> Self {
        self.margin = margin;
        self
    }

    /// The norm of the distance (2: Euclidean, 1: Manhattan).
    #[must_use]
    pub fn p(mut self, p: f64) -> Self {
        self.p = p;
        self
    }

    /// Uses the closer of anchor and positive to the negative (Balntas et al. 2016).
    #[must_use]
    pub fn swap(mut self, swap: bool) -> Self {
        self.swap = swap;
        self
    }
}

typed_loss_methods!(TripletMargin { margin, p, swap, element }, grad: TripletGrad<T>);

/// The targets of the label-free ranking losses (`TripletMargin`, `InfoNce`): none.
#[diagnostic::on_unimplemented(
    message = "`{L}` takes no labels: pass `&()` as the target, but got `{Self}`",
    label = "this loss needs no target",
    note = "the pairing is positional: row `i` of each output belongs together"
)]
pub trait NoTarget<L> {}
impl<L> NoTarget<L> for () {}

impl<T: Real, R: ReductionMode, P> RankingLoss<P> for TripletMargin<T, R>
where
    P: TripletInput<T, Self> + Prediction<Task = Ranking>,
{
    type Family = NoTargets;

    fn evaluate(&self, prediction: &P, (): ()) -> Result<Loss<T, TripletGrad<T>>> {
        let (anchor, positive, negative) = prediction.triplets();
        let options = TripletMarginOptions {
            margin: self.margin,
            p: self.p,
            swap: self.swap,
            reduction: self.mode.reduction(),
            ..TripletMarginOptions::default()
        };
        triplet_margin_loss(anchor, positive, negative, &options)
    }
}

/// The prediction kind `TripletMargin` takes: [`Triplets`].
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `Triplets` (anchor, positive, negative embeddings), but got `{Self}`",
    label = "not triplets",
    note = "pairs of embeddings go with `Contrastive`, `CosineEmbedding` or `InfoNce`"
)]
pub trait TripletInput<T, L> {
    /// The anchor, positive and negative embeddings.
    fn triplets(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>, ArrayViewD<'_, T>);
}

impl<T, U: Real + LossElement<T>, L> TripletInput<T, L> for Triplets<U> {
    fn triplets(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>, ArrayViewD<'_, T>) {
        (
            U::view(self.anchor()),
            U::view(self.positive()),
            U::view(self.negative()),
        )
    }
}
