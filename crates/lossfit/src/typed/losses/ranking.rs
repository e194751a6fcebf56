//! `Contrastive`, `CosineEmbedding`, `InfoNce`, `MarginRanking` and `HingeEmbedding`: the
//! `Ranking` losses on pairs (`TripletMargin` has its own file).

use crate::functional::{
    ContrastiveOptions, CosineEmbeddingOptions, EmbeddingPairGrad, HingeEmbeddingOptions,
    InfoNceOptions, MarginRankingOptions, PairGrad, QueryKeyGrad, contrastive_loss,
    cosine_embedding_loss, hinge_embedding_loss, info_nce, margin_ranking_loss,
};
use crate::typed::{Prediction, Ranking, RankingLoss, ReductionMode, Unset};
use crate::{InputGrad, Loss, Real, Result};

use ndarray::ArrayViewD;

use super::{DistanceInput, PairInput, ScorePairInput};
use crate::typed::families::{NoTargets, PairTargets, SignTargets};
use crate::typed::{LossElement, as_loss};

/// Declares a ranking loss with one `f64` hyperparameter and its `RankingLoss` impl.
macro_rules! ranking_loss {
    (
        $(#[$meta:meta])*
        $name:ident { $(#[$field_meta:meta])* $field:ident: $default:expr }, grad: $grad:ty,
        input: $input:ident, target: $family:ty => $data:ty,
        |$loss:ident, $prediction:ident, $y:ident| $call:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<T, R = Unset> {
            $field: f64,
            element: std::marker::PhantomData<T>,
            mode: R,
        }

        impl<T: Real> $name<T> {
            /// The default hyperparameter, with the reduction not yet chosen.
            #[must_use]
            pub fn new() -> Self {
                $name { $field: $default, element: std::marker::PhantomData, mode: Unset }
            }
        }

        impl<T: Real> Default for $name<T> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T: Real, R: ReductionMode> $name<T, R> {
            $(#[$field_meta])*
            #[must_use]
            pub fn $field(mut self, $field: f64) -> Self {
                self.$field = $field;
                self
            }
        }

        typed_loss_methods!($name { $field, element }, grad: $grad);

        impl<T: Real, R: ReductionMode, P> RankingLoss<P> for $name<T, R>
        where
            P: $input<T, Self> + Prediction<Task = Ranking>,
            P::Elem: LossElement<T>,
        {
            type Family = $family;

            fn evaluate(&self, $prediction: &P, $y: $data) -> Result<Loss<T, $grad>> {
                let $loss = self;
                $call
            }
        }
    };
}

ranking_loss! {
    /// Contrastive loss (Hadsell et al. 2006) on [`EmbeddingPairs`](crate::EmbeddingPairs)
    /// with 0/1 [`PairLabels`](crate::PairLabels): similar pairs are pulled together,
    /// dissimilar ones pushed beyond `margin`. Math:
    /// [`functional::contrastive_loss`](crate::functional::contrastive_loss).
    ///
    /// ```
    /// use lossfit::{Contrastive, EmbeddingPairs, Mean, PairLabels};
    /// use ndarray::array;
    ///
    /// let pairs = EmbeddingPairs::new(array![[0.0_f64, 0.0]], array![[3.0, 4.0]])?;
    /// let loss = Contrastive::new().margin(1.0).reduction(Mean)
    ///     .compute(&pairs, &PairLabels::new(array![0.0])?)?;
    /// assert_eq!(loss.value, 0.0); // dissimilar and already 5 apart
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    Contrastive {
        /// The distance beyond which dissimilar pairs cost nothing.
        margin: 1.0
    }, grad: PairGrad<T>, input: PairInput, target: PairTargets<P::Elem> => ArrayViewD<'_, P::Elem>,
    |loss, prediction, target| {
        let (first, second) = prediction.pairs();
        let options = ContrastiveOptions { margin: loss.margin, reduction: loss.mode.reduction(), grad_output: None };
        contrastive_loss(first, second, as_loss(target), &options)
    }
}

ranking_loss! {
    /// Cosine embedding loss (`torch.nn.CosineEmbeddingLoss`) on
    /// [`EmbeddingPairs`](crate::EmbeddingPairs) with ±1 [`SignLabels`](crate::SignLabels).
    /// Math: [`functional::cosine_embedding_loss`](crate::functional::cosine_embedding_loss).
    ///
    /// ```
    /// use lossfit::{CosineEmbedding, EmbeddingPairs, Mean, SignLabels};
    /// use ndarray::array;
    ///
    /// let pairs = EmbeddingPairs::new(array![[1.0_f64, 0.0]], array![[2.0, 0.0]])?;
    /// let loss = CosineEmbedding::new().reduction(Mean).compute(&pairs, &SignLabels::new(array![1.0])?)?;
    /// assert!(loss.value.abs() < 1e-12); // same direction
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    CosineEmbedding {
        /// Dissimilar pairs cost nothing below this cosine similarity.
        margin: 0.0
    }, grad: EmbeddingPairGrad<T>, input: PairInput, target: SignTargets<P::Elem> => ArrayViewD<'_, P::Elem>,
    |loss, prediction, target| {
        let (first, second) = prediction.pairs();
        let options = CosineEmbeddingOptions { margin: loss.margin, reduction: loss.mode.reduction(), grad_output: None };
        cosine_embedding_loss(first, second, as_loss(target), &options)
    }
}

ranking_loss! {
    /// InfoNCE (van den Oord et al. 2018) on [`EmbeddingPairs`](crate::EmbeddingPairs) of
    /// query and key views: row `i`'s key is its positive, every other row a negative; no
    /// labels (`()` as the target). Math: [`functional::info_nce`](crate::functional::info_nce).
    ///
    /// ```
    /// use lossfit::{EmbeddingPairs, InfoNce, Mean};
    /// use ndarray::array;
    ///
    /// let views = EmbeddingPairs::new(array![[1.0_f32, 0.0], [0.0, 1.0]], array![[0.9, 0.1], [0.1, 0.9]])?;
    /// let loss = InfoNce::new().temperature(0.1).reduction(Mean).compute(&views, &())?;
    /// assert!(loss.value < 0.01);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    InfoNce {
        /// The softmax temperature (`> 0`).
        temperature: 0.07
    }, grad: QueryKeyGrad<T>, input: PairInput, target: NoTargets => (),
    |loss, prediction, _target| {
        let (queries, keys) = prediction.pairs();
        let options = InfoNceOptions { temperature: loss.temperature, reduction: loss.mode.reduction(), grad_output: None };
        info_nce(queries, keys, &options)
    }
}

ranking_loss! {
    /// Margin ranking loss (`torch.nn.MarginRankingLoss`) on [`ScorePairs`](crate::ScorePairs)
    /// with ±1 [`SignLabels`](crate::SignLabels) (1: the first should rank higher). Math:
    /// [`functional::margin_ranking_loss`](crate::functional::margin_ranking_loss).
    ///
    /// ```
    /// use lossfit::{MarginRanking, Mean, ScorePairs, SignLabels};
    /// use ndarray::array;
    ///
    /// let scores = ScorePairs::new(array![2.0_f64], array![1.0])?;
    /// let loss = MarginRanking::new().margin(0.5).reduction(Mean)
    ///     .compute(&scores, &SignLabels::new(array![1.0])?)?;
    /// assert_eq!(loss.value, 0.0);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    MarginRanking {
        /// How far ahead the higher-ranked score must be.
        margin: 0.0
    }, grad: PairGrad<T>, input: ScorePairInput, target: SignTargets<P::Elem> => ArrayViewD<'_, P::Elem>,
    |loss, prediction, target| {
        let (first, second) = prediction.scores();
        let options = MarginRankingOptions { margin: loss.margin, reduction: loss.mode.reduction(), grad_output: None };
        margin_ranking_loss(first, second, as_loss(target), &options)
    }
}

ranking_loss! {
    /// Hinge embedding loss (`torch.nn.HingeEmbeddingLoss`) on [`Distances`](crate::Distances)
    /// with ±1 [`SignLabels`](crate::SignLabels) (1: similar). Math:
    /// [`functional::hinge_embedding_loss`](crate::functional::hinge_embedding_loss).
    ///
    /// ```
    /// use lossfit::{Distances, HingeEmbedding, Mean, SignLabels};
    /// use ndarray::array;
    ///
    /// let loss = HingeEmbedding::new().reduction(Mean)
    ///     .compute(&Distances::new(array![0.25_f64])?, &SignLabels::new(array![1.0])?)?;
    /// assert_eq!(loss.value, 0.25);
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    HingeEmbedding {
        /// Dissimilar pairs cost nothing beyond this distance.
        margin: 1.0
    }, grad: InputGrad<T>, input: DistanceInput, target: SignTargets<P::Elem> => ArrayViewD<'_, P::Elem>,
    |loss, prediction, target| {
        let options = HingeEmbeddingOptions { margin: loss.margin, reduction: loss.mode.reduction(), grad_output: None };
        hinge_embedding_loss(prediction.distances(), as_loss(target), &options)
    }
}
