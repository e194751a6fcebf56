//! Frontend tests: candle-nn's loss functions, activations and origin tracking.

use super::*;
use crate::facts::{Activation, ApiStyle, Framework, LossKind, Origin, Reduction, Weighting};

#[test]
fn plain_cross_entropy_has_no_reduction_parameter() {
    let source = r"use candle_core::{D, Tensor};
use candle_nn::{loss, ops};

fn step(model: &Mlp, xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {
    let logits = model.forward(xs)?;
    let loss = loss::cross_entropy(&logits, ys)?;
    Ok(loss)
}
";
    let site = only(source);
    assert_eq!(site.framework, Framework::Candle);
    assert_eq!(site.style, ApiStyle::CandleFunction);
    assert_eq!(site.loss, LossKind::CrossEntropy);
    assert_eq!(site.api, "candle_nn::loss::cross_entropy");
    assert_eq!(site.reduction, Reduction::Unknown);
    assert_eq!(site.weighting, Weighting::None);
    assert_eq!(site.weight_hint, None);
    assert_eq!(
        site.span,
        span(source, "loss::cross_entropy(&logits, ys)", 0)
    );
    assert_eq!(site.name_span, span(source, "cross_entropy", 0));
    assert_eq!(site.arguments[0].span, span(source, "&logits", 0));
    assert_eq!(site.arguments[0].origin, Origin::Unknown);
}

#[test]
fn nll_fed_by_a_nested_softmax() {
    let source = r"use candle_nn::{loss, ops};

fn step(logits: &Tensor, ys: &Tensor) -> Result<Tensor> {
    loss::nll(&candle_nn::ops::softmax(logits, D::Minus1)?, ys)
}
";
    let site = only(source);
    assert_eq!(site.loss, LossKind::Nll);
    assert_eq!(
        site.arguments[0].origin,
        Origin::Activation {
            activation: Activation::Softmax,
            span: span(source, "candle_nn::ops::softmax(logits, D::Minus1)", 0),
        }
    );
}

#[test]
fn origins_through_let_try_and_references() {
    let source = r"use candle_nn::loss::*;
use candle_nn::ops;

fn step(logits: &Tensor, ys: &Tensor) -> Result<()> {
    let log_sm = ops::log_softmax(logits, D::Minus1)?;
    let a = nll(&log_sm, ys)?;
    let probs = ops::softmax_last_dim(logits)?;
    let b = cross_entropy(&probs, ys)?;
    let c = binary_cross_entropy_with_logit(&ops::sigmoid(logits)?, ys)?;
    Ok(())
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            "candle_nn::loss::nll Nll @6:13 unknown None [input:LogSoftmax, target:?]",
            "candle_nn::loss::cross_entropy CrossEntropy @8:13 unknown None [input:Softmax, target:?]",
            "candle_nn::loss::binary_cross_entropy_with_logit BceWithLogits @9:13 unknown None [input:Sigmoid, target:?]",
        ]
    );
}

#[test]
fn shadowing_replaces_the_origin() {
    let source = r"use candle_nn::{loss, ops};

fn step(logits: &Tensor, ys: &Tensor) -> Result<()> {
    let x = ops::softmax(logits, 1)?;
    let x = logits.clone();
    let a = loss::cross_entropy(&x, ys)?;
    {
        let x = ops::softmax(logits, 1)?;
    }
    let b = loss::cross_entropy(&x, ys)?;
    Ok(())
}
";
    for site in sites(source) {
        assert_eq!(site.arguments[0].origin, Origin::Unknown);
    }
}

#[test]
fn branches_that_disagree_are_unknown() {
    let source = r"use candle_nn::{loss, ops};

fn step(logits: &Tensor, ys: &Tensor, calibrated: bool) -> Result<()> {
    let disagree = if calibrated { ops::softmax(logits, 1)? } else { logits.clone() };
    let a = loss::cross_entropy(&disagree, ys)?;
    let agree = if calibrated { ops::softmax(logits, 1)? } else { ops::softmax(&logits.detach(), 1)? };
    let b = loss::cross_entropy(&agree, ys)?;
    let mut assigned = logits.clone();
    if calibrated {
        assigned = ops::softmax(logits, 1)?;
    }
    let c = loss::cross_entropy(&assigned, ys)?;
    Ok(())
}
";
    let origins: Vec<String> = summary(&sites(source));
    assert_eq!(
        origins,
        [
            "candle_nn::loss::cross_entropy CrossEntropy @5:19 unknown None [input:?, target:?]",
            "candle_nn::loss::cross_entropy CrossEntropy @7:19 unknown None [input:Softmax, target:?]",
            "candle_nn::loss::cross_entropy CrossEntropy @12:19 unknown None [input:?, target:?]",
        ]
    );
}

#[test]
fn variables_reassigned_in_a_loop_are_unknown() {
    let source = r"use candle_nn::{loss, ops};

fn train(batches: Vec<(Tensor, Tensor)>) -> Result<()> {
    let mut out = ops::softmax(&first, 1)?;
    for (xs, ys) in batches {
        let a = loss::cross_entropy(&out, &ys)?;
        out = model.forward(&xs)?;
    }
    Ok(())
}
";
    let site = only(source);
    assert_eq!(site.arguments[0].origin, Origin::Unknown);
}

#[test]
fn parameters_and_fields_are_unknown() {
    let source = r"use candle_nn::loss;

fn step(probs: &Tensor, batch: &Batch) -> Result<Tensor> {
    let a = loss::nll(probs, &batch.labels)?;
    loss::nll(&batch.probs, &batch.labels)
}
";
    for site in sites(source) {
        assert_eq!(site.arguments[0].origin, Origin::Unknown);
    }
}

#[test]
fn own_functions_and_modules_named_like_candle_are_not_losses() {
    let source = r"mod loss {
    pub fn cross_entropy(a: &Tensor, b: &Tensor) -> Tensor { a.clone() }
}

fn nll(a: &Tensor, b: &Tensor) -> Tensor { a.clone() }

fn step(x: &Tensor, y: &Tensor) {
    let a = loss::cross_entropy(&softmax(x), y);
    let b = nll(x, y);
    let c = candle::loss::cross_entropy(x, y);
}
";
    assert!(sites(source).is_empty());
}

#[test]
fn losses_inside_closures_and_macros() {
    let source = r#"use candle_nn::{loss, ops};

fn step(logits: &Tensor, ys: &Tensor) -> Result<()> {
    let probs = ops::softmax(logits, 1)?;
    let compute = |t: &Tensor| loss::cross_entropy(&probs, t);
    println!("loss {}", loss::mse(&probs, ys)?);
    Ok(())
}
"#;
    assert_eq!(
        summary(&sites(source)),
        [
            "candle_nn::loss::cross_entropy CrossEntropy @5:38 unknown None [input:Softmax, target:?]",
            "candle_nn::loss::mse Mse @6:31 unknown None [input:Softmax, target:?]",
        ]
    );
}
