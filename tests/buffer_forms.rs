//! The buffer-reusing forms of the typed layer and the derive (`compute_into`,
//! `compute_in_place`, `ModelOutput::loss_into` / `loss_in_place`, borrowed `LogitsView`s)
//! give exactly what the allocating forms give, and reject buffers that do not fit.

use lossfit::{
    ClassIndices, ClassProbabilities, ClassWeights, CrossEntropy, Logits, LogitsView, LossError,
    Mean, ModelOutput, MultiClass, MultiHot, PerSample, Sequence, Sum, Targets, TokenIndices,
};
use ndarray::{Array, Array2, Array3, ArrayD, Axis, array};

/// Deterministic, varied logits (no RNG dependency).
fn scores(shape: &[usize]) -> ArrayD<f64> {
    let mut state = 0x9e37_79b9_u64;
    Array::from_shape_simple_fn(shape.to_vec(), || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 6.0
    })
}

fn weighted_smoothed() -> CrossEntropy<f64, Mean> {
    CrossEntropy::new()
        .weight(ClassWeights::new(array![0.5, 2.0, 1.0, 1.5]).unwrap())
        .label_smoothing(0.1)
        .reduction(Mean)
}

#[test]
fn compute_into_matches_compute_for_class_indices() {
    let logits = Logits::<MultiClass, f64>::new(scores(&[5, 4])).unwrap();
    let labels = ClassIndices::with_ignore_index(array![0_i64, 3, -100, 2, 1], -100).unwrap();
    let loss = weighted_smoothed();
    let expected = loss.compute(&logits, &labels).unwrap();
    let mut grad = Array2::<f64>::from_elem((5, 4), f64::NAN);
    let value = loss
        .compute_into(&logits, &labels, &mut grad)
        .unwrap()
        .value;
    assert_eq!(value, expected.value);
    assert_eq!(grad.into_dyn(), expected.grad.input);
}

#[test]
fn compute_into_matches_compute_for_probabilities_and_per_sample() {
    let logits = Logits::<MultiClass, f64>::new(scores(&[3, 4])).unwrap();
    let soft = ClassProbabilities::new(array![
        [0.7, 0.1, 0.1, 0.1],
        [0.0, 0.0, 1.0, 0.0],
        [0.25, 0.25, 0.25, 0.25]
    ])
    .unwrap();
    let loss = CrossEntropy::new().reduction(PerSample);
    let expected = loss.compute(&logits, &soft).unwrap();
    let mut grad = Array2::<f64>::zeros((3, 4));
    let values = loss.compute_into(&logits, &soft, &mut grad).unwrap().values;
    assert_eq!(values, expected.values);
    assert_eq!(grad.into_dyn(), expected.grad.input);
}

#[test]
fn sequence_logits_are_read_as_rows_with_the_same_result() {
    let logits = Logits::<Sequence, f64>::new(scores(&[2, 3, 4])).unwrap();
    let tokens = TokenIndices::new(array![[1_i64, -100, 3], [0, 2, 2]]).unwrap();
    // The typed layer reads `[N, T, C]` as rows; PyTorch's classes-second layout through the
    // functional layer is the independent reference.
    let reference = lossfit::functional::cross_entropy(
        logits.view().permuted_axes(vec![0, 2, 1]),
        tokens.view(),
        &lossfit::functional::CrossEntropyOptions::default(),
    )
    .unwrap();
    let typed = CrossEntropy::new()
        .reduction(Mean)
        .compute(&logits, &tokens)
        .unwrap();
    assert!((typed.value - reference.value[[]]).abs() < 1e-12);
    assert_close(
        &typed.grad.input,
        &reference.grad.input.permuted_axes(vec![0, 2, 1]).to_owned(),
    );
    for per_sample in [false, true] {
        let (mut grad, in_place_input) = (Array3::<f64>::zeros((2, 3, 4)), logits.clone());
        if per_sample {
            let loss = CrossEntropy::new().reduction(PerSample);
            let expected = loss.compute(&logits, &tokens).unwrap();
            let values = loss
                .compute_into(&logits, &tokens, &mut grad)
                .unwrap()
                .values;
            assert_eq!(values.shape(), &[2, 3]);
            assert_close(&values, &expected.values);
            assert_close(&grad.clone().into_dyn(), &expected.grad.input);
            let in_place = loss.compute_in_place(in_place_input, &tokens).unwrap();
            assert_close(&in_place.values, &expected.values);
            assert_close(&in_place.grad.input, &expected.grad.input);
        } else {
            let loss = CrossEntropy::new().reduction(Sum);
            let expected = loss.compute(&logits, &tokens).unwrap();
            let value = loss
                .compute_into(&logits, &tokens, &mut grad)
                .unwrap()
                .value;
            assert!((value - expected.value).abs() < 1e-12);
            assert_close(&grad.clone().into_dyn(), &expected.grad.input);
            let in_place = loss.compute_in_place(in_place_input, &tokens).unwrap();
            assert!((in_place.value - expected.value).abs() < 1e-12);
            assert_close(&in_place.grad.input, &expected.grad.input);
        }
    }
}

#[test]
fn strided_sequence_views_take_the_classes_second_path() {
    // A view of every other sample: not in standard layout, so not reshaped into rows.
    let data = scores(&[4, 3, 4]);
    let strided = data.slice_axis(Axis(0), ndarray::Slice::new(0, None, 2));
    let logits = LogitsView::<Sequence, f64>::new(strided.clone()).unwrap();
    let owned = Logits::<Sequence, f64>::new(strided.to_owned()).unwrap();
    let tokens = TokenIndices::new(array![[1_i64, 0, 3], [2, 2, -100]]).unwrap();
    let loss = CrossEntropy::new().reduction(Mean);
    let expected = loss.compute(&owned, &tokens).unwrap();
    let mut grad = Array3::<f64>::zeros((2, 3, 4));
    let value = loss
        .compute_into(&logits, &tokens, &mut grad)
        .unwrap()
        .value;
    assert!((value - expected.value).abs() < 1e-12);
    assert_close(&grad.into_dyn(), &expected.grad.input);
}

#[test]
fn compute_in_place_turns_the_logits_into_their_gradient() {
    let data = scores(&[6, 4]);
    let labels = ClassIndices::new(array![0_usize, 1, 2, 3, 0, 1]);
    let loss = weighted_smoothed();
    let expected = loss
        .compute(
            &Logits::<MultiClass, f64>::new(data.clone()).unwrap(),
            &labels,
        )
        .unwrap();
    let logits = Logits::<MultiClass, f64>::new(data).unwrap();
    let pointer = logits.view().as_ptr();
    let in_place = loss.compute_in_place(logits, &labels).unwrap();
    assert_eq!(in_place.value, expected.value);
    assert_eq!(in_place.grad.input, expected.grad.input);
    assert_eq!(
        in_place.grad.input.as_ptr(),
        pointer,
        "the logits' own buffer"
    );
}

#[test]
fn a_buffer_of_another_shape_is_an_error_and_stays_untouched() {
    let logits = Logits::<MultiClass, f64>::new(scores(&[2, 4])).unwrap();
    let labels = ClassIndices::new(array![1_usize, 2]);
    let mut grad = Array2::<f64>::from_elem((2, 3), 7.0);
    let error = CrossEntropy::new()
        .reduction(Mean)
        .compute_into(&logits, &labels, &mut grad)
        .unwrap_err();
    assert!(matches!(error, LossError::Shape { .. }), "{error}");
    assert!(grad.iter().all(|&g| g == 7.0));
    // A class index out of range: an error, the logits of an in-place call are not half written.
    let bad = ClassIndices::new(array![1_usize, 9]);
    let error = CrossEntropy::new()
        .reduction(Mean)
        .compute_in_place(logits, &bad)
        .unwrap_err();
    assert!(matches!(error, LossError::ClassIndex { .. }), "{error}");
}

#[test]
fn borrowed_logits_check_their_shape_like_owned_ones() {
    let one_class = Array2::<f32>::zeros((3, 1));
    assert!(LogitsView::<MultiClass, f32>::new(one_class.view()).is_err());
    let flat = ndarray::Array1::<f32>::zeros(3);
    assert!(LogitsView::<MultiClass, f32>::new(flat.view()).is_err());
    let fine = Array2::<f32>::zeros((3, 2));
    assert_eq!(
        LogitsView::<MultiClass, f32>::new(fine.view())
            .unwrap()
            .classes(),
        2
    );
}

#[derive(ModelOutput, Clone)]
struct Tagger {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, label_smoothing = 0.05, scale = 2.0)]
    class_logits: Array2<f64>,
    #[head(task = Sequence, loss = CrossEntropy, reduction = sum)]
    token_logits: Array3<f64>,
    #[head(task = MultiLabel, loss = BceWithLogits, reduction = mean, pos_weight = [1.0, 3.0])]
    tags: Array2<f64>,
    #[head(task = Regression, loss = Huber, delta = 1.0, reduction = mean, scale = 0.5)]
    boxes: Array2<f64>,
}

fn tagger() -> (Tagger, TaggerTargets) {
    let as2 = |a: ArrayD<f64>| a.into_dimensionality().unwrap();
    let output = Tagger {
        class_logits: as2(scores(&[3, 4])),
        token_logits: scores(&[3, 2, 5]).into_dimensionality().unwrap(),
        tags: as2(scores(&[3, 2])),
        boxes: as2(scores(&[3, 4])),
    };
    let targets = TaggerTargets {
        class_logits: ClassIndices::new(array![3_usize, 0, 1]),
        token_logits: TokenIndices::new(array![[4_i64, -100], [0, 1], [2, 3]]).unwrap(),
        tags: MultiHot::new(array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).unwrap(),
        boxes: Targets::new(Array2::from_elem((3, 4), 0.25)).unwrap(),
    };
    (output, targets)
}

#[test]
fn loss_into_and_loss_in_place_match_loss() {
    let (output, targets) = tagger();
    let expected = output.loss(&targets).unwrap();

    let mut grads = output.grads_like();
    assert!(grads.class_logits.iter().all(|&g| g == 0.0));
    for _step in 0..2 {
        let report = output.loss_into(&targets, &mut grads).unwrap();
        assert_eq!(report.heads, expected.heads);
        assert_eq!(report.total, expected.total);
        assert_close(
            &grads.class_logits.clone().into_dyn(),
            &expected.grad.class_logits.clone().into_dyn(),
        );
        assert_close(
            &grads.token_logits.clone().into_dyn(),
            &expected.grad.token_logits.clone().into_dyn(),
        );
        assert_eq!(grads.tags, expected.grad.tags);
        assert_eq!(grads.boxes, expected.grad.boxes);
    }

    let in_place = output.clone().loss_in_place(&targets).unwrap();
    assert_eq!(in_place.heads, expected.heads);
    assert_close(
        &in_place.grad.class_logits.into_dyn(),
        &expected.grad.class_logits.into_dyn(),
    );
    assert_close(
        &in_place.grad.token_logits.into_dyn(),
        &expected.grad.token_logits.into_dyn(),
    );
    assert_eq!(in_place.grad.tags, expected.grad.tags);
    assert_eq!(in_place.grad.boxes, expected.grad.boxes);
}

#[test]
fn loss_into_rejects_buffers_of_other_shapes() {
    let (output, targets) = tagger();
    let mut grads = output.grads_like();
    grads.boxes = Array2::zeros((3, 3));
    let error = output.loss_into(&targets, &mut grads).unwrap_err();
    assert!(error.to_string().contains("grads_like"), "{error}");
    grads = output.grads_like();
    grads.class_logits = Array2::zeros((2, 4));
    assert!(matches!(
        output.loss_into(&targets, &mut grads).unwrap_err(),
        LossError::Shape { .. }
    ));
}

fn assert_close(a: &ArrayD<f64>, b: &ArrayD<f64>) {
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{x} vs {y}");
    }
}
