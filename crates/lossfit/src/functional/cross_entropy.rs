//! Cross-entropy from raw logits, against class indices or class probabilities.

use std::borrow::Cow;

use ndarray::{ArrayD, ArrayView1, ArrayViewD, ArrayViewMutD};

use super::classes::ClassLayout;
use super::math::sum;
use super::reduce::Reducer;
use crate::kernels::{self, HardRows, RowSpec, SoftRows};
use crate::tensor::{check_param, expect_grad_shape, expect_same_shape, row_major, with_row_major};
use crate::{AsTensor, AsTensorMut, InputGrad, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "cross_entropy";

/// Options of [`cross_entropy`] and [`cross_entropy_probs`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::CrossEntropyOptions;
/// use lossfit::Reduction;
/// use ndarray::array;
///
/// let weight = array![1.0_f32, 3.0];
/// let options = CrossEntropyOptions {
///     weight: Some(weight.view()),
///     label_smoothing: 0.1,
///     reduction: Reduction::Sum,
///     ..CrossEntropyOptions::default()
/// };
/// assert_eq!(options.ignore_index, -100);
/// ```
#[derive(Clone, Debug)]
pub struct CrossEntropyOptions<'a, T> {
    /// Per-class weights, one per class (PyTorch `weight`).
    pub weight: Option<ArrayView1<'a, T>>,
    /// Targets equal to this index contribute nothing, not even to the mean's denominator.
    /// Only class-index targets have it; default `-100`.
    pub ignore_index: i64,
    /// `eps` in `[0, 1]`: the target becomes `(1 - eps) * onehot + eps / C`. Default 0.
    pub label_smoothing: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient: the gradient returned is that of `sum(value * grad_output)`.
    /// Unset means ones (a scalar 1 for reduced losses).
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for CrossEntropyOptions<'_, T> {
    fn default() -> Self {
        CrossEntropyOptions {
            weight: None,
            ignore_index: -100,
            label_smoothing: 0.0,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Cross-entropy between raw logits and class indices (`torch.nn.functional.cross_entropy`
/// with an integer target).
///
/// ```text
/// p      = softmax(x_n)                          over the class dimension
/// nll_n  = -w[y_n] * log p[y_n]
/// smooth = -sum_c w[c] * log p[c]
/// l_n    = (1 - eps) * nll_n + eps / C * smooth   (0 where y_n == ignore_index)
/// mean   = sum_n l_n / sum_{n not ignored} w[y_n]
/// d l_n / d x_n[j] = (1 - eps) * w[y_n] * (p[j] - [j == y_n]) + eps / C * (p[j] * sum_c w[c] - w[j])
/// ```
/// The log-sum-exp is taken after subtracting the row maximum, so logits of magnitude `1e4` and
/// `-inf` logits of non-target classes give finite losses and gradients.
///
/// # Shapes
/// `input` `(N, C)`, `(N, C, d1, ..)` (PyTorch's layout: classes second) or unbatched `(C,)`;
/// `target` `(N)`, `(N, d1, ..)` or `()`; the value is a scalar, or of the target's shape for
/// [`Reduction::None`]. The gradient has the input's shape.
///
/// # NaN policy
/// As PyTorch: a mean over targets that are all ignored is `NaN` (0 / 0) with a zero gradient.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the target's shape is not the input's
/// without its class dimension, `weight` does not hold one value per class, or `grad_output`
/// does not fit the value; [`LossError::ClassIndex`](crate::LossError::ClassIndex) for a target
/// outside `0..C` that is not the ignore index; [`LossError::Parameter`](crate::LossError::Parameter)
/// for `label_smoothing` outside `[0, 1]`.
///
/// ```
/// use lossfit::functional::{cross_entropy, CrossEntropyOptions};
/// use ndarray::array;
///
/// let logits = array![[2.0_f64, 0.0, 0.0], [0.0, 0.0, 0.0]];
/// let target = array![0_i64, 2];
/// let loss = cross_entropy(&logits, &target, &CrossEntropyOptions::default())?;
/// let expected = ((1.0 + 2.0 * (-2.0_f64).exp()).ln() + 3.0_f64.ln()) / 2.0;
/// assert!((loss.scalar().unwrap() - expected).abs() < 1e-12);
/// // The gradient is (softmax - onehot) / N.
/// assert!(loss.grad.input[[1, 2]] < 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cross_entropy<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, i64>,
    options: &CrossEntropyOptions<'_, T>,
) -> Result<Loss<T, InputGrad<T>>> {
    let input = input.as_tensor();
    let mut grad = ArrayD::from_elem(input.raw_dim(), T::default());
    let value = cross_entropy_into(input, target, options, &mut grad)?;
    Ok(Loss {
        value,
        grad: InputGrad { input: grad },
    })
}

/// [`cross_entropy`] that writes the input gradient into a buffer the caller owns and returns
/// only the value: no allocation besides the returned value (a single number when reduced).
///
/// `grad` must have the input's shape; every element of it is overwritten. Reusing one buffer
/// across training steps avoids allocating, zeroing and page-faulting a fresh `(N, C)` array on
/// every step, which is most of what PyTorch's CPU cross-entropy spends beyond the arithmetic.
///
/// # Errors
/// As [`cross_entropy`], and [`LossError::Shape`](crate::LossError::Shape) when `grad`'s shape
/// is not the input's. Nothing is written when an error is returned.
///
/// ```
/// use lossfit::functional::{cross_entropy_into, CrossEntropyOptions};
/// use ndarray::{array, Array2};
///
/// let logits = array![[2.0_f32, 0.5, -1.0], [0.0, 1.0, 0.0]];
/// let target = array![0_i64, 1];
/// let mut grad = Array2::<f32>::zeros((2, 3)); // allocated once, reused every step
/// let loss = cross_entropy_into(&logits, &target, &CrossEntropyOptions::default(), &mut grad)?;
/// assert!(loss[[]] > 0.0);
/// assert!(grad[[0, 0]] < 0.0 && grad[[1, 0]] > 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cross_entropy_into<'a, 'g, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, i64>,
    options: &CrossEntropyOptions<'_, T>,
    grad: impl AsTensorMut<'g, T>,
) -> Result<ArrayD<T>> {
    let input = input.as_tensor();
    let mut grad = grad.as_tensor_mut();
    expect_grad_shape(NAME, grad.shape(), input.shape())?;
    hard_targets(
        options,
        Logits::Separate(input, Some(&mut grad)),
        &target.as_tensor(),
    )
}

/// [`cross_entropy`] that overwrites the logits with their gradient: no second `(N, C)` buffer
/// at all, for a training step that has no further use for the logits.
///
/// # Errors
/// As [`cross_entropy`]. The logits are left untouched when an error is returned.
///
/// ```
/// use lossfit::functional::{cross_entropy_in_place, CrossEntropyOptions};
/// use ndarray::array;
///
/// let mut logits = array![[0.0_f64, 0.0]];
/// let loss = cross_entropy_in_place(&mut logits, &array![1_i64], &CrossEntropyOptions::default())?;
/// assert!((loss[[]] - 2.0_f64.ln()).abs() < 1e-12);
/// assert_eq!(logits, array![[0.5, -0.5]]); // now the gradient: softmax - onehot
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cross_entropy_in_place<'a, 'g, T: Real>(
    logits: impl AsTensorMut<'g, T>,
    target: impl AsTensor<'a, i64>,
    options: &CrossEntropyOptions<'_, T>,
) -> Result<ArrayD<T>> {
    let mut logits = logits.as_tensor_mut();
    hard_targets(options, Logits::InPlace(&mut logits), &target.as_tensor())
}

/// The value of [`cross_entropy`] without its gradient (evaluation, validation): the logits
/// are read once and nothing is written.
///
/// # Errors
/// As [`cross_entropy`].
///
/// ```
/// use lossfit::functional::{cross_entropy, cross_entropy_value, CrossEntropyOptions};
/// use ndarray::array;
///
/// let logits = array![[1.5_f32, -0.5, 0.25]];
/// let options = CrossEntropyOptions::default();
/// let value = cross_entropy_value(&logits, &array![2_i64], &options)?;
/// assert_eq!(value, cross_entropy(&logits, &array![2_i64], &options)?.value);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cross_entropy_value<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, i64>,
    options: &CrossEntropyOptions<'_, T>,
) -> Result<ArrayD<T>> {
    hard_targets(
        options,
        Logits::Separate(input.as_tensor(), None),
        &target.as_tensor(),
    )
}

/// Cross-entropy between raw logits and class probabilities ("soft targets";
/// `torch.nn.functional.cross_entropy` with a floating-point target).
///
/// ```text
/// t'   = (1 - eps) * t + eps / C
/// l_n  = -sum_c w[c] * t'[n, c] * log softmax(x_n)[c]
/// mean = sum_n l_n / (number of positions N * d1 * ..)       (not the summed weight)
/// d l_n / d x_n[j] = p[j] * sum_c w[c] t'[c] - w[j] t'[j]
/// d l_n / d t_n[j] = -(1 - eps) * w[j] * log p[j]
/// ```
///
/// # Shapes
/// `input` and `target` both `(N, C)`, `(N, C, d1, ..)` or `(C,)`; the value is a scalar or
/// `(N, d1, ..)`; gradients have the input's shape. There is no ignore index for soft targets.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the shapes differ, `weight` does not hold
/// one value per class, or `grad_output` does not fit the value;
/// [`LossError::Parameter`](crate::LossError::Parameter) for `label_smoothing` outside `[0, 1]`.
///
/// ```
/// use lossfit::functional::{cross_entropy_probs, CrossEntropyOptions};
/// use ndarray::array;
///
/// let logits = array![[0.0_f32, 0.0]];
/// let target = array![[0.5_f32, 0.5]];
/// let loss = cross_entropy_probs(&logits, &target, &CrossEntropyOptions::default())?;
/// assert!((loss.scalar().unwrap() - 2.0_f32.ln()).abs() < 1e-6);
/// assert_eq!(loss.grad.input, array![[0.0_f32, 0.0]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cross_entropy_probs<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &CrossEntropyOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    let mut grad_input = ArrayD::from_elem(input.raw_dim(), T::default());
    let mut grad_target = ArrayD::from_elem(input.raw_dim(), T::default());
    let value = soft_targets(
        options,
        &input,
        &target,
        Some(&mut grad_input.view_mut()),
        Some(&mut grad_target.view_mut()),
    )?;
    Ok(Loss {
        value,
        grad: InputTargetGrad {
            input: grad_input,
            target: grad_target,
        },
    })
}

/// [`cross_entropy_probs`] that writes only the input gradient, into a buffer the caller owns
/// (the target gradient of soft targets is rarely needed; [`cross_entropy_probs`] has it).
///
/// # Errors
/// As [`cross_entropy_probs`], and [`LossError::Shape`](crate::LossError::Shape) when `grad`'s
/// shape is not the input's.
///
/// ```
/// use lossfit::functional::{cross_entropy_probs_into, CrossEntropyOptions};
/// use ndarray::{array, Array2};
///
/// let logits = array![[0.0_f32, 0.0]];
/// let target = array![[0.25_f32, 0.75]];
/// let mut grad = Array2::zeros((1, 2));
/// let loss = cross_entropy_probs_into(&logits, &target, &CrossEntropyOptions::default(), &mut grad)?;
/// assert!((loss[[]] - 2.0_f32.ln()).abs() < 1e-6);
/// assert_eq!(grad, array![[0.25_f32, -0.25]]);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cross_entropy_probs_into<'a, 'g, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &CrossEntropyOptions<'_, T>,
    grad: impl AsTensorMut<'g, T>,
) -> Result<ArrayD<T>> {
    let input = input.as_tensor();
    let mut grad = grad.as_tensor_mut();
    expect_grad_shape(NAME, grad.shape(), input.shape())?;
    soft_targets(options, &input, &target.as_tensor(), Some(&mut grad), None)
}

fn check_smoothing(label_smoothing: f64) -> Result<()> {
    check_param(
        NAME,
        "label_smoothing",
        label_smoothing,
        (0.0..=1.0).contains(&label_smoothing),
        "expected a value in [0, 1] (0 disables smoothing; 0.1 is common)",
    )
}

/// Where the logits are and where their gradient goes.
enum Logits<'v, 'a, 'g, T> {
    /// Read-only logits, with an optional gradient buffer of the same shape.
    Separate(ArrayViewD<'a, T>, Option<&'v mut ArrayViewMutD<'g, T>>),
    /// The logits, overwritten with their gradient.
    InPlace(&'v mut ArrayViewMutD<'g, T>),
}

/// Per-class weights as one contiguous slice, after checking there is one per class.
fn class_weight_slice<'w, T: Real>(
    weight: Option<&'w ArrayView1<'_, T>>,
    classes: usize,
) -> Result<Option<Cow<'w, [T]>>> {
    let Some(weight) = weight else {
        return Ok(None);
    };
    if weight.len() != classes {
        return Err(crate::LossError::Shape {
            loss: NAME,
            arg: "weight",
            found: weight.shape().to_vec(),
            expected: format!("[{classes}] (one weight per class)"),
            fix: format!(
                "pass exactly {classes} class weights, in class-index order, or none at all"
            ),
        });
    }
    Ok(Some(match weight.as_slice() {
        Some(w) => Cow::Borrowed(w),
        None => Cow::Owned(weight.to_vec()),
    }))
}

/// The row spec shared by hard and soft targets.
fn row_spec<T: Real>(weight: Option<&[T]>, classes: usize, smoothing: f64) -> RowSpec<'_, T> {
    RowSpec {
        classes,
        weight,
        weight_total: weight.map_or(classes as f64, |w| sum(w.iter().map(|v| v.to_f64()))),
        smoothing,
    }
}

/// Validates, then runs the fused hard-target kernel over `(positions, C)` rows.
fn hard_targets<T: Real>(
    options: &CrossEntropyOptions<'_, T>,
    mut logits: Logits<'_, '_, '_, T>,
    target: &ArrayViewD<'_, i64>,
) -> Result<ArrayD<T>> {
    check_smoothing(options.label_smoothing)?;
    let shape = match &logits {
        Logits::Separate(x, _) => x.shape().to_vec(),
        Logits::InPlace(x) => x.shape().to_vec(),
    };
    let layout = ClassLayout::of(NAME, &shape)?;
    layout.expect_index_target(NAME, target.shape())?;
    let weight = class_weight_slice(options.weight.as_ref(), layout.classes)?;
    let targets = row_major(target);
    layout.check_indices(NAME, &targets, Some(options.ignore_index))?;
    let w = |t: i64| weight.as_ref().map_or(1.0, |w| w[t as usize].to_f64());
    let denominator = sum(targets
        .iter()
        .filter(|&&t| t != options.ignore_index)
        .map(|&t| w(t)));

    let mut upstream = None;
    let Reducer {
        seed,
        mut values,
        divisor,
    } = Reducer::new(
        NAME,
        options.reduction,
        options.grad_output.as_ref(),
        &mut upstream,
        &layout.target_shape,
        denominator,
    )?;
    let spec = row_spec(weight.as_deref(), layout.classes, options.label_smoothing);
    let backend = kernels::active_backend();
    let values_out = values.as_mut().and_then(|v| v.as_slice_mut());
    let run = |logits: Option<&[T]>, grad: Option<&mut [T]>, values: Option<&mut [T]>| {
        kernels::hard_rows(
            backend,
            HardRows {
                spec,
                logits,
                targets: &targets,
                ignore_index: options.ignore_index,
                seed,
                grad,
                values,
            },
        )
    };
    let total = if layout.inner == 1 {
        match &mut logits {
            Logits::Separate(x, Some(grad)) => {
                let x = row_major(x);
                with_row_major(grad, |g| run(Some(&x), Some(g), values_out))
            }
            Logits::Separate(x, None) => run(Some(&row_major(x)), None, values_out),
            Logits::InPlace(x) => with_row_major(x, |g| run(None, Some(g), values_out)),
        }
    } else {
        // (N, C, d..): the classes of a position are strided; gather them into rows, run, and
        // scatter the gradient back (this layout allocates one (positions, C) buffer).
        let mut rows = match &logits {
            Logits::Separate(x, _) => layout.gather_rows(&row_major(x)),
            Logits::InPlace(x) => layout.gather_rows(&row_major(&x.view())),
        };
        match &mut logits {
            Logits::Separate(_, None) => run(Some(&rows), None, values_out),
            Logits::Separate(_, Some(out)) | Logits::InPlace(out) => {
                let total = run(None, Some(&mut rows), values_out);
                with_row_major(out, |g| layout.scatter_rows(&rows, g));
                total
            }
        }
    };
    Ok(Reducer::finish(values, divisor, total))
}

/// Validates, then runs the fused soft-target kernel over `(positions, C)` rows.
fn soft_targets<T: Real>(
    options: &CrossEntropyOptions<'_, T>,
    input: &ArrayViewD<'_, T>,
    target: &ArrayViewD<'_, T>,
    grad_input: Option<&mut ArrayViewMutD<'_, T>>,
    grad_target: Option<&mut ArrayViewMutD<'_, T>>,
) -> Result<ArrayD<T>> {
    check_smoothing(options.label_smoothing)?;
    let layout = ClassLayout::of(NAME, input.shape())?;
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let weight = class_weight_slice(options.weight.as_ref(), layout.classes)?;
    let mut upstream = None;
    let Reducer {
        seed,
        mut values,
        divisor,
    } = Reducer::new(
        NAME,
        options.reduction,
        options.grad_output.as_ref(),
        &mut upstream,
        &layout.target_shape,
        layout.positions() as f64,
    )?;
    let spec = row_spec(weight.as_deref(), layout.classes, options.label_smoothing);
    let backend = kernels::active_backend();
    let (x, t) = (row_major(input), row_major(target));
    let values_out = values.as_mut().and_then(|v| v.as_slice_mut());
    let run = |x: &[T], t: &[T], gi: Option<&mut [T]>, gt: Option<&mut [T]>| {
        kernels::soft_rows(
            backend,
            SoftRows {
                spec,
                rows: layout.positions(),
                logits: x,
                target: t,
                seed,
                grad_input: gi,
                grad_target: gt,
                values: values_out,
            },
        )
    };
    let total = if layout.inner == 1 {
        match (grad_input, grad_target) {
            (Some(gi), Some(gt)) => with_row_major(gi, |a| {
                with_row_major(gt, |b| run(&x, &t, Some(a), Some(b)))
            }),
            (Some(gi), None) => with_row_major(gi, |a| run(&x, &t, Some(a), None)),
            (None, Some(gt)) => with_row_major(gt, |b| run(&x, &t, None, Some(b))),
            (None, None) => run(&x, &t, None, None),
        }
    } else {
        // (N, C, d..): gather rows, run, scatter (this layout allocates row buffers).
        let (x, t) = (layout.gather_rows(&x), layout.gather_rows(&t));
        let mut gi = grad_input.map(|g| (vec![T::default(); x.len()], g));
        let mut gt = grad_target.map(|g| (vec![T::default(); x.len()], g));
        let total = run(
            &x,
            &t,
            gi.as_mut().map(|(rows, _)| &mut rows[..]),
            gt.as_mut().map(|(rows, _)| &mut rows[..]),
        );
        if let Some((rows, out)) = gi {
            with_row_major(out, |g| layout.scatter_rows(&rows, g));
        }
        if let Some((rows, out)) = gt {
            with_row_major(out, |g| layout.scatter_rows(&rows, g));
        }
        total
    };
    Ok(Reducer::finish(values, divisor, total))
}
