// A ranking loss on classification outputs.
use lossfit::{ClassIndices, Logits, Mean, MultiClass, TripletMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[0.2, 0.8]]).unwrap();
    let labels = ClassIndices::new(array![1]);
    let _ = TripletMargin::new().reduction(Mean).compute(&logits, &labels);
}
