//! The digits classifier again, with its output declared by `#[derive(ModelOutput)]`.
//!
//! Run with `cargo run --release -p lossfit --example imbalanced_digits_derive`. The head reads
//! the class counts of the imbalanced training split (`examples/data/imbalanced_digits_counts.json`,
//! what `losslint stats --emit-counts` writes) at compile time. Delete `weight = balanced` and
//! the crate no longer compiles:
//!
//! ```text
//! error: head `digit_logits` trains an unweighted `CrossEntropy` on imbalanced labels:
//!        imbalance ratio 58.5 (class `5`: 2 samples, class `4`: 117 samples) in
//!        "examples/data/imbalanced_digits_counts.json" (the policy flags 3 and above); ...
//!        add `weight = balanced` (computed from the labels at compile time) or paste
//!        `weight = [0.1011, 0.09927, 0.104, 1.574, 0.09418, 5.51, 0.09666, 0.1091, 2.204, 0.108]`,
//!        or keep it deliberately with `allow_imbalance = "<reason>"`
//! ```

mod digits;

use std::error::Error;

use lossfit::{ClassIndices, ModelOutput};
use ndarray::{Array1, Array2};

use digits::EPOCHS;

/// What the model returns: one head of class scores.
#[derive(ModelOutput)]
struct DigitsOutput {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced,
           labels = "examples/data/imbalanced_digits_counts.json", classes = 10)]
    digit_logits: Array2<f32>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let splits = digits::splits()?;
    let head = &DigitsOutput::HEADS[0];
    println!(
        "head `{}`: {} with {}, reduction {}, class weights from the labels: {}",
        head.name, head.task, head.loss, head.reduction, head.weighted
    );
    let targets = DigitsOutputTargets {
        digit_logits: ClassIndices::new(Array1::from(splits.y_train.clone())),
    };
    let mut model = digits::Model::new(splits.x_train.ncols());
    let mut last = f32::NAN;
    for _ in 0..EPOCHS {
        let output = DigitsOutput {
            digit_logits: model.logits(&splits.x_train),
        };
        let report = output.loss(&targets)?;
        last = report.total;
        let d_logits: Array2<f32> = report.grad.digit_logits;
        model.step(&splits.x_train, &d_logits);
    }
    println!("final training loss {last:.4}\n");
    digits::print_header();
    digits::print_row("cross-entropy, weight = balanced", &model, &splits);
    Ok(())
}
