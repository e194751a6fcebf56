//! Frontend tests: lossfit's typed builders, functional layer and derive heads.

use super::*;
use crate::facts::{
    ApiStyle, DeclaredTask, Edit, Framework, LossKind, Origin, Reduction, Role, WeightHint,
    Weighting,
};

#[test]
fn typed_builder_without_reduction_is_implicit_with_an_insertion_fix() {
    let source = r"use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass};

fn step(x: ndarray::Array2<f32>, y: ndarray::Array1<usize>) -> lossfit::Result<f32> {
    let logits = Logits::<MultiClass, f32>::new(x)?;
    let loss = CrossEntropy::new().compute(&logits, &ClassIndices::new(y))?;
    Ok(loss.value)
}
";
    let site = only(source);
    assert_eq!(site.framework, Framework::Lossfit);
    assert_eq!(site.style, ApiStyle::LossfitTyped);
    assert_eq!(site.loss, LossKind::CrossEntropy);
    assert_eq!(site.api, "lossfit::CrossEntropy");
    assert_eq!(site.name_span, span(source, "CrossEntropy", 1));
    assert_eq!(
        site.span,
        span(
            source,
            "CrossEntropy::new().compute(&logits, &ClassIndices::new(y))",
            0
        )
    );
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: after(source, "CrossEntropy::new()", 0),
                content: ".reduction(lossfit::Mean)".into(),
            }),
        }
    );
    assert_eq!(site.weighting, Weighting::None);
    assert_eq!(
        site.weight_hint,
        Some(WeightHint {
            template: ".weight(lossfit::ClassWeights::new(vec![{weights}])?)".into(),
            at: Some(after(source, "CrossEntropy::new()", 0)),
        })
    );
    assert_eq!(site.arguments.len(), 2);
    assert_eq!(site.arguments[0].role, Role::Input);
    assert_eq!(site.arguments[0].span, span(source, "&logits", 0));
    assert_eq!(
        site.arguments[0].origin,
        Origin::Logits {
            span: span(source, "Logits::<MultiClass, f32>::new(x)", 0)
        }
    );
    assert_eq!(site.arguments[1].role, Role::Target);
    assert_eq!(site.arguments[1].origin, Origin::Unknown);
}

#[test]
fn typed_builder_with_reduction_and_weight() {
    let source = r"use lossfit::{ClassWeights, CrossEntropy, Mean};

fn build(w: ClassWeights<f32>) {
    let loss = CrossEntropy::<f32>::new().weight(w).reduction(Mean);
    drop(loss);
}
";
    let site = only(source);
    assert_eq!(
        site.reduction,
        Reduction::Explicit {
            value: "Mean".into(),
            span: span(source, "Mean", 1),
        }
    );
    assert_eq!(site.weighting, Weighting::ClassWeights);
    assert_eq!(
        site.span,
        span(
            source,
            "CrossEntropy::<f32>::new().weight(w).reduction(Mean)",
            0
        )
    );
}

#[test]
fn typed_builder_split_over_statements() {
    let source = r"use lossfit::*;

fn train(logits: &Logits<MultiClass, f64>, labels: &ClassIndices, w: ClassWeights<f64>) -> Result<()> {
    let loss = CrossEntropy::new();
    let loss = loss.weight(w);
    let loss = loss.reduction(Sum);
    let probs = logits.softmax();
    let value = loss.compute(&probs, labels)?;
    Ok(())
}
";
    let site = only(source);
    assert_eq!(
        site.reduction,
        Reduction::Explicit {
            value: "Sum".into(),
            span: span(source, "Sum", 0),
        }
    );
    assert_eq!(site.weighting, Weighting::ClassWeights);
    assert_eq!(site.span, span(source, "CrossEntropy::new()", 0));
    assert_eq!(
        site.arguments[0].origin,
        Origin::Activation {
            activation: crate::facts::Activation::Softmax,
            span: span(source, "logits.softmax()", 0),
        }
    );
}

#[test]
fn typed_builder_split_without_reduction_keeps_the_fix_at_the_constructor() {
    let source = r"use lossfit::{BceWithLogits, Logits, MultiLabel, MultiHot};

fn train(logits: Logits<MultiLabel, f32>, targets: MultiHot<f32>, pw: Vec<f32>) {
    let criterion = BceWithLogits::new();
    let criterion = criterion.pos_weight(pw);
    let _ = criterion.compute(&logits, &targets);
}
";
    let site = only(source);
    assert_eq!(site.loss, LossKind::BceWithLogits);
    assert_eq!(site.weighting, Weighting::PosWeight);
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: after(source, "BceWithLogits::new()", 0),
                content: ".reduction(lossfit::Mean)".into(),
            }),
        }
    );
    assert_eq!(site.arguments[0].origin, Origin::Unknown);
}

#[test]
fn aliases_and_qualified_paths() {
    let source = r"use lossfit::CrossEntropy as Ce;

fn a() { let _ = Ce::new(); }
fn b() { let _ = lossfit::Nll::<f32>::default().reduction(lossfit::Sum); }
fn c() { let _ = <lossfit::Mse<f32>>::new(); }
";
    assert_eq!(
        summary(&sites(source)),
        [
            r#"lossfit::CrossEntropy CrossEntropy @3:18 implicit(mean, 3:27-3:27 ".reduction(lossfit::Mean)") None []"#,
            "lossfit::Nll Nll @4:27 explicit(lossfit::Sum) None []",
            r#"lossfit::Mse Mse @5:28 implicit(mean, 5:44-5:44 ".reduction(lossfit::Mean)") None []"#,
        ]
    );
}

#[test]
fn a_builder_that_escapes_gets_no_fix() {
    // Inserting `.reduction(..)` would change the type the field, the binding or the
    // return type pins.
    let source = r"use lossfit::{CrossEntropy, Mse};

struct Trainer { loss: CrossEntropy<f32> }

fn new() -> Trainer {
    Trainer { loss: CrossEntropy::new() }
}

fn typed() {
    let loss: Mse<f32> = Mse::new();
}

fn returned() -> Mse<f64> {
    Mse::new()
}
";
    let sites = sites(source);
    assert_eq!(sites.len(), 3);
    for site in sites {
        assert_eq!(
            site.reduction,
            Reduction::Implicit {
                default: "mean".into(),
                fix: None
            }
        );
        assert!(
            site.weight_hint
                .as_ref()
                .is_none_or(|hint| hint.at.is_none())
        );
    }
}

#[test]
fn focal_losses_are_weighted_by_construction() {
    let source = r"use lossfit::{SigmoidFocal, SoftmaxFocal, Mean};
fn f() {
    let a = SigmoidFocal::<f32>::new().gamma(2.0).reduction(Mean);
    let b = SoftmaxFocal::<f32>::new();
}
";
    let sites = sites(source);
    assert_eq!(sites.len(), 2);
    assert!(sites.iter().all(|site| site.weighting == Weighting::Focal));
}

#[test]
fn compute_on_a_field_is_a_detached_site() {
    let source = r"use lossfit::{CrossEntropy, Logits, MultiClass, ClassIndices, Mean};

struct Head { loss: CrossEntropy<f32, Mean> }

impl Head {
    fn loss(&self, logits: &Logits<MultiClass, f32>, y: &ClassIndices) {
        let probs = logits.softmax();
        let _ = self.loss.compute(&probs, y);
    }
}
";
    assert_eq!(
        summary(&sites(source)),
        ["lossfit::CrossEntropy CrossEntropy @8:27 unknown Unknown [input:Softmax, target:labels]"]
    );
}

#[test]
fn functional_explicit_reduction() {
    let source = r"use lossfit::Reduction;
use lossfit::functional::{CrossEntropyOptions, cross_entropy};

fn f(x: &ndarray::Array2<f32>, t: &ndarray::Array1<i64>) {
    let loss = cross_entropy(x, t, &CrossEntropyOptions { reduction: Reduction::Sum, ..Default::default() });
}
";
    let site = only(source);
    assert_eq!(site.style, ApiStyle::LossfitFunctional);
    assert_eq!(site.api, "lossfit::functional::cross_entropy");
    assert_eq!(
        site.reduction,
        Reduction::Explicit {
            value: "Reduction::Sum".into(),
            span: span(source, "Reduction::Sum", 0),
        }
    );
    assert_eq!(site.weighting, Weighting::None);
    assert_eq!(site.name_span, span(source, "cross_entropy", 1));
}

#[test]
fn functional_missing_reduction_field_is_inserted_before_the_rest() {
    let source = r"use lossfit::functional::*;

fn f(x: &ndarray::Array2<f32>, t: &ndarray::Array1<i64>) {
    let loss = cross_entropy(x, t, &CrossEntropyOptions { label_smoothing: 0.1, ..Default::default() });
}
";
    let site = only(source);
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: before(source, "..Default", 0),
                content: "reduction: lossfit::Reduction::Mean, ".into(),
            }),
        }
    );
}

#[test]
fn functional_default_options_are_replaced_by_a_literal() {
    let source = r"use lossfit::functional;

fn f(x: &ndarray::Array2<f32>, t: &ndarray::Array1<i64>) {
    let a = functional::nll_loss(x, t, &Default::default());
    let b = functional::kl_div(x, x, &functional::KlDivOptions::default());
}
";
    let sites = sites(source);
    assert_eq!(sites.len(), 2);
    assert_eq!(
        sites[0].reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: span(source, "Default::default()", 0),
                content: "lossfit::functional::NllOptions { reduction: lossfit::Reduction::Mean, ..Default::default() }".into(),
            }),
        }
    );
    assert_eq!(
        sites[1].reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: span(source, "functional::KlDivOptions::default()", 0),
                content: "lossfit::functional::KlDivOptions { reduction: lossfit::functional::KlReduction::Mean, ..Default::default() }".into(),
            }),
        }
    );
}

#[test]
fn functional_options_through_a_variable() {
    let source = r"use lossfit::functional::{BceWithLogitsOptions, binary_cross_entropy_with_logits};
use lossfit::Reduction;

fn f(x: &ndarray::Array2<f32>, t: &ndarray::Array2<f32>, pw: ndarray::ArrayViewD<f32>) {
    let options = BceWithLogitsOptions { pos_weight: Some(pw), ..Default::default() };
    let a = binary_cross_entropy_with_logits(x, t, &options);
    let mut summed = BceWithLogitsOptions::default();
    summed.reduction = Reduction::Sum;
    let b = binary_cross_entropy_with_logits(x, t, &summed);
}
";
    let sites = sites(source);
    assert_eq!(sites.len(), 2);
    assert_eq!(
        sites[0].reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: before(source, "..Default", 0),
                content: "reduction: lossfit::Reduction::Mean, ".into(),
            }),
        }
    );
    assert_eq!(sites[0].weighting, Weighting::PosWeight);
    assert_eq!(
        sites[1].reduction,
        Reduction::Explicit {
            value: "Reduction::Sum".into(),
            span: span(source, "Reduction::Sum", 0),
        }
    );
    assert_eq!(sites[1].weighting, Weighting::None);
}

#[test]
fn functional_options_that_cannot_be_seen_are_unknown() {
    // Options built by another function (as in `examples/cross_entropy_by_hand.rs`) or
    // passed in: no finding either way.
    let source = r"use lossfit::functional::{CrossEntropyOptions, cross_entropy};

fn options(eps: f64) -> CrossEntropyOptions<'static, f32> {
    CrossEntropyOptions { label_smoothing: eps, reduction: lossfit::Reduction::Mean, ..Default::default() }
}

fn f(x: &ndarray::Array2<f32>, t: &ndarray::Array1<i64>, given: &CrossEntropyOptions<f32>) {
    let a = cross_entropy(x, t, &options(0.1));
    let b = cross_entropy(x, t, given);
}
";
    let sites = sites(source);
    assert_eq!(sites.len(), 2);
    for site in sites {
        assert_eq!(site.reduction, Reduction::Unknown);
        assert_eq!(site.weighting, Weighting::Unknown);
    }
}

#[test]
fn derive_heads() {
    let source = r#"use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(Debug, ModelOutput)]
struct Detector {
    #[head(task = MultiClass, loss = CrossEntropy, weight = balanced,
           labels = "data/class_counts.json")]
    class_logits: Array2<f32>,
    #[head(task = Regression, loss = Huber, delta = 1.0, reduction = sum, scale = 5.0)]
    boxes: Array2<f32>,
    #[head(task = MultiLabel, loss = BceWithLogits, reduction = mean,)]
    tags: Array2<f32>,
    #[head(task = Binary, loss = SigmoidFocal, reduction = mean)]
    objectness: Array2<f32>,
    #[head(task = MultiClass, loss = Nll, input = log_probabilities, reduction = mean,
           allow_imbalance = "resampled")]
    parts: Array2<f32>,
    not_a_head: Array2<f32>,
}
"#;
    let sites = sites(source);
    assert_eq!(sites.len(), 5);
    let class = &sites[0];
    assert_eq!(class.style, ApiStyle::LossfitDerive);
    assert_eq!(class.api, "lossfit::CrossEntropy");
    assert_eq!(class.declared_task, Some(DeclaredTask::MultiClass));
    assert_eq!(class.labels.as_deref(), Some("data/class_counts.json"));
    assert_eq!(class.weighting, Weighting::ClassWeights);
    assert_eq!(class.name_span, span(source, "CrossEntropy", 0));
    assert_eq!(
        class.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: before(source, ")]\n    class_logits", 0),
                content: ", reduction = mean".into(),
            }),
        }
    );
    assert_eq!(
        class.arguments[0].origin,
        Origin::Logits {
            span: span(source, "class_logits", 0)
        }
    );
    let boxes = &sites[1];
    assert_eq!(boxes.loss, LossKind::Huber);
    assert_eq!(boxes.declared_task, Some(DeclaredTask::Regression));
    assert_eq!(
        boxes.reduction,
        Reduction::Explicit {
            value: "sum".into(),
            span: span(source, "sum", 0),
        }
    );
    let tags = &sites[2];
    assert_eq!(tags.weighting, Weighting::None);
    assert_eq!(
        tags.weight_hint,
        Some(WeightHint {
            template: " pos_weight = [{weights}]".into(),
            at: Some(before(source, ")]\n    tags", 0)),
        })
    );
    assert_eq!(sites[3].weighting, Weighting::Focal);
    let parts = &sites[4];
    assert_eq!(parts.weighting, Weighting::Unknown);
    assert!(parts.arguments.is_empty());
}

#[test]
fn head_without_reduction_after_a_trailing_comma() {
    let source = r"#[derive(lossfit::ModelOutput)]
struct Out {
    #[head(task = Binary, loss = BceWithLogits,)]
    logit: ndarray::Array1<f32>,
}
";
    let site = only(source);
    assert_eq!(
        site.reduction,
        Reduction::Implicit {
            default: "mean".into(),
            fix: Some(Edit {
                span: before(source, ")]", 1),
                content: " reduction = mean".into(),
            }),
        }
    );
}

#[test]
fn head_attributes_of_other_derives_are_ignored() {
    let source = r"#[derive(Debug, MyOutput)]
struct Out {
    #[head(task = Binary, loss = BceWithLogits)]
    logit: ndarray::Array1<f32>,
}
";
    assert!(sites(source).is_empty());
}

#[test]
fn user_types_and_functions_with_lossfit_names_are_not_losses() {
    let source = r"use lossfit::functional::*;

struct CrossEntropy;
impl CrossEntropy { fn new() -> Self { CrossEntropy } }

fn cross_entropy(a: &[f32], b: &[f32]) -> f32 { 0.0 }

fn f() {
    let own = CrossEntropy::new();
    let value = cross_entropy(&[1.0], &[0.0]);
}
";
    assert!(sites(source).is_empty());
}

#[test]
fn builders_chosen_by_a_branch_are_neither_fixed_nor_judged_unweighted() {
    let source = r"use lossfit::{ClassWeights, CrossEntropy, Logits, MultiClass, ClassIndices};

fn step(logits: &Logits<MultiClass, f32>, y: &ClassIndices, w: Option<ClassWeights<f32>>) {
    let criterion = match w {
        Some(w) => CrossEntropy::new().weight(w),
        None => CrossEntropy::new(),
    };
    let _ = criterion.compute(logits, y);
}
";
    let sites = sites(source);
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0].weighting, Weighting::ClassWeights);
    assert_eq!(sites[1].weighting, Weighting::Unknown);
    for site in &sites {
        assert_eq!(
            site.reduction,
            Reduction::Implicit {
                default: "mean".into(),
                fix: None
            }
        );
    }
}
