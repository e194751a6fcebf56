//! Cross-entropy from raw logits, against class indices or class probabilities.

use ndarray::{ArrayView1, ArrayViewD};

use super::classes::{ClassLayout, class_weights};
use super::math::{log_softmax, sum};
use super::reduce::reduce;
use crate::tensor::{Dense, check_param, expect_same_shape, index_data, to_array};
use crate::{AsTensor, InputGrad, InputTargetGrad, Loss, Real, Reduction, Result};

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
    check_smoothing(options.label_smoothing)?;
    class_index_loss(
        &ClassIndexLoss {
            loss: NAME,
            from_logits: true,
            weight: options.weight.as_ref(),
            ignore_index: options.ignore_index,
            label_smoothing: options.label_smoothing,
            reduction: options.reduction,
            grad_output: options.grad_output.as_ref(),
        },
        &input.as_tensor(),
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
    check_smoothing(options.label_smoothing)?;
    let layout = ClassLayout::of(NAME, input.shape())?;
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let weight = class_weights(NAME, options.weight.as_ref(), layout.classes)?;
    let (x, t) = (Dense::from_view(&input), Dense::from_view(&target));
    let eps = options.label_smoothing;
    let classes = layout.classes;
    let smooth = |tc: f64| tc * (1.0 - eps) + eps / classes as f64;
    let w = |c: usize| weight.as_ref().map_or(1.0, |w| w[c]);

    let mut log_p = vec![0.0; x.data.len()];
    let (mut row, mut row_log_p) = (vec![0.0; classes], vec![0.0; classes]);
    let mut elems = Vec::with_capacity(layout.positions());
    for k in 0..layout.positions() {
        layout.gather(&x.data, k, &mut row);
        log_softmax(&row, &mut row_log_p);
        elems.push(-sum((0..classes).map(|c| {
            log_p[layout.offset(k, c)] = row_log_p[c];
            row_log_p[c] * smooth(t.data[layout.offset(k, c)]) * w(c)
        })));
    }
    let reduced = reduce(
        NAME,
        elems,
        &layout.target_shape,
        options.reduction,
        Some(layout.positions() as f64),
        options.grad_output.as_ref(),
    )?;

    let mut grad_input = vec![0.0; x.data.len()];
    let mut grad_target = vec![0.0; x.data.len()];
    for k in 0..layout.positions() {
        let g = reduced.seed.at(k);
        let mass = sum((0..classes).map(|c| w(c) * smooth(t.data[layout.offset(k, c)])));
        for c in 0..classes {
            let i = layout.offset(k, c);
            let p = log_p[i].exp();
            grad_input[i] = g * (p * mass - w(c) * smooth(t.data[i]));
            grad_target[i] = -g * (1.0 - eps) * w(c) * log_p[i];
        }
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
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

/// The arguments shared by [`cross_entropy`] and [`nll_loss`](super::nll_loss).
pub(crate) struct ClassIndexLoss<'o, 'a, T> {
    pub(crate) loss: &'static str,
    /// `true`: the input is logits (log-softmax is applied); `false`: log-probabilities.
    pub(crate) from_logits: bool,
    pub(crate) weight: Option<&'o ArrayView1<'a, T>>,
    pub(crate) ignore_index: i64,
    pub(crate) label_smoothing: f64,
    pub(crate) reduction: Reduction,
    pub(crate) grad_output: Option<&'o ArrayViewD<'a, T>>,
}

/// Weighted, smoothed negative log-likelihood of class indices, value and input gradient.
pub(crate) fn class_index_loss<T: Real>(
    spec: &ClassIndexLoss<'_, '_, T>,
    input: &ArrayViewD<'_, T>,
    target: &ArrayViewD<'_, i64>,
) -> Result<Loss<T, InputGrad<T>>> {
    let loss = spec.loss;
    let layout = ClassLayout::of(loss, input.shape())?;
    layout.expect_index_target(loss, target.shape())?;
    let weight = class_weights(loss, spec.weight, layout.classes)?;
    let targets = index_data(target);
    layout.check_indices(loss, &targets, Some(spec.ignore_index))?;

    let x = Dense::from_view(input);
    let classes = layout.classes;
    let eps = spec.label_smoothing;
    let w = |c: usize| weight.as_ref().map_or(1.0, |w| w[c]);
    let weight_total = weight
        .as_ref()
        .map_or(classes as f64, |w| sum(w.iter().copied()));

    // log-probabilities of every class, kept for the backward pass
    let mut log_p = vec![0.0; x.data.len()];
    let mut row = vec![0.0; classes];
    let mut row_log_p = vec![0.0; classes];
    let mut elems = Vec::with_capacity(layout.positions());
    let mut denominator = Vec::with_capacity(layout.positions());
    for (k, &t) in targets.iter().enumerate() {
        if t == spec.ignore_index {
            elems.push(0.0);
            continue;
        }
        let t = t as usize;
        layout.gather(&x.data, k, &mut row);
        if spec.from_logits {
            log_softmax(&row, &mut row_log_p);
        } else {
            row_log_p.copy_from_slice(&row);
        }
        for (c, &lp) in row_log_p.iter().enumerate() {
            log_p[layout.offset(k, c)] = lp;
        }
        let nll = -w(t) * row_log_p[t];
        denominator.push(w(t));
        elems.push(if eps > 0.0 {
            let smooth = -sum(row_log_p.iter().enumerate().map(|(c, lp)| lp * w(c)));
            (1.0 - eps) * nll + eps / classes as f64 * smooth
        } else {
            nll
        });
    }
    let reduced = reduce(
        loss,
        elems,
        &layout.target_shape,
        spec.reduction,
        Some(sum(denominator)),
        spec.grad_output,
    )?;

    let mut grad = vec![0.0; x.data.len()];
    for (k, &t) in targets.iter().enumerate() {
        if t == spec.ignore_index {
            continue; // exactly zero, also when the mean's denominator is zero
        }
        let t = t as usize;
        let g = reduced.seed.at(k);
        if spec.from_logits {
            for c in 0..classes {
                let i = layout.offset(k, c);
                let p = log_p[i].exp();
                let hard = w(t) * (p - if c == t { 1.0 } else { 0.0 });
                let soft = p * weight_total - w(c);
                grad[i] = g * ((1.0 - eps) * hard + eps / classes as f64 * soft);
            }
        } else {
            grad[layout.offset(k, t)] = -g * w(t);
        }
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputGrad {
            input: to_array(&x.shape, grad),
        },
    })
}
