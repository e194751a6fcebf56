//! Properties of the binary and multi-label losses: `binary_cross_entropy`,
//! `binary_cross_entropy_with_logits`, `soft_margin_loss`, `multilabel_soft_margin_loss` and
//! `sigmoid_focal_loss`.

use lossfit::functional::{
    BceOptions, BceWithLogitsOptions, MultilabelSoftMarginOptions, SigmoidFocalOptions,
    SoftMarginOptions, binary_cross_entropy, binary_cross_entropy_with_logits,
    multilabel_soft_margin_loss, sigmoid_focal_loss, soft_margin_loss,
};
use lossfit::{Loss, Reduction};
use ndarray::{ArrayD, Axis};
use proptest::prelude::*;

use crate::support::{array, check_grad, check_non_negative, check_sum};

/// Inputs `(N, C)` in `lo..hi`, soft targets in `0..1`, per-class weights `(C,)` and an
/// upstream gradient `(N, C)`.
type Batch = (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>, ArrayD<f64>);

fn batch(lo: f64, hi: f64) -> impl Strategy<Value = Batch> {
    (1_usize..4, 1_usize..5).prop_flat_map(move |(n, c)| {
        (
            array(&[n, c], lo, hi),
            array(&[n, c], 0.0, 1.0),
            array(&[c], 0.2, 3.0),
            array(&[n, c], -2.0, 2.0),
        )
    })
}

fn mean_or_sum() -> impl Strategy<Value = Reduction> {
    prop_oneof![Just(Reduction::Mean), Just(Reduction::Sum)]
}

/// `sum(value * upstream)`: the objective whose gradient a `None` loss with that upstream gives.
fn weighted_total(value: &ArrayD<f64>, upstream: &ArrayD<f64>) -> f64 {
    (value * upstream).sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

/// Options of the BCE with logits with only a reduction.
fn bcel_reduced(reduction: Reduction) -> BceWithLogitsOptions<'static, f64> {
    BceWithLogitsOptions {
        reduction,
        ..Default::default()
    }
}

/// The scalar value of a reduced loss (the tests only reduce valid inputs).
fn scalar<G>(loss: lossfit::Result<Loss<f64, G>>) -> f64 {
    loss.unwrap().scalar().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn bce_gradients_match_finite_differences(
        (x, t, w, _) in batch(0.05, 0.95),
        reduction in mean_or_sum(),
    ) {
        let options = BceOptions { weight: Some(w.view()), reduction, grad_output: None };
        let loss = binary_cross_entropy(&x, &t, &options).unwrap();
        let fx = |x: &ArrayD<f64>| scalar(binary_cross_entropy(x, &t, &options));
        check_grad("bce input", fx, &x, &loss.grad.input)?;
        let ft = |t: &ArrayD<f64>| scalar(binary_cross_entropy(&x, t, &options));
        check_grad("bce target", ft, &t, &loss.grad.target)?;
    }

    #[test]
    fn bce_reductions_sign_and_upstream((x, t, w, u) in batch(0.0, 1.0)) {
        let options = |reduction, grad_output| {
            BceOptions { weight: Some(w.view()), reduction, grad_output }
        };
        let upstream = options(Reduction::None, Some(u.view()));
        let none = binary_cross_entropy(&x, &t, &upstream).unwrap();
        let sum = scalar(binary_cross_entropy(&x, &t, &options(Reduction::Sum, None)));
        check_sum("bce", sum, &none.value)?;
        check_non_negative("bce", &none.value)?;
        // the loss is clamped, never infinite, even at probabilities of exactly 0 or 1
        prop_assert!(none.value.iter().all(|v| v.is_finite()));
        let x_inner = x.mapv(|v| v.clamp(0.05, 0.95));
        let inner = binary_cross_entropy(&x_inner, &t, &upstream).unwrap();
        let unreduced = options(Reduction::None, None);
        let f = |x: &ArrayD<f64>| {
            weighted_total(&binary_cross_entropy(x, &t, &unreduced).unwrap().value, &u)
        };
        check_grad("bce input (none, upstream)", f, &x_inner, &inner.grad.input)?;
    }

    #[test]
    fn bce_with_logits_gradients_match_finite_differences(
        (x, t, w, u) in batch(-6.0, 6.0),
        pos_weight in proptest::collection::vec(0.2_f64..8.0, 4),
    ) {
        let c = x.shape()[1];
        let pw = ArrayD::from_shape_vec(vec![c], pos_weight[..c].to_vec()).unwrap();
        let options = BceWithLogitsOptions {
            weight: Some(w.view()),
            pos_weight: Some(pw.view()),
            reduction: Reduction::None,
            grad_output: Some(u.view()),
        };
        let loss = binary_cross_entropy_with_logits(&x, &t, &options).unwrap();
        let plain = BceWithLogitsOptions { grad_output: None, ..options.clone() };
        let total = |x: &ArrayD<f64>, t: &ArrayD<f64>| {
            weighted_total(&binary_cross_entropy_with_logits(x, t, &plain).unwrap().value, &u)
        };
        check_grad("bce_with_logits input", |x| total(x, &t), &x, &loss.grad.input)?;
        check_grad("bce_with_logits target", |t| total(&x, t), &t, &loss.grad.target)?;
        check_non_negative("bce_with_logits", &loss.value)?;
        let summed = BceWithLogitsOptions { reduction: Reduction::Sum, ..plain.clone() };
        let sum = scalar(binary_cross_entropy_with_logits(&x, &t, &summed));
        check_sum("bce_with_logits", sum, &loss.value)?;
    }

    #[test]
    fn bce_with_logits_is_bce_of_the_sigmoid(
        (x, t, _, _) in batch(-8.0, 8.0),
        reduction in mean_or_sum(),
    ) {
        let probs = x.mapv(|v| 1.0 / (1.0 + (-v).exp()));
        let on_logits = scalar(binary_cross_entropy_with_logits(&x, &t, &bcel_reduced(reduction)));
        let on_probs =
            scalar(binary_cross_entropy(&probs, &t, &BceOptions { reduction, ..Default::default() }));
        prop_assert!(close(on_logits, on_probs), "{on_logits} vs {on_probs}");
        // a unit pos_weight changes nothing
        let ones = ArrayD::from_elem(vec![x.shape()[1]], 1.0);
        let unit = BceWithLogitsOptions { pos_weight: Some(ones.view()), ..bcel_reduced(reduction) };
        prop_assert!(close(scalar(binary_cross_entropy_with_logits(&x, &t, &unit)), on_logits));
    }

    #[test]
    fn bce_with_logits_stays_finite_for_huge_logits(
        (x, t, _, _) in batch(-1.0, 1.0),
        scale in prop_oneof![Just(1e4), Just(-1e4), Just(1e300)],
    ) {
        let x = x.mapv(|v| v.signum() * scale);
        let t = t.mapv(f64::round);
        let loss = binary_cross_entropy_with_logits(&x, &t, &bcel_reduced(Reduction::None)).unwrap();
        prop_assert!(loss.value.iter().all(|v| v.is_finite() && *v >= 0.0));
        prop_assert!(loss.grad.input.iter().all(|g| g.abs() <= 1.0));
    }

    #[test]
    fn soft_margin_gradient_reductions_and_logistic_identity(
        (x, t, _, u) in batch(-8.0, 8.0),
        reduction in mean_or_sum(),
    ) {
        let signs = t.mapv(|v| if v < 0.5 { -1.0 } else { 1.0 });
        let options = SoftMarginOptions { reduction, grad_output: None };
        let loss = soft_margin_loss(&x, &signs, &options).unwrap();
        let f = |x: &ArrayD<f64>| scalar(soft_margin_loss(x, &signs, &options));
        check_grad("soft_margin input", f, &x, &loss.grad.input)?;
        let upstream = SoftMarginOptions { reduction: Reduction::None, grad_output: Some(u.view()) };
        let none = soft_margin_loss(&x, &signs, &upstream).unwrap();
        let summed = SoftMarginOptions { reduction: Reduction::Sum, grad_output: None };
        check_sum("soft_margin", scalar(soft_margin_loss(&x, &signs, &summed)), &none.value)?;
        check_non_negative("soft_margin", &none.value)?;
        // on +-1 labels it is BCE with logits on 0/1 labels
        let labels01 = signs.mapv(|s| if s > 0.0 { 1.0 } else { 0.0 });
        let bce = scalar(binary_cross_entropy_with_logits(&x, &labels01, &bcel_reduced(reduction)));
        prop_assert!((loss.scalar().unwrap() - bce).abs() <= 1e-9);
    }

    #[test]
    fn multilabel_soft_margin_gradients_and_reductions(
        (x, t, w, _) in batch(-5.0, 5.0),
        reduction in mean_or_sum(),
    ) {
        let options = |reduction| {
            MultilabelSoftMarginOptions { weight: Some(w.view()), reduction, grad_output: None }
        };
        let loss = multilabel_soft_margin_loss(&x, &t, &options(reduction)).unwrap();
        let fx = |x: &ArrayD<f64>| scalar(multilabel_soft_margin_loss(x, &t, &options(reduction)));
        check_grad("multilabel_soft_margin input", fx, &x, &loss.grad.input)?;
        let ft = |t: &ArrayD<f64>| scalar(multilabel_soft_margin_loss(&x, t, &options(reduction)));
        check_grad("multilabel_soft_margin target", ft, &t, &loss.grad.target)?;
        let none = multilabel_soft_margin_loss(&x, &t, &options(Reduction::None)).unwrap();
        let sum = scalar(multilabel_soft_margin_loss(&x, &t, &options(Reduction::Sum)));
        check_sum("multilabel_soft_margin", sum, &none.value)?;
        check_non_negative("multilabel_soft_margin", &none.value)?;
        // each sample's loss is the class mean of the weighted element-wise BCE with logits
        let weighted = BceWithLogitsOptions { weight: Some(w.view()), ..bcel_reduced(Reduction::None) };
        let elementwise = binary_cross_entropy_with_logits(&x, &t, &weighted).unwrap();
        let per_sample = elementwise.value.mean_axis(Axis(1)).unwrap();
        for (a, b) in none.value.iter().zip(per_sample.iter()) {
            prop_assert!(close(*a, *b), "{a} vs {b}");
        }
    }

    #[test]
    fn sigmoid_focal_gradients_match_finite_differences(
        (x, t, _, u) in batch(-5.0, 5.0),
        alpha in prop_oneof![Just(-1.0), 0.0_f64..1.0],
        gamma in prop_oneof![Just(0.0), Just(1.0), Just(2.0), 1.0_f64..4.0],
    ) {
        let options = SigmoidFocalOptions {
            alpha,
            gamma,
            reduction: Reduction::None,
            grad_output: Some(u.view()),
        };
        let loss = sigmoid_focal_loss(&x, &t, &options).unwrap();
        let plain = SigmoidFocalOptions { grad_output: None, ..options.clone() };
        let total = |x: &ArrayD<f64>, t: &ArrayD<f64>| {
            weighted_total(&sigmoid_focal_loss(x, t, &plain).unwrap().value, &u)
        };
        check_grad("sigmoid_focal input", |x| total(x, &t), &x, &loss.grad.input)?;
        check_grad("sigmoid_focal target", |t| total(&x, t), &t, &loss.grad.target)?;
        check_non_negative("sigmoid_focal", &loss.value)?;
        let summed = SigmoidFocalOptions { reduction: Reduction::Sum, ..plain.clone() };
        check_sum("sigmoid_focal", scalar(sigmoid_focal_loss(&x, &t, &summed)), &loss.value)?;
    }

    #[test]
    fn sigmoid_focal_without_focusing_or_balancing_is_bce(
        (x, t, _, _) in batch(-6.0, 6.0),
        reduction in mean_or_sum(),
    ) {
        let options = |gamma| SigmoidFocalOptions { alpha: -1.0, gamma, reduction, grad_output: None };
        let focal = sigmoid_focal_loss(&x, &t, &options(0.0)).unwrap();
        let bce = binary_cross_entropy_with_logits(&x, &t, &bcel_reduced(reduction)).unwrap();
        prop_assert!(close(focal.scalar().unwrap(), bce.scalar().unwrap()));
        for (a, b) in focal.grad.input.iter().zip(bce.grad.input.iter()) {
            prop_assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
        }
        // focusing only ever lowers the loss of each element
        let focused = scalar(sigmoid_focal_loss(&x, &t, &options(2.0)));
        prop_assert!(focused <= focal.scalar().unwrap() + 1e-12);
    }
}

#[test]
fn binary_losses_reject_bad_arguments() {
    use lossfit::LossError;
    use ndarray::array;

    let x = array![0.2_f64, 0.7];
    let err = binary_cross_entropy(&array![0.2_f64, 1.5], &x, &BceOptions::default()).unwrap_err();
    assert!(
        matches!(err, LossError::Domain { arg: "input", .. }),
        "{err}"
    );
    let err = binary_cross_entropy(&x, &array![f64::NAN, 0.0], &BceOptions::default()).unwrap_err();
    assert!(
        matches!(err, LossError::Domain { arg: "target", .. }),
        "{err}"
    );
    let wide = array![[1.0_f64, 2.0, 3.0]].into_dyn();
    let options = BceOptions {
        weight: Some(wide.view()),
        ..Default::default()
    };
    let err = binary_cross_entropy(&x, &x, &options).unwrap_err();
    assert!(
        matches!(err, LossError::Shape { arg: "weight", .. }),
        "{err}"
    );
    let err = binary_cross_entropy_with_logits(
        &x,
        &array![[0.2_f64, 0.7]],
        &BceWithLogitsOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, LossError::Shape { arg: "target", .. }),
        "{err}"
    );
    let err = multilabel_soft_margin_loss(
        &ndarray::arr0(1.0_f64),
        &ndarray::arr0(1.0_f64),
        &MultilabelSoftMarginOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, LossError::Shape { arg: "input", .. }),
        "{err}"
    );
    for (alpha, gamma) in [
        (0.25, -1.0),
        (1.5, 2.0),
        (f64::NAN, 2.0),
        (0.25, f64::INFINITY),
    ] {
        let options = SigmoidFocalOptions {
            alpha,
            gamma,
            ..Default::default()
        };
        let err = sigmoid_focal_loss(&x, &x, &options).unwrap_err();
        assert!(matches!(err, LossError::Parameter { .. }), "{err}");
    }
    let err = soft_margin_loss(&x, &array![1.0_f64], &SoftMarginOptions::default()).unwrap_err();
    assert!(
        matches!(err, LossError::Shape { arg: "target", .. }),
        "{err}"
    );
}
