//! Frontend tests: burn's loss configs, unit-struct losses and `forward` reductions.

use super::*;
use crate::facts::{
    Activation, ApiStyle, Edit, Framework, LossKind, Origin, Reduction, WeightHint, Weighting,
};

/// The burn book's classification step.
const BOOK: &str = r"use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{backend::Backend, Int, Tensor};

impl<B: Backend> Model<B> {
    pub fn forward_classification(
        &self,
        images: Tensor<B, 3>,
        targets: Tensor<B, 1, Int>,
    ) -> ClassificationOutput<B> {
        let output = self.forward(images);
        let loss = CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(output.clone(), targets.clone());

        ClassificationOutput::new(loss, output, targets)
    }
}
";

#[test]
fn the_book_classification_step() {
    let site = only(BOOK);
    assert_eq!(site.framework, Framework::Burn);
    assert_eq!(site.style, ApiStyle::BurnConfig);
    assert_eq!(site.loss, LossKind::CrossEntropy);
    assert_eq!(site.api, "burn::nn::loss::CrossEntropyLossConfig");
    // `forward` of the cross-entropy takes no reduction: always the mean.
    assert_eq!(site.reduction, Reduction::Unknown);
    assert_eq!(site.weighting, Weighting::None);
    assert_eq!(site.name_span, span(BOOK, "CrossEntropyLossConfig", 1));
    assert_eq!(
        site.span.start,
        pos(BOOK, "CrossEntropyLossConfig::new()", 0)
    );
    assert_eq!(
        site.span.end.offset,
        pos(BOOK, ";\n\n        Classification", 0).offset
    );
    assert_eq!(
        site.weight_hint,
        Some(WeightHint {
            template: ".with_weights(Some(vec![{weights}]))".into(),
            at: Some(after(BOOK, "CrossEntropyLossConfig::new()", 0)),
        })
    );
    assert_eq!(site.arguments.len(), 2);
    assert_eq!(site.arguments[0].span, span(BOOK, "output.clone()", 0));
    assert_eq!(site.arguments[0].origin, Origin::Unknown);
}

#[test]
fn softmax_output_through_bindings_and_clones() {
    let source = r"use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::softmax;

fn step<B: Backend>(model: &Model<B>, x: Tensor<B, 2>, y: Tensor<B, 1, Int>, device: &B::Device) {
    let logits = model.forward(x);
    let probs = softmax(logits, 1);
    let p = probs.clone();
    let loss = CrossEntropyLossConfig::new().init(device).forward(p, y);
}
";
    let site = only(source);
    assert_eq!(
        site.arguments[0].origin,
        Origin::Activation {
            activation: Activation::Softmax,
            span: span(source, "softmax(logits, 1)", 0),
        }
    );
}

#[test]
fn probabilities_declared_with_with_logits_false_are_not_tracked() {
    let source = r"use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::softmax;

fn step(x: Tensor<B, 2>, y: Tensor<B, 1, Int>, device: &Device) {
    let loss = CrossEntropyLossConfig::new()
        .with_logits(false)
        .init(device)
        .forward(softmax(x, 1), y);
}
";
    let site = only(source);
    assert_eq!(site.loss, LossKind::CrossEntropy);
    assert_eq!(site.arguments[0].origin, Origin::Unknown);
}

#[test]
fn weights_given_absent_or_unknown() {
    let source = r"use burn::nn::loss::CrossEntropyLossConfig as Ce;

fn a(device: &Device) { let l = Ce::new().with_weights(Some(vec![1.0, 4.0])).init(device); }
fn b(device: &Device) { let l = Ce::new().with_weights(None).init(device); }
fn c(device: &Device, w: Option<Vec<f32>>) { let l = Ce::new().with_weights(w).init(device); }
";
    let weightings: Vec<Weighting> = sites(source).into_iter().map(|s| s.weighting).collect();
    assert_eq!(
        weightings,
        [Weighting::ClassWeights, Weighting::None, Weighting::Unknown]
    );
}

#[test]
fn binary_cross_entropy_kind_follows_with_logits() {
    let source = r"use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::tensor::activation::sigmoid;

fn probabilities(x: Tensor<B, 1>, y: Tensor<B, 1, Int>, d: &Device) {
    let l = BinaryCrossEntropyLossConfig::new().init(d).forward(sigmoid(x), y);
}
fn logits(x: Tensor<B, 1>, y: Tensor<B, 1, Int>, d: &Device) {
    let l = BinaryCrossEntropyLossConfig::new().with_logits(true).init(d).forward(sigmoid(x), y);
}
fn unknown(x: Tensor<B, 1>, y: Tensor<B, 1, Int>, d: &Device, flag: bool) {
    let l = BinaryCrossEntropyLossConfig::new().with_logits(flag).init(d).forward(sigmoid(x), y);
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            "burn::nn::loss::BinaryCrossEntropyLossConfig Bce @5:13 unknown None [input:Sigmoid, target:labels]",
            "burn::nn::loss::BinaryCrossEntropyLossConfig BceWithLogits @8:13 unknown None [input:Sigmoid, target:labels]",
            "burn::nn::loss::BinaryCrossEntropyLossConfig Bce @11:13 unknown None [input:?, target:labels]",
        ]
    );
}

#[test]
fn reduction_auto_is_implicit_and_fixed_to_mean() {
    let source = r"use burn::nn::loss::{MseLoss, Reduction};

fn step(pred: Tensor<B, 2>, target: Tensor<B, 2>) {
    let loss = MseLoss::new().forward(pred, target, Reduction::Auto);
}
";
    let site = only(source);
    assert_eq!(site.loss, LossKind::Mse);
    // The call chooses the reduction: the site points at it.
    assert_eq!(site.name_span, span(source, "forward", 0));
    assert_eq!(
        site.span,
        span(
            source,
            "MseLoss::new().forward(pred, target, Reduction::Auto)",
            0
        )
    );
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: span(source, "Auto", 0),
                content: "Mean".into(),
            }),
        }
    );
}

#[test]
fn explicit_reductions_and_forward_no_reduction() {
    let source = r"use burn::nn::loss::{HuberLossConfig, MseLoss, Reduction};

fn step(pred: Tensor<B, 2>, target: Tensor<B, 2>) {
    let mse = MseLoss;
    let a = mse.forward(pred.clone(), target.clone(), Reduction::Sum);
    let b = mse.forward_no_reduction(pred.clone(), target.clone());
    let huber = HuberLossConfig::new(1.0).init();
    let c = huber.forward(pred, target, burn::nn::loss::Reduction::Mean);
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            "burn::nn::loss::MseLoss Mse @5:17 explicit(Reduction::Sum) None [input:?, target:?]",
            "burn::nn::loss::MseLoss Mse @6:17 explicit(none) Unknown [input:?, target:?]",
            "burn::nn::loss::HuberLossConfig Huber @8:19 explicit(burn::nn::loss::Reduction::Mean) None [input:?, target:?]",
        ]
    );
}

#[test]
fn kl_divergence_auto_is_the_batch_mean() {
    let source = r"use burn::nn::loss::{KLDivLossConfig, Reduction};

fn step(p: Tensor<B, 2>, q: Tensor<B, 2>) {
    let kl = KLDivLossConfig::new().init();
    let loss = kl.forward(p, q, Reduction::Auto);
}
";
    let site = only(source);
    assert_eq!(site.loss, LossKind::KlDiv);
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "batchmean".into(),
            fix: Some(Edit {
                span: span(source, "Auto", 0),
                content: "BatchMean".into(),
            }),
        }
    );
}

#[test]
fn a_loss_in_a_struct_field_is_applied_detached() {
    let source = r"use burn::nn::loss::{MseLoss, Reduction};

#[derive(Module, Debug)]
pub struct Regressor<B: Backend> {
    head: Linear<B>,
    loss: MseLoss,
}

impl<B: Backend> Regressor<B> {
    pub fn new(device: &B::Device) -> Self {
        Self { head: LinearConfig::new(8, 1).init(device), loss: MseLoss::new() }
    }

    pub fn forward_step(&self, x: Tensor<B, 2>, y: Tensor<B, 2>) -> Tensor<B, 1> {
        let pred = self.head.forward(x);
        self.loss.forward(pred, y, Reduction::Auto)
    }
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            "burn::nn::loss::MseLoss Mse @11:66 unknown None []",
            r#"burn::nn::loss::MseLoss Mse @16:19 implicit(mean, 16:47-16:51 "Mean") Unknown [input:?, target:?]"#,
        ]
    );
}

#[test]
fn re_exporting_crate_paths_and_globs() {
    let source = r"use burn_nn::loss::*;

fn f(x: Tensor<B, 2>, y: Tensor<B, 2>) {
    let loss = SmoothL1LossConfig::new().init().forward_with_reduction(x, y, Reduction::Auto);
    let l1 = burn::nn::loss::LpLossConfig::l1().forward(x, y, Reduction::Sum);
}
";
    assert_eq!(
        summary(&sites(source)),
        [
            r#"burn::nn::loss::SmoothL1LossConfig SmoothL1 @4:49 implicit(mean, 4:89-4:93 "Mean") None [input:?, target:?]"#,
            "burn::nn::loss::LpLossConfig::l1 L1 @5:49 explicit(Reduction::Sum) None [input:?, target:?]",
        ]
    );
}

#[test]
fn a_user_defined_forward_is_not_a_loss() {
    let source = r"use burn::nn::loss::Reduction;

struct MseLoss;
impl MseLoss { fn forward(&self, a: f32, b: f32, r: Reduction) -> f32 { a - b } }

fn f(m: &Model) {
    let l = MseLoss.forward(1.0, 2.0, Reduction::Auto);
    let o = m.forward(x, y, Reduction::Auto);
}
";
    assert!(sites(source).is_empty());
}
