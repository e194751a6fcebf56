//! Properties of `cross_entropy`, `nll_loss` and `mse_loss`.

use lossfit::Reduction;
use lossfit::functional::{
    CrossEntropyOptions, MseOptions, NllOptions, cross_entropy, cross_entropy_probs, mse_loss,
    nll_loss,
};
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use proptest::prelude::*;

use crate::support::{array, check_grad, check_non_negative, check_sum};

/// Logits (N, C, S), class indices (N, S) with some ignored, weights (C).
fn class_batch() -> impl Strategy<Value = (ArrayD<f64>, ArrayD<i64>, Array1<f64>)> {
    (1_usize..4, 2_usize..5, 1_usize..3).prop_flat_map(|(n, c, s)| {
        (
            array(&[n, c, s], -4.0, 4.0),
            proptest::collection::vec(-1_i64..c as i64, n * s).prop_map(move |t| {
                let t = t
                    .into_iter()
                    .map(|v| if v < 0 { -100 } else { v })
                    .collect();
                ArrayD::from_shape_vec(IxDyn(&[n, s]), t).expect("length fits")
            }),
            proptest::collection::vec(0.1_f64..3.0, c).prop_map(Array1::from),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cross_entropy_gradient_matches_finite_differences(
        (x, t, w) in class_batch(),
        eps in 0.0_f64..1.0,
        reduction in prop_oneof![Just(Reduction::Mean), Just(Reduction::Sum)],
    ) {
        // Skip the all-ignored batch: its mean is NaN by definition.
        prop_assume!(t.iter().any(|&v| v != -100));
        let options = CrossEntropyOptions {
            weight: Some(w.view()),
            label_smoothing: eps,
            reduction,
            ..Default::default()
        };
        let f = |x: &ArrayD<f64>| cross_entropy(x, &t, &options).unwrap().scalar().unwrap();
        let loss = cross_entropy(&x, &t, &options).unwrap();
        check_grad("cross_entropy", f, &x, &loss.grad.input)?;
    }

    #[test]
    fn cross_entropy_probs_gradients_match_finite_differences(
        (x, p) in (1_usize..4, 2_usize..5).prop_flat_map(|(n, c)| {
            (array(&[n, c], -3.0, 3.0), array(&[n, c], 0.0, 1.0))
        }),
        eps in 0.0_f64..0.5,
    ) {
        let w = Array1::from_iter((0..x.shape()[1]).map(|c| 0.5 + c as f64));
        let options = CrossEntropyOptions { weight: Some(w.view()), label_smoothing: eps, ..Default::default() };
        let loss = cross_entropy_probs(&x, &p, &options).unwrap();
        let fx = |x: &ArrayD<f64>| cross_entropy_probs(x, &p, &options).unwrap().scalar().unwrap();
        check_grad("cross_entropy_probs input", fx, &x, &loss.grad.input)?;
        let fp = |p: &ArrayD<f64>| cross_entropy_probs(&x, p, &options).unwrap().scalar().unwrap();
        check_grad("cross_entropy_probs target", fp, &p, &loss.grad.target)?;
    }

    #[test]
    fn cross_entropy_is_invariant_to_shifting_a_row((x, t, w) in class_batch(), shift in -50.0_f64..50.0) {
        let options = CrossEntropyOptions { weight: Some(w.view()), label_smoothing: 0.1, reduction: Reduction::None, ..Default::default() };
        let base = cross_entropy(&x, &t, &options).unwrap();
        let shifted = cross_entropy(&(&x + shift), &t, &options).unwrap();
        for (a, b) in base.value.iter().zip(shifted.value.iter()) {
            prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a.abs()), "{a} vs {b}");
        }
        for (a, b) in base.grad.input.iter().zip(shifted.grad.input.iter()) {
            prop_assert!((a - b).abs() <= 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn cross_entropy_sum_is_the_sum_of_none_and_non_negative((x, t, w) in class_batch(), eps in 0.0_f64..1.0) {
        let options = |reduction| CrossEntropyOptions { weight: Some(w.view()), label_smoothing: eps, reduction, ..Default::default() };
        let none = cross_entropy(&x, &t, &options(Reduction::None)).unwrap();
        let sum = cross_entropy(&x, &t, &options(Reduction::Sum)).unwrap();
        check_sum("cross_entropy", sum.scalar().unwrap(), &none.value)?;
        check_non_negative("cross_entropy", &none.value)?;
    }

    #[test]
    fn nll_gradient_and_reductions((x, t, w) in class_batch()) {
        prop_assume!(t.iter().any(|&v| v != -100));
        let log_p = {
            let lse = x.map_axis(Axis(1), |row| row.iter().map(|v| v.exp()).sum::<f64>().ln());
            &x - &lse.insert_axis(Axis(1))
        };
        let options = |reduction| NllOptions { weight: Some(w.view()), reduction, ..Default::default() };
        let mean = nll_loss(&log_p, &t, &options(Reduction::Mean)).unwrap();
        let f = |x: &ArrayD<f64>| nll_loss(x, &t, &options(Reduction::Mean)).unwrap().scalar().unwrap();
        check_grad("nll_loss", f, &log_p, &mean.grad.input)?;
        let none = nll_loss(&log_p, &t, &options(Reduction::None)).unwrap();
        let sum = nll_loss(&log_p, &t, &options(Reduction::Sum)).unwrap();
        check_sum("nll_loss", sum.scalar().unwrap(), &none.value)?;
        check_non_negative("nll_loss", &none.value)?;
    }

    #[test]
    fn mse_gradients_reductions_and_sign(
        (x, y, u) in (1_usize..5, 1_usize..4).prop_flat_map(|(a, b)| {
            (array(&[a, b], -5.0, 5.0), array(&[a, b], -5.0, 5.0), array(&[a, b], -2.0, 2.0))
        }),
    ) {
        // None with an upstream gradient: the gradient of sum(value * upstream)
        let options = MseOptions { reduction: Reduction::None, grad_output: Some(u.view()) };
        let loss = mse_loss(&x, &y, &options).unwrap();
        let objective = |x: &ArrayD<f64>, y: &ArrayD<f64>| {
            (&mse_loss(x, y, &options).unwrap().value * &u).sum()
        };
        check_grad("mse_loss input", |x| objective(x, &y), &x, &loss.grad.input)?;
        check_grad("mse_loss target", |y| objective(&x, y), &y, &loss.grad.target)?;
        let sum = mse_loss(&x, &y, &MseOptions { reduction: Reduction::Sum, grad_output: None }).unwrap();
        check_sum("mse_loss", sum.scalar().unwrap(), &loss.value)?;
        check_non_negative("mse_loss", &loss.value)?;
    }
}
