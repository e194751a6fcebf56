//! Properties of the multiclass losses: `multi_margin_loss`, `softmax_focal_loss` and `kl_div`.

use lossfit::Reduction;
use lossfit::functional::{
    CrossEntropyOptions, KlDivOptions, KlReduction, MultiMarginOptions, SoftmaxFocalOptions,
    cross_entropy, kl_div, multi_margin_loss, softmax_focal_loss,
};
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use proptest::prelude::*;

use crate::support::{array, check_grad, check_non_negative, check_sum};

/// Scores (N, C), class indices (N), positive class weights (C), an upstream gradient (N).
fn scored_batch() -> impl Strategy<Value = (ArrayD<f64>, ArrayD<i64>, Array1<f64>, ArrayD<f64>)> {
    (1_usize..5, 2_usize..6).prop_flat_map(|(n, c)| {
        (
            array(&[n, c], -3.0, 3.0),
            proptest::collection::vec(0_i64..c as i64, n)
                .prop_map(move |t| ArrayD::from_shape_vec(IxDyn(&[n]), t).expect("length fits")),
            proptest::collection::vec(0.1_f64..3.0, c).prop_map(Array1::from),
            array(&[n], -2.0, 2.0),
        )
    })
}

/// Logits (N, C, S) and class indices (N, S).
fn spatial_batch() -> impl Strategy<Value = (ArrayD<f64>, ArrayD<i64>)> {
    (1_usize..4, 2_usize..5, 1_usize..3).prop_flat_map(|(n, c, s)| {
        (
            array(&[n, c, s], -4.0, 4.0),
            proptest::collection::vec(0_i64..c as i64, n * s)
                .prop_map(move |t| ArrayD::from_shape_vec(IxDyn(&[n, s]), t).expect("length fits")),
        )
    })
}

fn reductions() -> impl Strategy<Value = Reduction> {
    prop_oneof![
        Just(Reduction::None),
        Just(Reduction::Mean),
        Just(Reduction::Sum)
    ]
}

/// `sum(value * upstream)` for unreduced values, the value itself otherwise.
fn objective(value: &ArrayD<f64>, upstream: &ArrayD<f64>) -> f64 {
    if value.ndim() == 0 {
        value[[]]
    } else {
        (value * upstream).sum()
    }
}

/// Smallest distance of any hinge `margin - x[y] + x[i]` from its kink.
fn kink_distance(x: &ArrayD<f64>, t: &ArrayD<i64>, margin: f64) -> f64 {
    let mut closest = f64::INFINITY;
    for (row, &y) in x.axis_iter(Axis(0)).zip(t.iter()) {
        let target_score = row[y as usize];
        for (i, &score) in row.iter().enumerate() {
            if i != y as usize {
                closest = closest.min((margin - target_score + score).abs());
            }
        }
    }
    closest
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn multi_margin_gradient_matches_finite_differences(
        (x, t, w, u) in scored_batch(),
        squared in any::<bool>(),
        margin in -1.0_f64..2.0,
        reduction in reductions(),
    ) {
        prop_assume!(kink_distance(&x, &t, margin) > 1e-3);
        let grad_output = (reduction == Reduction::None).then(|| u.view());
        let options = MultiMarginOptions {
            p: if squared { 2.0 } else { 1.0 },
            margin,
            weight: Some(w.view()),
            reduction,
            grad_output,
        };
        let loss = multi_margin_loss(&x, &t, &options).unwrap();
        let f = |x: &ArrayD<f64>| objective(&multi_margin_loss(x, &t, &options).unwrap().value, &u);
        check_grad("multi_margin_loss", f, &x, &loss.grad.input)?;
    }

    #[test]
    fn multi_margin_reductions_and_sign((x, t, w, _u) in scored_batch(), squared in any::<bool>()) {
        let options = |reduction| MultiMarginOptions {
            p: if squared { 2.0 } else { 1.0 },
            weight: Some(w.view()),
            reduction,
            ..Default::default()
        };
        let none = multi_margin_loss(&x, &t, &options(Reduction::None)).unwrap();
        let sum = multi_margin_loss(&x, &t, &options(Reduction::Sum)).unwrap().scalar().unwrap();
        let mean = multi_margin_loss(&x, &t, &options(Reduction::Mean)).unwrap().scalar().unwrap();
        check_sum("multi_margin_loss", sum, &none.value)?;
        prop_assert!((mean * x.shape()[0] as f64 - sum).abs() <= 1e-12 * (1.0 + sum.abs()));
        check_non_negative("multi_margin_loss", &none.value)?;
        // Each row's gradient sums to zero: adding a constant to every score changes nothing.
        for row in none.grad.input.axis_iter(Axis(0)) {
            prop_assert!(row.sum().abs() <= 1e-12, "row gradient sums to {}", row.sum());
        }
    }

    #[test]
    fn softmax_focal_gradient_matches_finite_differences(
        (x, t) in spatial_batch(),
        gamma in 0.0_f64..4.0,
        reduction in reductions(),
        seed in 0_u64..1000,
    ) {
        let classes = x.shape()[1];
        let alpha = Array1::from_iter((0..classes).map(|c| 0.25 + ((seed as usize + c) % 4) as f64 * 0.5));
        let u = ArrayD::from_shape_fn(t.raw_dim(), |i| 1.0 - 0.3 * (i[0] + i[1]) as f64);
        let grad_output = (reduction == Reduction::None).then(|| u.view());
        let options = SoftmaxFocalOptions { alpha: Some(alpha.view()), gamma, reduction, grad_output };
        let loss = softmax_focal_loss(&x, &t, &options).unwrap();
        let f = |x: &ArrayD<f64>| objective(&softmax_focal_loss(x, &t, &options).unwrap().value, &u);
        check_grad("softmax_focal_loss", f, &x, &loss.grad.input)?;
    }

    #[test]
    fn softmax_focal_is_bounded_by_cross_entropy_and_equals_it_at_gamma_zero(
        (x, t) in spatial_batch(),
        gamma in 0.0_f64..4.0,
    ) {
        let classes = x.shape()[1];
        let alpha = Array1::from_iter((0..classes).map(|c| 0.5 + c as f64));
        let focal = |gamma, reduction| {
            let options = SoftmaxFocalOptions { alpha: Some(alpha.view()), gamma, reduction, grad_output: None };
            softmax_focal_loss(&x, &t, &options).unwrap()
        };
        let ce_options = |reduction| CrossEntropyOptions { weight: Some(alpha.view()), reduction, ..Default::default() };
        // gamma = 0 is alpha-weighted cross-entropy (summed: CE's mean divides by the weights).
        let ce = cross_entropy(&x, &t, &ce_options(Reduction::Sum)).unwrap();
        let plain = focal(0.0, Reduction::Sum);
        prop_assert!((plain.scalar().unwrap() - ce.scalar().unwrap()).abs() <= 1e-12 * (1.0 + ce.scalar().unwrap()));
        for (a, b) in plain.grad.input.iter().zip(ce.grad.input.iter()) {
            prop_assert!((a - b).abs() <= 1e-12, "gradient {a} vs cross-entropy {b}");
        }
        // The focal factor (1 - p)^gamma <= 1 only ever down-weights.
        let none = focal(gamma, Reduction::None);
        let ce_none = cross_entropy(&x, &t, &ce_options(Reduction::None)).unwrap();
        check_non_negative("softmax_focal_loss", &none.value)?;
        for (f, c) in none.value.iter().zip(ce_none.value.iter()) {
            prop_assert!(*f <= c + 1e-12, "focal {f} > cross-entropy {c}");
        }
        check_sum("softmax_focal_loss", focal(gamma, Reduction::Sum).scalar().unwrap(), &none.value)?;
    }

    #[test]
    fn softmax_focal_is_invariant_to_shifting_a_row((x, t) in spatial_batch(), shift in -50.0_f64..50.0) {
        let options = SoftmaxFocalOptions::<f64> { gamma: 1.5, reduction: Reduction::None, ..Default::default() };
        let base = softmax_focal_loss(&x, &t, &options).unwrap();
        let shifted = softmax_focal_loss(&(&x + shift), &t, &options).unwrap();
        for (a, b) in base.value.iter().zip(shifted.value.iter()) {
            prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a.abs()), "{a} vs {b}");
        }
        for (a, b) in base.grad.input.iter().zip(shifted.grad.input.iter()) {
            prop_assert!((a - b).abs() <= 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn kl_div_gradients_match_finite_differences(
        (x, y, u) in (1_usize..4, 1_usize..4).prop_flat_map(|(a, b)| {
            (array(&[a, b], -4.0, 1.0), array(&[a, b], 0.05, 2.0), array(&[a, b], -2.0, 2.0))
        }),
        log_target in any::<bool>(),
        reduction in prop_oneof![
            Just(KlReduction::None), Just(KlReduction::Mean), Just(KlReduction::Sum), Just(KlReduction::BatchMean),
        ],
    ) {
        // log targets: use ln(y) so both parametrisations see the same distributions
        let target = if log_target { y.mapv(f64::ln) } else { y };
        let grad_output = (reduction == KlReduction::None).then(|| u.view());
        let options = KlDivOptions { reduction, log_target, grad_output };
        let loss = kl_div(&x, &target, &options).unwrap();
        let value = |x: &ArrayD<f64>, t: &ArrayD<f64>| objective(&kl_div(x, t, &options).unwrap().value, &u);
        check_grad("kl_div input", |x| value(x, &target), &x, &loss.grad.input)?;
        check_grad("kl_div target", |t| value(&x, t), &target, &loss.grad.target)?;
    }

    #[test]
    fn kl_div_reductions_and_gibbs_inequality(
        (logits_q, logits_p) in (1_usize..5, 2_usize..6).prop_flat_map(|(n, c)| {
            (array(&[n, c], -3.0, 3.0), array(&[n, c], -3.0, 3.0))
        }),
        log_target in any::<bool>(),
    ) {
        let log_softmax = |z: &ArrayD<f64>| {
            let lse = z.map_axis(Axis(1), |row| row.iter().map(|v| v.exp()).sum::<f64>().ln());
            z - &lse.insert_axis(Axis(1))
        };
        let (log_q, log_p) = (log_softmax(&logits_q), log_softmax(&logits_p));
        let target = if log_target { log_p.clone() } else { log_p.mapv(f64::exp) };
        let run = |reduction| {
            kl_div(&log_q, &target, &KlDivOptions { reduction, log_target, grad_output: None })
                .unwrap()
                .value
        };
        let none = run(KlReduction::None);
        let sum = run(KlReduction::Sum)[[]];
        check_sum("kl_div", sum, &none)?;
        let tol = 1e-12 * (1.0 + sum.abs());
        prop_assert!((run(KlReduction::Mean)[[]] * none.len() as f64 - sum).abs() <= tol);
        let batch_mean = run(KlReduction::BatchMean)[[]];
        prop_assert!((batch_mean * log_q.shape()[0] as f64 - sum).abs() <= tol);
        // Gibbs: the divergence between two distributions is >= 0, 0 against itself.
        prop_assert!(batch_mean >= -1e-12, "KL(p || q) = {batch_mean} < 0");
        let same = kl_div(&log_p, &target, &KlDivOptions { reduction: KlReduction::BatchMean, log_target, grad_output: None }).unwrap();
        prop_assert!(same.scalar().unwrap().abs() <= 1e-12);
    }
}

/// Bad shapes, indices and hyperparameters are errors that name the argument, never panics.
#[test]
fn multiclass_losses_reject_bad_input() {
    use lossfit::LossError;
    use ndarray::array;

    let x = array![[0.5_f64, -0.2, 1.0], [0.1, 0.3, -0.4]];
    let t = array![0_i64, 2];
    let margin = |options: &MultiMarginOptions<'_, f64>, x: &ArrayD<f64>, t: &ArrayD<i64>| {
        multi_margin_loss(x, t, options).unwrap_err()
    };
    let (xd, td) = (x.clone().into_dyn(), t.clone().into_dyn());
    let p3 = MultiMarginOptions {
        p: 3.0,
        ..Default::default()
    };
    assert!(matches!(
        margin(&p3, &xd, &td),
        LossError::Parameter { param: "p", .. }
    ));
    let nan_margin = MultiMarginOptions {
        margin: f64::NAN,
        ..Default::default()
    };
    assert!(matches!(
        margin(&nan_margin, &xd, &td),
        LossError::Parameter {
            param: "margin",
            ..
        }
    ));
    let spatial = ArrayD::<f64>::zeros(IxDyn(&[2, 3, 4]));
    let spatial_t = ArrayD::<i64>::zeros(IxDyn(&[2, 4]));
    let defaults = MultiMarginOptions::default();
    assert!(matches!(
        margin(&defaults, &spatial, &spatial_t),
        LossError::Shape { arg: "input", .. }
    ));
    let no_classes = ArrayD::<f64>::zeros(IxDyn(&[2, 0]));
    assert!(matches!(
        margin(&defaults, &no_classes, &td),
        LossError::Shape { arg: "input", .. }
    ));
    let bad_t = array![[0_i64], [1]].into_dyn();
    assert!(matches!(
        margin(&defaults, &xd, &bad_t),
        LossError::Shape { arg: "target", .. }
    ));
    let out_of_range = array![0_i64, 3].into_dyn();
    assert!(matches!(
        margin(&defaults, &xd, &out_of_range),
        LossError::ClassIndex { value: 3, .. }
    ));
    let w = array![1.0, 2.0];
    let short_weight = MultiMarginOptions {
        weight: Some(w.view()),
        ..Default::default()
    };
    assert!(matches!(
        margin(&short_weight, &xd, &td),
        LossError::Shape { arg: "weight", .. }
    ));
    let row = array![0.5_f64, -0.2, 1.0];
    let two_targets = array![0_i64, 1];
    assert!(multi_margin_loss(&row, &two_targets, &defaults).is_err());
    assert!(multi_margin_loss(&row, &array![1_i64], &defaults).is_ok());

    let focal = |options: &SoftmaxFocalOptions<'_, f64>| softmax_focal_loss(&x, &t, options);
    let negative = SoftmaxFocalOptions {
        gamma: -0.5,
        ..Default::default()
    };
    assert!(matches!(
        focal(&negative).unwrap_err(),
        LossError::Parameter { param: "gamma", .. }
    ));
    let infinite = SoftmaxFocalOptions {
        gamma: f64::INFINITY,
        ..Default::default()
    };
    assert!(matches!(
        focal(&infinite).unwrap_err(),
        LossError::Parameter { param: "gamma", .. }
    ));
    let short_alpha = SoftmaxFocalOptions {
        alpha: Some(w.view()),
        ..Default::default()
    };
    assert!(matches!(
        focal(&short_alpha).unwrap_err(),
        LossError::Shape { arg: "alpha", .. }
    ));
    assert!(matches!(
        softmax_focal_loss(&x, &array![0_i64, -1], &SoftmaxFocalOptions::default()).unwrap_err(),
        LossError::ClassIndex { value: -1, .. }
    ));

    let kl = kl_div(&x, &array![0.5_f64, 0.5], &KlDivOptions::default()).unwrap_err();
    assert!(matches!(kl, LossError::Shape { arg: "target", .. }));
    let upstream = array![1.0_f64, 2.0];
    let wrong_upstream = KlDivOptions {
        reduction: KlReduction::None,
        grad_output: Some(upstream.view().into_dyn()),
        ..Default::default()
    };
    assert!(matches!(
        kl_div(&x, &x, &wrong_upstream).unwrap_err(),
        LossError::Shape {
            arg: "grad_output",
            ..
        }
    ));
}

/// The edge cases documented on the functions.
#[test]
fn multiclass_edge_cases() {
    use ndarray::array;

    // kl_div: 0 log 0 = 0 in the value, NaN in the target gradient; batchmean of a 0-d input is
    // its value.
    let loss = kl_div(
        &array![-1.0_f64, -2.0],
        &array![0.0, 0.5],
        &KlDivOptions {
            reduction: KlReduction::None,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(loss.value[[0]], 0.0);
    assert!(loss.grad.target[[0]].is_nan());
    assert!((loss.grad.target[[1]] - (0.5_f64.ln() + 1.0 + 2.0)).abs() < 1e-15);
    let scalar = ndarray::arr0(-0.5_f64);
    let target = ndarray::arr0(0.25_f64);
    let batch_mean = kl_div(
        &scalar,
        &target,
        &KlDivOptions {
            reduction: KlReduction::BatchMean,
            ..Default::default()
        },
    )
    .unwrap();
    let sum = kl_div(
        &scalar,
        &target,
        &KlDivOptions {
            reduction: KlReduction::Sum,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(batch_mean, sum);

    // softmax focal: p == 1 exactly gives a zero loss and gradient for 0 < gamma < 1
    let certain = array![[1e4_f64, 0.0, -1.0]];
    let options = SoftmaxFocalOptions {
        gamma: 0.5,
        ..Default::default()
    };
    let loss = softmax_focal_loss(&certain, &array![0_i64], &options).unwrap();
    assert_eq!(loss.scalar(), Some(0.0));
    assert!(loss.grad.input.iter().all(|g| *g == 0.0));

    // multi_margin: at the kink the hinge is inactive; a NaN score is inactive too (PyTorch)
    let kink = array![[1.0_f64, 0.0, f64::NAN]];
    let loss = multi_margin_loss(&kink, &array![0_i64], &MultiMarginOptions::default()).unwrap();
    assert_eq!(loss.scalar(), Some(0.0));
    assert!(loss.grad.input.iter().all(|g| *g == 0.0));
}
