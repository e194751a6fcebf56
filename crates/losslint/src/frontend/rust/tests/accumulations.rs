//! Frontend tests: per-batch losses accumulated into an epoch total (LL010's facts).

use super::*;
use crate::facts::{Accumulation, Divisor};

fn accumulations(source: &str) -> Vec<Accumulation> {
    let found = facts(source);
    assert_eq!(found.parse_failure, None);
    found.accumulations
}

#[test]
fn tch_batch_means_over_the_number_of_samples() {
    let source = r"use tch::{Reduction, Tensor};

fn epoch(batches: &[(Tensor, Tensor)], net: &Net) -> f64 {
    let mut sum_loss = 0.0;
    let mut n_samples = 0;
    for (images, y) in batches {
        let loss = net.forward(images).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
        sum_loss += f64::try_from(&loss).unwrap_or(f64::NAN);
        n_samples += images.size()[0];
    }
    sum_loss / n_samples as f64
}
";
    assert_eq!(
        accumulations(source),
        [Accumulation {
            span: span(
                source,
                "sum_loss += f64::try_from(&loss).unwrap_or(f64::NAN)",
                0
            ),
            reduction: Some("Reduction::Mean".into()),
            divisor: Divisor::Samples,
            divisor_span: Some(span(source, "n_samples as f64", 0)),
        }]
    );
}

#[test]
fn counters_and_names_of_divisors() {
    let source = r"use candle_nn::loss;

fn a(batches: &[(Tensor, Tensor)]) -> f32 {
    let mut total = 0.0;
    let mut n_batches = 0;
    for (x, y) in batches {
        total += loss::cross_entropy(x, y).unwrap().to_scalar::<f32>().unwrap();
        n_batches += 1;
    }
    total / n_batches as f32
}

fn b(loader: &Loader, dataset: &Dataset) -> f32 {
    let mut total = 0.0;
    for (x, y) in loader.iter() {
        let l = loss::mse(&x, &y).unwrap();
        total = total + l.to_scalar::<f32>().unwrap();
    }
    let by_samples = total / dataset.len() as f32;
    let by_batches = total / (loader.len() as f32);
    by_samples
}
";
    let found = accumulations(source);
    assert_eq!(
        found
            .iter()
            .map(|acc| (acc.reduction.clone(), acc.divisor))
            .collect::<Vec<_>>(),
        // Every division of a total is judged: `b` divides it twice.
        [
            (Some("mean".into()), Divisor::Batches),
            (Some("mean".into()), Divisor::Samples),
            (Some("mean".into()), Divisor::Batches),
        ]
    );
    assert_eq!(
        found[1].span,
        span(source, "total = total + l.to_scalar::<f32>().unwrap()", 0)
    );
}

#[test]
fn lossfit_values_and_builder_reductions() {
    let source = r"use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass, Sum};

fn epoch(batches: &[(ndarray::Array2<f32>, ClassIndices)]) -> lossfit::Result<f32> {
    let criterion = CrossEntropy::new().reduction(Sum);
    let implicit = CrossEntropy::new();
    let mut total = 0.0_f32;
    let mut other = 0.0_f32;
    for (scores, labels) in batches {
        let logits = Logits::<MultiClass, f32>::new(scores.clone())?;
        total += criterion.compute(&logits, labels)?.value;
        other += implicit.compute(&logits, labels)?.value;
    }
    Ok(total / batches.len() as f32 + other / batches.len() as f32)
}
";
    let found = accumulations(source);
    assert_eq!(
        found
            .iter()
            .map(|acc| (acc.reduction.clone(), acc.divisor))
            .collect::<Vec<_>>(),
        [
            (Some("Sum".into()), Divisor::Batches),
            (Some("mean".into()), Divisor::Batches),
        ]
    );
}

#[test]
fn weighted_sums_and_additions_outside_loops_are_not_accumulations() {
    let source = r"use burn::nn::loss::{MseLoss, Reduction};

fn weighted(batches: &[(T, T)]) -> f32 {
    let mse = MseLoss::new();
    let mut total = 0.0;
    let mut seen = 0;
    for (x, y) in batches {
        let bs = x.dims()[0];
        total += mse.forward(x.clone(), y.clone(), Reduction::Mean).into_scalar() * bs as f32;
        seen += bs;
    }
    total / seen as f32
}

fn once(x: T, y: T) -> f32 {
    let mut total = 0.0;
    total += MseLoss::new().forward(x, y, Reduction::Mean).into_scalar();
    total / 2.0
}

fn unrelated(values: &[f32]) -> f32 {
    let mut total = 0.0;
    for v in values {
        total += v;
    }
    total / values.len() as f32
}
";
    // The batch mean times the batch size is the batch's sum: over the samples, correct.
    let found = accumulations(source);
    assert_eq!(
        found
            .iter()
            .map(|acc| (acc.reduction.clone(), acc.divisor))
            .collect::<Vec<_>>(),
        [(Some("sum".into()), Divisor::Samples)]
    );
}

#[test]
fn unknown_reductions_and_divisors_are_recorded_as_unknown() {
    let source = r"use burn::nn::loss::MseLoss;

struct Trainer { mse: MseLoss }

impl Trainer {
    fn epoch(&self, batches: &[(T, T)], reduction: Reduction, k: usize) -> f32 {
        let mut total = 0.0;
        for (x, y) in batches {
            total += self.mse.forward(x.clone(), y.clone(), reduction).into_scalar();
        }
        total / k as f32
    }
}
";
    let found = accumulations(source);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reduction.as_deref(), Some("reduction"));
    assert_eq!(found[0].divisor, Divisor::Unknown);
}
