// Every Ranking pairing of the guide's table.
use lossfit::{
    Contrastive, CosineEmbedding, Distances, EmbeddingPairs, HingeEmbedding, InfoNce, MarginRanking,
    Mean, PairLabels, ScorePairs, SignLabels, TripletMargin, Triplets,
};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let triplets = Triplets::new(array![[0.0_f64, 1.0]], array![[0.1, 0.9]], array![[1.0, 0.0]])?;
    let _ = TripletMargin::new().margin(0.2).swap(true).reduction(Mean).compute(&triplets, &())?;
    let pairs = EmbeddingPairs::new(array![[0.0_f64, 1.0], [1.0, 0.0]], array![[0.1, 0.9], [0.0, 1.0]])?;
    let _ = Contrastive::new().reduction(Mean).compute(&pairs, &PairLabels::new(array![1.0, 0.0])?)?;
    let _ = CosineEmbedding::new().reduction(Mean).compute(&pairs, &SignLabels::new(array![1.0, -1.0])?)?;
    let _ = InfoNce::new().temperature(0.1).reduction(Mean).compute(&pairs, &())?;
    let scores = ScorePairs::new(array![0.9_f64, 0.1], array![0.2, 0.4])?;
    let _ = MarginRanking::new().margin(0.1).reduction(Mean).compute(&scores, &SignLabels::new(array![1.0, -1.0])?)?;
    let _ = HingeEmbedding::new().reduction(Mean).compute(&Distances::new(array![0.3_f64, 1.5])?, &SignLabels::new(array![1.0, -1.0])?)?;
    Ok(())
}
