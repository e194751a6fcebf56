//! Properties of the regression losses: `l1_loss`, `smooth_l1_loss`, `huber_loss`, `poisson_nll_loss`
//! and `gaussian_nll_loss`.

use lossfit::Reduction;
use lossfit::functional::{
    GaussianNllOptions, HuberOptions, L1Options, PoissonNllOptions, SmoothL1Options,
    gaussian_nll_loss, gaussian_nll_loss_scalar_var, huber_loss, l1_loss, poisson_nll_loss,
    smooth_l1_loss,
};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

use crate::support::{array, check_grad, check_non_negative, check_sum};

/// Predictions, targets and an upstream gradient of one random 2-D shape.
fn regression_batch() -> impl Strategy<Value = (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>)> {
    (1_usize..5, 1_usize..4).prop_flat_map(|(a, b)| {
        (
            array(&[a, b], -4.0, 4.0),
            array(&[a, b], -4.0, 4.0),
            array(&[a, b], -2.0, 2.0),
        )
    })
}

/// As [`regression_batch`], plus a fourth array of the same shape with entries in `lo..hi`
/// (weights, counts).
fn regression_batch_and(
    lo: f64,
    hi: f64,
) -> impl Strategy<Value = (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>, ArrayD<f64>)> {
    (1_usize..5, 1_usize..4).prop_flat_map(move |(a, b)| {
        (
            array(&[a, b], -4.0, 4.0),
            array(&[a, b], -4.0, 4.0),
            array(&[a, b], -2.0, 2.0),
            array(&[a, b], lo, hi),
        )
    })
}

/// Whether every difference `x - y` is at least `margin` away from each of `kinks` (finite
/// differences are only meaningful where the loss is smooth).
fn away_from_kinks(x: &ArrayD<f64>, y: &ArrayD<f64>, kinks: &[f64], margin: f64) -> bool {
    x.iter()
        .zip(y)
        .all(|(a, b)| kinks.iter().all(|k| ((a - b).abs() - k).abs() > margin))
}

/// `sum(value * upstream)`: the objective whose gradient a `Reduction::None` loss returns.
fn weighted_total(value: &ArrayD<f64>, upstream: &ArrayD<f64>) -> f64 {
    (value * upstream).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn l1_gradients_reductions_and_sign(
        (x, y, u, w) in regression_batch_and(0.0, 3.0),
    ) {
        prop_assume!(away_from_kinks(&x, &y, &[0.0], 1e-3));
        let options = |reduction, grad_output| L1Options {
            weight: Some(w.view()),
            reduction,
            grad_output,
        };
        let none = l1_loss(&x, &y, &options(Reduction::None, Some(u.view()))).unwrap();
        let f = |x: &ArrayD<f64>, y: &ArrayD<f64>| {
            weighted_total(&l1_loss(x, y, &options(Reduction::None, None)).unwrap().value, &u)
        };
        check_grad("l1_loss input", |x| f(x, &y), &x, &none.grad.input)?;
        check_grad("l1_loss target", |y| f(&x, y), &y, &none.grad.target)?;
        let sum = l1_loss(&x, &y, &options(Reduction::Sum, None)).unwrap();
        check_sum("l1_loss", sum.scalar().unwrap(), &none.value)?;
        check_non_negative("l1_loss", &none.value)?;
        // The weighted mean divides by the summed weight.
        prop_assume!(w.sum() > 0.0);
        let mean = l1_loss(&x, &y, &options(Reduction::Mean, None)).unwrap();
        let expected = sum.scalar().unwrap() / w.sum();
        prop_assert!((mean.scalar().unwrap() - expected).abs() <= 1e-12 * (1.0 + expected.abs()));
    }

    #[test]
    fn smooth_l1_gradients_reductions_and_sign(
        (x, y, u) in regression_batch(),
        beta in 0.1_f64..3.0,
        reduction in prop_oneof![Just(Reduction::Mean), Just(Reduction::Sum)],
    ) {
        prop_assume!(away_from_kinks(&x, &y, &[beta], 1e-3));
        let options = |reduction| SmoothL1Options { beta, reduction, grad_output: None };
        let reduced = smooth_l1_loss(&x, &y, &options(reduction)).unwrap();
        let f = |x: &ArrayD<f64>, y: &ArrayD<f64>| {
            smooth_l1_loss(x, y, &options(reduction)).unwrap().scalar().unwrap()
        };
        check_grad("smooth_l1_loss input", |x| f(x, &y), &x, &reduced.grad.input)?;
        check_grad("smooth_l1_loss target", |y| f(&x, y), &y, &reduced.grad.target)?;
        let none = smooth_l1_loss(&x, &y, &SmoothL1Options {
            beta,
            reduction: Reduction::None,
            grad_output: Some(u.view()),
        }).unwrap();
        let sum = smooth_l1_loss(&x, &y, &options(Reduction::Sum)).unwrap();
        check_sum("smooth_l1_loss", sum.scalar().unwrap(), &none.value)?;
        check_non_negative("smooth_l1_loss", &none.value)?;
    }

    #[test]
    fn smooth_l1_is_huber_over_beta_and_l1_at_zero(
        (x, y, _u) in regression_batch(),
        beta in 0.1_f64..3.0,
    ) {
        let none = Reduction::None;
        let smooth = smooth_l1_loss(&x, &y, &SmoothL1Options { beta, reduction: none, grad_output: None }).unwrap();
        let huber = huber_loss(&x, &y, &HuberOptions { delta: beta, reduction: none, ..Default::default() }).unwrap();
        for (s, h) in smooth.value.iter().zip(&huber.value) {
            prop_assert!((s * beta - h).abs() <= 1e-12 * (1.0 + h.abs()), "{s} * {beta} vs {h}");
        }
        for (s, h) in smooth.grad.input.iter().zip(&huber.grad.input) {
            prop_assert!((s * beta - h).abs() <= 1e-12 * (1.0 + h.abs()), "{s} * {beta} vs {h}");
        }
        let zero = smooth_l1_loss(&x, &y, &SmoothL1Options { beta: 0.0, reduction: none, grad_output: None }).unwrap();
        let l1 = l1_loss(&x, &y, &L1Options { reduction: none, ..Default::default() }).unwrap();
        prop_assert_eq!(zero, l1);
    }

    #[test]
    fn huber_gradients_reductions_and_sign(
        (x, y, u, w) in regression_batch_and(0.0, 3.0),
        delta in 0.1_f64..3.0,
    ) {
        prop_assume!(away_from_kinks(&x, &y, &[delta], 1e-3));
        let options = |reduction, grad_output| HuberOptions {
            delta,
            weight: Some(w.view()),
            reduction,
            grad_output,
        };
        let none = huber_loss(&x, &y, &options(Reduction::None, Some(u.view()))).unwrap();
        let f = |x: &ArrayD<f64>, y: &ArrayD<f64>| {
            weighted_total(&huber_loss(x, y, &options(Reduction::None, None)).unwrap().value, &u)
        };
        check_grad("huber_loss input", |x| f(x, &y), &x, &none.grad.input)?;
        check_grad("huber_loss target", |y| f(&x, y), &y, &none.grad.target)?;
        let sum = huber_loss(&x, &y, &options(Reduction::Sum, None)).unwrap();
        check_sum("huber_loss", sum.scalar().unwrap(), &none.value)?;
        check_non_negative("huber_loss", &none.value)?;
        // The weighted mean divides by the element count, as PyTorch.
        let mean = huber_loss(&x, &y, &options(Reduction::Mean, None)).unwrap();
        let expected = sum.scalar().unwrap() / x.len() as f64;
        prop_assert!((mean.scalar().unwrap() - expected).abs() <= 1e-12 * (1.0 + expected.abs()));
    }

    #[test]
    fn poisson_nll_gradients_and_reductions(
        (x, _y, u, t) in regression_batch_and(0.0, 20.0),
        log_input in any::<bool>(),
        full in any::<bool>(),
        eps in 1e-8_f64..0.5,
    ) {
        // Stirling's term switches on at t = 1 (a jump) and its gradient is NaN at t <= 0.
        prop_assume!(t.iter().all(|&ti| (ti - 1.0).abs() > 1e-3 && ti > 1e-3));
        // Rates must be positive when they are not logs.
        let x = if log_input { x } else { x.mapv(|v| v.abs() + 0.1) };
        let options = |reduction, grad_output| PoissonNllOptions {
            log_input,
            full,
            eps,
            reduction,
            grad_output,
        };
        let none = poisson_nll_loss(&x, &t, &options(Reduction::None, Some(u.view()))).unwrap();
        let f = |x: &ArrayD<f64>, t: &ArrayD<f64>| {
            weighted_total(&poisson_nll_loss(x, t, &options(Reduction::None, None)).unwrap().value, &u)
        };
        check_grad("poisson_nll_loss input", |x| f(x, &t), &x, &none.grad.input)?;
        check_grad("poisson_nll_loss target", |t| f(&x, t), &t, &none.grad.target)?;
        let sum = poisson_nll_loss(&x, &t, &options(Reduction::Sum, None)).unwrap();
        check_sum("poisson_nll_loss", sum.scalar().unwrap(), &none.value)?;
    }

    #[test]
    fn gaussian_nll_gradients_for_every_var_layout(
        (x, y, u) in regression_batch(),
        layout in 0_usize..4,
        v in array(&[4, 3], 0.05, 3.0),
        full in any::<bool>(),
    ) {
        let (a, b) = (x.shape()[0], x.shape()[1]);
        // Heteroscedastic, per row, per row with a kept dimension, per column.
        let var_shape = [vec![a, b], vec![a], vec![a, 1], vec![1, b]][layout].clone();
        let count = var_shape.iter().product();
        let var = ArrayD::from_shape_vec(IxDyn(&var_shape), v.iter().copied().take(count).collect())
            .unwrap();
        let options = |reduction, grad_output| GaussianNllOptions {
            full,
            eps: 1e-6,
            reduction,
            grad_output,
        };
        let none = gaussian_nll_loss(&x, &y, &var, &options(Reduction::None, Some(u.view()))).unwrap();
        let f = |x: &ArrayD<f64>, y: &ArrayD<f64>, var: &ArrayD<f64>| {
            let value = gaussian_nll_loss(x, y, var, &options(Reduction::None, None)).unwrap().value;
            weighted_total(&value, &u)
        };
        check_grad("gaussian_nll_loss input", |x| f(x, &y, &var), &x, &none.grad.input)?;
        check_grad("gaussian_nll_loss target", |y| f(&x, y, &var), &y, &none.grad.target)?;
        check_grad("gaussian_nll_loss var", |var| f(&x, &y, var), &var, &none.grad.var)?;
        let sum = gaussian_nll_loss(&x, &y, &var, &options(Reduction::Sum, None)).unwrap();
        check_sum("gaussian_nll_loss", sum.scalar().unwrap(), &none.value)?;
    }

    #[test]
    fn gaussian_nll_scalar_var_is_a_constant_var_tensor(
        (x, y, _u) in regression_batch(),
        var in 0.0_f64..3.0,
        eps in 0.0_f64..0.5,
    ) {
        let options = GaussianNllOptions { eps, reduction: Reduction::None, ..Default::default() };
        let scalar = gaussian_nll_loss_scalar_var(&x, &y, var, &options).unwrap();
        let tensor = gaussian_nll_loss(&x, &y, &x.mapv(|_| var), &options).unwrap();
        prop_assert_eq!(scalar.value, tensor.value);
        prop_assert_eq!(scalar.grad.input, tensor.grad.input);
        prop_assert_eq!(scalar.grad.target, tensor.grad.target);
    }
}

#[test]
fn invalid_parameters_and_shapes_are_errors() {
    use lossfit::LossError;
    let x = ndarray::array![[1.0_f64, 2.0], [3.0, 4.0]];
    let smooth = SmoothL1Options::<f64> {
        beta: -1.0,
        ..Default::default()
    };
    assert!(matches!(
        smooth_l1_loss(&x, &x, &smooth),
        Err(LossError::Parameter { .. })
    ));
    for delta in [0.0, -1.0, f64::NAN] {
        let huber = HuberOptions::<f64> {
            delta,
            ..Default::default()
        };
        assert!(matches!(
            huber_loss(&x, &x, &huber),
            Err(LossError::Parameter { .. })
        ));
    }
    let w = ndarray::array![1.0_f64, 2.0];
    let l1 = L1Options {
        weight: Some(w.view().into_dyn()),
        ..Default::default()
    };
    assert!(matches!(l1_loss(&x, &x, &l1), Err(LossError::Shape { .. })));
    let poisson = PoissonNllOptions::<f64> {
        log_input: false,
        eps: -1.0,
        ..Default::default()
    };
    assert!(matches!(
        poisson_nll_loss(&x, &x, &poisson),
        Err(LossError::Parameter { .. })
    ));
    let gaussian = GaussianNllOptions::<f64>::default();
    let negative = ndarray::array![1.0_f64, -0.5];
    match gaussian_nll_loss(&x, &x, &negative, &gaussian) {
        Err(LossError::Domain { arg, position, .. }) => {
            assert_eq!((arg, position), ("var", vec![1]));
        }
        other => panic!("expected a domain error, got {other:?}"),
    }
    for bad in [vec![4_usize], vec![1, 1], vec![2, 2, 1], vec![], vec![3, 2]] {
        let var = ArrayD::<f64>::ones(IxDyn(&bad));
        assert!(
            matches!(
                gaussian_nll_loss(&x, &x, &var, &gaussian),
                Err(LossError::Shape { .. })
            ),
            "var shape {bad:?} must be rejected for a [2, 2] input"
        );
    }
    assert!(matches!(
        gaussian_nll_loss_scalar_var(&x, &x, -1.0, &gaussian),
        Err(LossError::Parameter { .. })
    ));
}
