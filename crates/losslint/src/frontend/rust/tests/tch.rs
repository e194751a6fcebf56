//! Frontend tests: tch's loss and activation methods, recognised by name in files that
//! import `tch`.

use super::*;
use crate::facts::{Activation, ApiStyle, Edit, Framework, LossKind, Origin, Reduction, Weighting};

#[test]
fn cross_entropy_for_logits_is_an_implicit_mean_rewritten_to_cross_entropy_loss() {
    let source = r"use tch::{nn, nn::Module, nn::OptimizerConfig, Device, Tensor};

fn train(net: &impl Module, opt: &mut nn::Optimizer, images: &Tensor, labels: &Tensor) {
    let loss = net.forward(images).cross_entropy_for_logits(labels);
    opt.backward_step(&loss);
}
";
    let site = only(source);
    assert_eq!(site.framework, Framework::Tch);
    assert_eq!(site.style, ApiStyle::TchMethod);
    assert_eq!(site.loss, LossKind::CrossEntropy);
    assert_eq!(site.api, "tch::Tensor::cross_entropy_for_logits");
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: span(source, "cross_entropy_for_logits(labels)", 0),
                content: "cross_entropy_loss::<tch::Tensor>(labels, None, tch::Reduction::Mean, \
                          -100, 0.0)"
                    .into(),
            }),
        }
    );
    assert_eq!(site.name_span, span(source, "cross_entropy_for_logits", 0));
    assert_eq!(
        site.span,
        span(
            source,
            "net.forward(images).cross_entropy_for_logits(labels)",
            0
        )
    );
    assert_eq!(
        site.arguments[0].span,
        span(source, "net.forward(images)", 0)
    );
    assert_eq!(site.arguments[0].origin, Origin::Unknown);
    assert_eq!(site.arguments[1].span, span(source, "labels", 1));
}

#[test]
fn softmax_through_let_and_shallow_clone() {
    let source = r"use tch::{Kind, Tensor};

fn step(logits: &Tensor, y: &Tensor) -> Tensor {
    let p = logits.softmax(-1, Kind::Float);
    let p2 = p.shallow_clone();
    p2.cross_entropy_for_logits(y)
}
";
    let site = only(source);
    assert_eq!(
        site.arguments[0].origin,
        Origin::Activation {
            activation: Activation::Softmax,
            span: span(source, "logits.softmax(-1, Kind::Float)", 0),
        }
    );
}

#[test]
fn nll_loss_after_log_softmax_or_softmax() {
    let source = r"use tch::Kind;

fn step(logits: &tch::Tensor, y: &tch::Tensor) {
    let good = logits.log_softmax(-1, Kind::Float).nll_loss(y);
    let bad = logits.softmax(-1, Kind::Float).nll_loss(y);
    let explicit = logits.log_softmax(-1, None).g_nll_loss::<tch::Tensor>(y, None, tch::Reduction::Sum, -100);
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            "tch::Tensor::nll_loss Nll @4:52 implicit(mean, 4:52-4:63 \"g_nll_loss(y, None::<tch::Tensor>, tch::Reduction::Mean, -100)\") None [input:LogSoftmax, target:?]",
            "tch::Tensor::nll_loss Nll @5:47 implicit(mean, 5:47-5:58 \"g_nll_loss(y, None::<tch::Tensor>, tch::Reduction::Mean, -100)\") None [input:Softmax, target:?]",
            "tch::Tensor::g_nll_loss Nll @6:49 explicit(tch::Reduction::Sum) None [input:LogSoftmax, target:?]",
        ]
    );
}

#[test]
fn cross_entropy_loss_reduction_and_weights() {
    let source = r"use tch::{Reduction, Tensor};

fn step(logits: &Tensor, y: &Tensor, w: &Tensor, maybe: Option<&Tensor>) {
    let a = logits.cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    let b = logits.cross_entropy_loss(y, Some(w), Reduction::Sum, -100, 0.1);
    let c = logits.cross_entropy_loss(y, maybe, Reduction::Mean, -100, 0.0);
}
";
    let sites = sites(source);
    assert_eq!(
        sites
            .iter()
            .map(|s| s.weighting.clone())
            .collect::<Vec<_>>(),
        [Weighting::None, Weighting::ClassWeights, Weighting::Unknown]
    );
    assert_eq!(
        sites[0].reduction,
        Reduction::Explicit {
            value: "Reduction::Mean".into(),
            span: span(source, "Reduction::Mean", 0),
        }
    );
    assert!(
        sites[0]
            .weight_hint
            .as_ref()
            .is_some_and(|hint| hint.at.is_none())
    );
}

#[test]
fn bce_with_logits_pos_weight_and_sigmoid_input() {
    let source = r"use tch::{Reduction, Tensor};

fn step(logits: &Tensor, y: &Tensor, pw: Tensor) {
    let probs = logits.sigmoid();
    let loss = probs.binary_cross_entropy_with_logits::<Tensor>(y, None, Some(pw), Reduction::Mean);
}
";
    let site = only(source);
    assert_eq!(site.loss, LossKind::BceWithLogits);
    assert_eq!(site.weighting, Weighting::PosWeight);
    assert_eq!(
        site.arguments[0].origin,
        Origin::Activation {
            activation: Activation::Sigmoid,
            span: span(source, "logits.sigmoid()", 0),
        }
    );
}

#[test]
fn associated_function_calls() {
    let source = r"use tch::{Kind, Tensor};

fn step(logits: &Tensor, y: &Tensor) {
    let p = Tensor::softmax(logits, -1, Kind::Float);
    let loss = Tensor::cross_entropy_for_logits(&p, y);
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            "tch::Tensor::cross_entropy_for_logits CrossEntropy @5:24 implicit(mean, 5:24-5:55 \"cross_entropy_loss::<tch::Tensor>(&p, y, None, tch::Reduction::Mean, -100, 0.0)\") None [input:Softmax, target:?]"
        ]
    );
}

#[test]
fn methods_are_not_recognised_without_a_tch_import() {
    let source = r"fn step(logits: &MyTensor, y: &MyTensor) {
    let p = logits.softmax(-1);
    let loss = p.cross_entropy_for_logits(y);
    let other = p.nll_loss(y);
}
";
    assert!(sites(source).is_empty());
}
