//! The fused kernels behind the functional losses: every SIMD path agrees (to the last bit or
//! two), results do not depend on the thread count, and the
//! `_into`, `_in_place` and allocating forms agree bit for bit, on plain and awkward inputs
//! (non-finite logits, ignored targets, weights, smoothing, spatial layouts, strided views,
//! sizes around the SIMD width and the parallel threshold).

use lossfit::functional::{
    BceWithLogitsOptions, CrossEntropyOptions, HuberOptions, L1Options, MseOptions,
    SigmoidFocalOptions, SmoothL1Options, binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_in_place, binary_cross_entropy_with_logits_into,
    cross_entropy, cross_entropy_in_place, cross_entropy_into, cross_entropy_probs,
    cross_entropy_value, huber_loss, huber_loss_into, l1_loss, l1_loss_into, mse_loss,
    mse_loss_in_place, mse_loss_into, sigmoid_focal_loss, sigmoid_focal_loss_into, smooth_l1_loss,
    smooth_l1_loss_into,
};
use lossfit::kernels::{Backend, with_backend};
use lossfit::{InputGrad, Loss, LossError, Reduction};
use ndarray::{Array, Array1, Array2, ArrayD, IxDyn, s};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn normal(&mut self) -> f32 {
        // Sum of uniforms: close enough to Gaussian for inputs.
        ((0..4).map(|_| self.unit()).sum::<f64>() - 2.0) as f32 * 2.0
    }

    fn logits(&mut self, shape: &[usize]) -> ArrayD<f32> {
        ArrayD::from_shape_fn(IxDyn(shape), |_| self.normal())
    }

    fn classes(&mut self, n: usize, c: usize, ignore: Option<i64>) -> Array1<i64> {
        Array1::from_shape_fn(n, |_| match ignore {
            Some(ii) if self.unit() < 0.1 => ii,
            _ => (self.unit() * c as f64) as i64 % c as i64,
        })
    }
}

fn backends() -> Vec<Backend> {
    Backend::ALL
        .into_iter()
        .filter(|b| b.is_supported())
        .collect()
}

/// `f` on every backend; all must agree within `close` (the paths round differently in the last
/// bit or two: FMA or not, the AVX-512 `exp` and dot products).
fn agree<R: std::fmt::Debug>(what: &str, f: impl Fn() -> R, close: impl Fn(&R, &R) -> bool) {
    let results: Vec<(Backend, R)> = backends()
        .into_iter()
        .map(|b| (b, with_backend(b, &f).expect("supported")))
        .collect();
    let (first_backend, first) = &results[0];
    for (backend, result) in &results[1..] {
        assert!(
            close(first, result),
            "{what}: {backend} differs from {first_backend}:\n{first:?}\n{result:?}"
        );
    }
}

/// Equal up to a few ulp of each element, or of the array's largest element where terms cancel
/// (a gradient that is a difference of two near-equal products).
fn close_arrays(a: &ArrayD<f32>, b: &ArrayD<f32>) -> bool {
    let scale = a
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f32, |m, v| m.max(v.abs()));
    a.shape() == b.shape()
        && a.iter().zip(b).all(|(&x, &y)| {
            (x.is_nan() && y.is_nan())
                || x == y
                || (x - y).abs() <= 1e-6 * (x.abs().max(y.abs()) + scale) + 1e-9
        })
}

fn close_loss(a: &Loss<f32, InputGrad<f32>>, b: &Loss<f32, InputGrad<f32>>) -> bool {
    close_arrays(&a.value, &b.value) && close_arrays(&a.grad.input, &b.grad.input)
}

fn ce_options(
    weight: Option<&Array1<f32>>,
    smoothing: f64,
    reduction: Reduction,
) -> CrossEntropyOptions<'_, f32> {
    CrossEntropyOptions {
        weight: weight.map(|w| w.view()),
        label_smoothing: smoothing,
        reduction,
        ..Default::default()
    }
}

#[test]
fn cross_entropy_agrees_across_backends_and_forms() {
    let mut rng = Rng(7);
    // Widths around the 16-lane chunk, the 256-element block, and a long row.
    for (n, c) in [
        (3, 1),
        (5, 15),
        (4, 16),
        (7, 17),
        (9, 255),
        (2, 257),
        (3, 4099),
        (70, 1000),
    ] {
        let x = rng.logits(&[n, c]);
        let t = rng.classes(n, c, Some(-100));
        let w = Array1::from_shape_fn(c, |_| 0.5 + rng.unit() as f32);
        for (weight, smoothing, reduction) in [
            (None, 0.0, Reduction::Mean),
            (Some(&w), 0.1, Reduction::Mean),
            (Some(&w), 0.0, Reduction::Sum),
            (None, 0.2, Reduction::None),
        ] {
            let options = ce_options(weight, smoothing, reduction);
            let what = format!("ce ({n}, {c}) {reduction:?} smoothing {smoothing}");
            agree(
                &what,
                || cross_entropy(&x, &t, &options).unwrap(),
                close_loss,
            );
            let full = cross_entropy(&x, &t, &options).unwrap();
            let mut grad = ArrayD::from_elem(x.raw_dim(), f32::NAN);
            let value = cross_entropy_into(&x, &t, &options, &mut grad).unwrap();
            assert_eq!(
                (&value, &grad),
                (&full.value, &full.grad.input),
                "{what}: into"
            );
            let mut in_place = x.clone();
            let value = cross_entropy_in_place(&mut in_place, &t, &options).unwrap();
            assert_eq!(
                (&value, &in_place),
                (&full.value, &full.grad.input),
                "{what}: in place"
            );
            let value = cross_entropy_value(&x, &t, &options).unwrap();
            assert_eq!(value, full.value, "{what}: value only");
        }
    }
}

#[test]
fn cross_entropy_handles_non_finite_logits_like_pytorch() {
    let mut rng = Rng(11);
    let mut x = rng.logits(&[6, 300]);
    x[[0, 5]] = f32::NEG_INFINITY; // a masked class: probability 0, finite loss
    x.slice_mut(s![1, ..260]).fill(f32::NEG_INFINITY); // a whole block masked
    x[[2, 7]] = f32::NAN; // NaN poisons its row only
    x[[3, 9]] = f32::INFINITY; // +inf gives NaN, as log_softmax does
    x.slice_mut(s![4, ..]).mapv_inplace(|v| v * 1e4); // huge logits stay finite
    let t = Array1::from_vec(vec![1_i64, 280, 3, 9, 0, 2]);
    let options = ce_options(None, 0.0, Reduction::None);
    for backend in backends() {
        let loss = with_backend(backend, || cross_entropy(&x, &t, &options).unwrap()).unwrap();
        let (v, g) = (&loss.value, &loss.grad.input);
        assert!(
            v[[0]].is_finite() && g[[0, 5]] == 0.0,
            "{backend}: masked class"
        );
        assert!(v[[1]].is_finite() && g.slice(s![1, ..260]).iter().all(|&e| e == 0.0));
        assert!(
            v[[2]].is_nan() && g.slice(s![2, ..]).iter().all(|e| e.is_nan()),
            "{backend}"
        );
        assert!(v[[3]].is_nan(), "{backend}: +inf logit");
        assert!(v[[4]].is_finite() && g.slice(s![4, ..]).iter().all(|e| e.is_finite()));
        assert!(
            v[[5]].is_finite(),
            "{backend}: rows after a NaN row are unaffected"
        );
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut rng = Rng(3);
    // Above the parallel threshold (65,536 elements), with an uneven last chunk.
    let x = rng.logits(&[301, 997]);
    let t = rng.classes(301, 997, Some(-100));
    let y = rng.logits(&[301, 997]);
    let options = ce_options(None, 0.1, Reduction::Mean);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            (
                cross_entropy(&x, &t, &options).unwrap(),
                mse_loss(&x, &y, &MseOptions::default()).unwrap(),
            )
        })
    };
    let one = run(1);
    for threads in [2, 3, 8] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}

#[test]
fn spatial_and_strided_inputs_match_their_contiguous_copies() {
    let mut rng = Rng(5);
    // (N, C, d1, d2): classes strided by d1 * d2.
    let x = rng.logits(&[2, 5, 3, 4]);
    let t = ArrayD::from_shape_fn(IxDyn(&[2, 3, 4]), |_| (rng.unit() * 5.0) as i64);
    let options = ce_options(None, 0.1, Reduction::Mean);
    let loss = cross_entropy(&x, &t, &options).unwrap();
    let mut in_place = x.clone();
    let value = cross_entropy_in_place(&mut in_place, &t, &options).unwrap();
    assert_eq!(
        (value, in_place),
        (loss.value.clone(), loss.grad.input.clone())
    );
    // The same loss on the transposed, contiguous (positions, C) layout.
    let rows = x
        .view()
        .permuted_axes(IxDyn(&[0, 2, 3, 1]))
        .as_standard_layout()
        .into_owned();
    let rows = rows.into_shape_with_order((24, 5)).unwrap();
    let flat_t = t.iter().copied().collect::<Array1<i64>>();
    let flat = cross_entropy(&rows, &flat_t, &options).unwrap();
    assert!(close_arrays(&flat.value, &loss.value));

    // A transposed (non-standard-layout) view and gradient buffer.
    let base: Array2<f32> = Array::from_shape_fn((40, 30), |_| rng.normal());
    let view = base.t();
    let t = rng.classes(30, 40, None);
    let expected = cross_entropy(&view.to_owned(), &t, &options).unwrap();
    let mut grad_storage = Array2::<f32>::zeros((40, 30));
    let value =
        cross_entropy_into(view, &t, &options, grad_storage.view_mut().reversed_axes()).unwrap();
    assert_eq!(value, expected.value);
    assert_eq!(grad_storage.t().to_owned().into_dyn(), expected.grad.input);
}

#[test]
fn soft_targets_agree_across_backends() {
    let mut rng = Rng(13);
    let x = rng.logits(&[33, 70]);
    let mut t = rng.logits(&[33, 70]).mapv(f32::exp);
    for mut row in t.rows_mut() {
        let total: f32 = row.sum();
        row.mapv_inplace(|v| v / total);
    }
    let options = ce_options(None, 0.05, Reduction::Mean);
    agree(
        "soft targets",
        || cross_entropy_probs(&x, &t, &options).unwrap(),
        |a, b| {
            close_arrays(&a.value, &b.value)
                && close_arrays(&a.grad.input, &b.grad.input)
                && close_arrays(&a.grad.target, &b.grad.target)
        },
    );
}

#[test]
fn elementwise_losses_agree_across_backends_and_forms() {
    let mut rng = Rng(17);
    for len in [1, 15, 16, 17, 1000, 70_001] {
        let x = rng.logits(&[len]);
        let y = rng.logits(&[len]);
        let labels = x.mapv(|v| if v > 0.3 { 1.0 } else { 0.0 });
        let w = rng.logits(&[len]).mapv(f32::abs);
        let what = |name: &str| format!("{name} len {len}");
        macro_rules! check {
            ($name:literal, $loss:ident, $into:ident, $target:expr, $options:expr) => {{
                let options = $options;
                agree(
                    &what($name),
                    || $loss(&x, $target, &options).unwrap(),
                    |a, b| {
                        close_arrays(&a.value, &b.value)
                            && close_arrays(&a.grad.input, &b.grad.input)
                            && close_arrays(&a.grad.target, &b.grad.target)
                    },
                );
                let full = $loss(&x, $target, &options).unwrap();
                let mut grad = ArrayD::from_elem(x.raw_dim(), f32::NAN);
                let value = $into(&x, $target, &options, &mut grad).unwrap();
                assert_eq!(
                    (value, grad),
                    (full.value, full.grad.input),
                    "{}",
                    what($name)
                );
            }};
        }
        check!("mse", mse_loss, mse_loss_into, &y, MseOptions::default());
        check!(
            "l1",
            l1_loss,
            l1_loss_into,
            &y,
            L1Options {
                weight: Some(w.view()),
                ..Default::default()
            }
        );
        check!(
            "smooth_l1",
            smooth_l1_loss,
            smooth_l1_loss_into,
            &y,
            SmoothL1Options::default()
        );
        check!(
            "huber",
            huber_loss,
            huber_loss_into,
            &y,
            HuberOptions {
                delta: 0.7,
                ..Default::default()
            }
        );
        check!(
            "bce_logits",
            binary_cross_entropy_with_logits,
            binary_cross_entropy_with_logits_into,
            &labels,
            BceWithLogitsOptions {
                weight: Some(w.view()),
                ..Default::default()
            }
        );
        check!(
            "focal",
            sigmoid_focal_loss,
            sigmoid_focal_loss_into,
            &labels,
            SigmoidFocalOptions::default()
        );
    }
}

#[test]
fn per_column_parameters_broadcast_over_rows() {
    let mut rng = Rng(19);
    let x = rng.logits(&[50, 37]);
    let y = x.mapv(|v| if v > 0.0 { 1.0_f32 } else { 0.0 });
    let pos_weight = Array1::from_shape_fn(37, |i| 0.5 + i as f32 / 10.0);
    let options = BceWithLogitsOptions {
        pos_weight: Some(pos_weight.view().into_dyn()),
        ..Default::default()
    };
    let full = pos_weight
        .broadcast((50, 37))
        .unwrap()
        .to_owned()
        .into_dyn();
    let expanded = BceWithLogitsOptions {
        pos_weight: Some(full.view()),
        ..Default::default()
    };
    let a = binary_cross_entropy_with_logits(&x, &y, &options).unwrap();
    let b = binary_cross_entropy_with_logits(&x, &y, &expanded).unwrap();
    assert_eq!(a, b);
    let mut in_place = x.clone();
    let value = binary_cross_entropy_with_logits_in_place(&mut in_place, &y, &options).unwrap();
    assert_eq!((value, in_place), (a.value, a.grad.input));
}

#[test]
fn mismatched_buffers_are_errors_and_nothing_is_written() {
    let x = Array2::<f32>::zeros((4, 3));
    let t = Array1::from_vec(vec![0_i64, 1, 2, 7]);
    let mut grad = Array2::<f32>::from_elem((4, 3), 5.0);
    let options = CrossEntropyOptions::default();
    let err = cross_entropy_into(&x, &t, &options, &mut grad).unwrap_err();
    assert!(
        matches!(err, LossError::ClassIndex { value: 7, .. }),
        "{err}"
    );
    assert!(
        grad.iter().all(|&g| g == 5.0),
        "an invalid target wrote into the buffer"
    );
    let mut wrong = Array2::<f32>::zeros((3, 4));
    let err = cross_entropy_into(&x, &t.mapv(|v| v % 3), &options, &mut wrong).unwrap_err();
    assert!(err.to_string().contains("grad"), "{err}");
    let mut logits = Array2::<f32>::from_elem((4, 3), 1.0);
    assert!(cross_entropy_in_place(&mut logits, &t, &options).is_err());
    assert!(
        logits.iter().all(|&v| v == 1.0),
        "a failed in-place call changed the logits"
    );
    let mut input = Array1::<f32>::ones(3);
    assert!(
        mse_loss_in_place(&mut input, &Array1::<f32>::ones(4), &MseOptions::default()).is_err()
    );
    assert!(input.iter().all(|&v| v == 1.0));
}
