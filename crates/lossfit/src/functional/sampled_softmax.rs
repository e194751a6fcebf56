//! Sampled softmax: cross-entropy over the true class and a few sampled classes, for
//! vocabularies too large for a full softmax (TensorFlow's `tf.nn.sampled_softmax_loss`).

use std::iter;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewD, Ix2};

use super::cross_entropy::{CrossEntropyOptions, cross_entropy};
use super::math::sum;
use super::reduce::scalar_upstream;
use super::sampler::{CandidateSample, Sampler, draw_candidates};
use crate::tensor::{expect_shape, position};
use crate::{AsTensor, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "sampled_softmax_loss";

/// Options of [`sampled_softmax_loss`] (TensorFlow's keywords and defaults, plus a seed).
///
/// ```
/// use lossfit::functional::{SampledSoftmaxOptions, Sampler};
///
/// let options = SampledSoftmaxOptions::<f32> { num_sampled: 256, seed: 17, ..Default::default() };
/// assert_eq!(options.sampler, Sampler::LogUniform);
/// assert!(options.unique && options.remove_accidental_hits && options.subtract_log_q);
/// ```
#[derive(Clone, Debug)]
pub struct SampledSoftmaxOptions<'a, T> {
    /// Class biases `[V]` (TensorFlow's `biases`); unset means no bias. Differentiable: its
    /// gradient comes back sparse in [`SampledSoftmaxGrad::biases`].
    pub biases: Option<ArrayView1<'a, T>>,
    /// `k`, the number of negative classes drawn per call, shared by the whole batch.
    /// TensorFlow has no default; 64 is a common starting point, and the loss gets closer to
    /// the full cross-entropy as `k` grows (see [`sampled_softmax_loss`]).
    pub num_sampled: usize,
    /// The distribution the candidates are drawn from; default [`Sampler::LogUniform`], as
    /// TensorFlow.
    pub sampler: Sampler,
    /// Sample without replacement (TensorFlow's `unique=True`, the default).
    pub unique: bool,
    /// Seeds the draw: the same seed gives the same candidates. Change it every step in
    /// training (e.g. the step number), or every step uses the same negatives.
    pub seed: u64,
    /// Remove a sampled class that equals the row's label from that row (default `true`).
    pub remove_accidental_hits: bool,
    /// Subtract `log(expected_count)` from every logit (default `true`), which makes the
    /// sampled softmax an estimate of the full one instead of a softmax over a biased subset.
    pub subtract_log_q: bool,
    /// Default [`Reduction::Mean`] (over the `N` rows).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for SampledSoftmaxOptions<'_, T> {
    fn default() -> Self {
        SampledSoftmaxOptions {
            biases: None,
            num_sampled: 64,
            sampler: Sampler::LogUniform,
            unique: true,
            seed: 0,
            remove_accidental_hits: true,
            subtract_log_q: true,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// A gradient with respect to a `[V, D]` matrix that is zero outside a few rows.
///
/// Row `rows[i]` of the dense gradient is `values.row(i)`; every other row is zero. A dense
/// `[V, D]` gradient would cost as much as the full softmax that sampling avoids.
///
/// ```
/// use lossfit::functional::SparseRows;
/// use ndarray::array;
///
/// let grad = SparseRows { rows: vec![1, 3], values: array![[1.0_f32, 2.0], [3.0, 4.0]] };
/// let dense = grad.to_dense(4).unwrap();
/// assert_eq!(dense, array![[0.0, 0.0], [1.0, 2.0], [0.0, 0.0], [3.0, 4.0]]);
/// assert!(grad.to_dense(3).is_none()); // row 3 does not fit
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRows<T> {
    /// The rows that can be non-zero, sorted and distinct.
    pub rows: Vec<usize>,
    /// `[rows.len(), D]`: the gradient of each of those rows.
    pub values: Array2<T>,
}

impl<T: Real> SparseRows<T> {
    /// The dense `[num_rows, D]` gradient, or `None` when a row is not below `num_rows`.
    #[must_use]
    pub fn to_dense(&self, num_rows: usize) -> Option<Array2<T>> {
        if self.rows.iter().any(|&r| r >= num_rows) {
            return None;
        }
        let mut dense = Array2::from_elem((num_rows, self.values.ncols()), T::default());
        for (&r, values) in self.rows.iter().zip(self.values.rows()) {
            dense.row_mut(r).assign(&values);
        }
        Some(dense)
    }
}

/// A gradient with respect to a `[V]` vector that is zero outside a few entries.
///
/// ```
/// use lossfit::functional::SparseEntries;
/// use ndarray::array;
///
/// let grad = SparseEntries { rows: vec![0, 2], values: array![0.5_f64, -0.5] };
/// assert_eq!(grad.to_dense(3), Some(array![0.5, 0.0, -0.5]));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SparseEntries<T> {
    /// The entries that can be non-zero, sorted and distinct.
    pub rows: Vec<usize>,
    /// `[rows.len()]`: the gradient of each of those entries.
    pub values: Array1<T>,
}

impl<T: Real> SparseEntries<T> {
    /// The dense `[len]` gradient, or `None` when an entry is not below `len`.
    #[must_use]
    pub fn to_dense(&self, len: usize) -> Option<Array1<T>> {
        if self.rows.iter().any(|&r| r >= len) {
            return None;
        }
        let mut dense = Array1::from_elem(len, T::default());
        for (&r, &value) in self.rows.iter().zip(&self.values) {
            dense[r] = value;
        }
        Some(dense)
    }
}

/// The gradients of [`sampled_softmax_loss`], and the draw they belong to.
///
/// The loss is a function of the sampled classes, so the gradient is that of this draw:
/// `sample` tells which classes were drawn (in the column order of the sampled logits) and
/// the expected counts that corrected them, so a caller can reproduce or log the subset.
#[derive(Clone, Debug, PartialEq)]
pub struct SampledSoftmaxGrad<T> {
    /// d loss / d inputs, dense `[N, D]`.
    pub inputs: Array2<T>,
    /// d loss / d weights: the labels' and the sampled classes' rows only.
    pub weights: SparseRows<T>,
    /// d loss / d biases on the same rows; `None` when no biases were given.
    pub biases: Option<SparseEntries<T>>,
    /// The candidates drawn for this call and their expected counts.
    pub sample: CandidateSample,
}

/// Sampled softmax cross-entropy (TensorFlow's `tf.nn.sampled_softmax_loss`;
/// `torch.nn.functional` has no equivalent): a softmax over each row's true class and `k`
/// sampled classes instead of all `V`.
///
/// ```text
/// c_1..c_k     drawn once per call from Q (shared by all rows), seeded
/// E(c)         expected count of c in the draw (CandidateSample::expected_count)
/// z(n, c)      = x_n . w_c + b_c - log E(c)          (no log E(c) if !subtract_log_q)
/// logits_n     = [z(n, y_n), z(n, c_1), .., z(n, c_k)]
///                where c_j == y_n, z(n, c_j) = -inf  (remove_accidental_hits)
/// l_n          = logsumexp(logits_n) - logits_n[0]   (cross-entropy, true class in column 0)
/// d l_n / d logits_n[j] = softmax(logits_n)[j] - [j == 0]   =: g_nj
/// d / d x_n    = sum_j g_nj w_{id_j}                 (id_0 = y_n, id_j = c_j)
/// d / d w_c    = sum_{n, j: id_j == c} g_nj x_n
/// d / d b_c    = sum_{n, j: id_j == c} g_nj
/// ```
/// The cross-entropy step is [`cross_entropy`](super::cross_entropy) on the `[N, 1 + k]`
/// corrected logits, so the reduction (`Mean` divides by `N`) and its NaN policy are the same.
///
/// # When to use it
/// Training a softmax over a vocabulary of 50 000 to millions of classes (language-model
/// output layers, recommendation over item catalogues), where the `N x V` logits and the dense
/// `[V, D]` gradient of a full softmax dominate the cost. Here the cost is `N (k + 1) D`, and
/// the weight and bias gradients touch only the labels' and the sampled rows.
///
/// # Bias
/// The sampled loss is a biased estimate of the full cross-entropy: for finite `k` it is
/// usually an *underestimate* (the normaliser is summed over fewer classes), and its gradient
/// is biased too; both approach the full softmax's as `k` grows (exactly equal for the uniform
/// sampler without replacement at `k = V`). With
/// `subtract_log_q` the expected-count correction removes the bias the sampler's preference
/// for frequent classes would add (the uniform sampler shifts every logit of a row by the same
/// constant, so there it changes nothing). Use it for training only; evaluate with the full
/// cross-entropy.
///
/// # Sampling and TensorFlow parity
/// Candidates are drawn without replacement when `unique` (TensorFlow's default), with
/// TensorFlow's expected counts (`k p` when the draw took exactly `k` tries, else
/// `1 - (1 - p)^tries`, see [`CandidateSample::expected_count`]), or with replacement
/// (`k p`). Differences from TensorFlow: the random stream is `ChaCha8` (so a seed reproduces
/// the same candidates on every platform, but not TensorFlow's); expected counts are computed
/// in `f64` (TensorFlow rounds them to `f32`); the log-uniform inverse CDF clamps a rounding
/// overflow to the last class (TensorFlow wraps it to class 0 with a modulo); an accidental
/// hit's logit is set to `-inf` (TensorFlow adds `-f32::MAX`: for finite logits both give it
/// probability exactly 0 and a zero gradient); only one true class per row (`num_true = 1`).
///
/// # Shapes
/// `inputs` `[N, D]`, `weights` `[V, D]`, `labels` `[N]` (class ids in `0..V`), `biases` (in
/// the options) `[V]`. The value is a scalar, or `[N]` for [`Reduction::None`]. The gradient of
/// `inputs` is `[N, D]`; those of `weights` and `biases` are sparse over the sorted distinct
/// labels and sampled classes.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when `inputs` or `weights` is not 2-D, their
/// `D` differ, `weights` has no rows (`V = 0`), `labels` is not `[N]`, `biases` is not `[V]`,
/// or `grad_output` does not fit the value;
/// [`LossError::ClassIndex`](crate::LossError::ClassIndex) for a label outside `0..V`;
/// [`LossError::Parameter`](crate::LossError::Parameter) when `num_sampled` is 0, or exceeds
/// `V` while sampling without replacement.
///
/// ```
/// use lossfit::functional::{sampled_softmax_loss, SampledSoftmaxOptions, Sampler};
/// use ndarray::{array, Array2};
///
/// let v = 1000; // classes
/// let weights = Array2::from_shape_fn((v, 4), |(c, d)| ((c * 7 + d * 3) % 11) as f64 / 11.0);
/// let inputs = array![[0.5, -1.0, 0.25, 2.0], [1.0, 0.0, -0.5, 0.5]];
/// let labels = array![3_i64, 998];
/// let options = SampledSoftmaxOptions {
///     num_sampled: 16,
///     sampler: Sampler::Uniform,
///     seed: 42,
///     ..Default::default()
/// };
/// let loss = sampled_softmax_loss(&inputs, &weights, &labels, &options)?;
/// assert!(loss.scalar().unwrap() >= 0.0);
/// assert_eq!(loss.grad.sample.sampled.len(), 16);
/// // Only the labels' and the sampled classes' rows have a gradient.
/// assert!(loss.grad.weights.rows.len() <= 2 + 16);
/// assert!(loss.grad.weights.rows.contains(&998));
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn sampled_softmax_loss<'a, T: Real>(
    inputs: impl AsTensor<'a, T>,
    weights: impl AsTensor<'a, T>,
    labels: impl AsTensor<'a, i64>,
    options: &SampledSoftmaxOptions<'_, T>,
) -> Result<Loss<T, SampledSoftmaxGrad<T>>> {
    let inputs = matrix(
        inputs.as_tensor(),
        "inputs",
        "[N, D]: one hidden state per row",
    )?;
    let weights = matrix(
        weights.as_tensor(),
        "weights",
        "[V, D]: one embedding per class",
    )?;
    let (batch, dim, num_classes) = (inputs.nrows(), inputs.ncols(), weights.nrows());
    check_weights(weights.shape(), dim)?;
    let labels = class_ids(&labels.as_tensor(), batch, num_classes)?;
    if let Some(biases) = &options.biases {
        expect_shape(
            NAME,
            "biases",
            biases.shape(),
            &[num_classes],
            "one bias per class",
        )?;
    }
    check_grad_output(options, batch)?;
    let sample = draw_candidates(
        NAME,
        options.sampler,
        num_classes,
        options.num_sampled,
        options.unique,
        options.seed,
        &labels,
    )?;

    let x: Vec<f64> = inputs.iter().map(|v| v.to_f64()).collect();
    let touched = Touched::gather(&weights, options.biases.as_ref(), &labels, &sample.sampled);
    let logits = corrected_logits(&x, &touched, &labels, &sample, options);
    let upstream = options.grad_output.as_ref().map(|g| g.mapv(Real::to_f64));
    let target = Array1::<i64>::zeros(batch);
    let ce = cross_entropy(
        &logits,
        &target,
        &CrossEntropyOptions {
            reduction: options.reduction,
            grad_output: upstream.as_ref().map(|g| g.view()),
            ..CrossEntropyOptions::default()
        },
    )?;
    let d_logits: Vec<f64> = ce.grad.input.iter().copied().collect();
    let grads = chain_rule(&x, &touched, &labels, &sample.sampled, &d_logits);

    Ok(Loss {
        value: ce.value.mapv(T::from_f64),
        grad: SampledSoftmaxGrad {
            inputs: matrix_of(batch, dim, &grads.inputs),
            weights: SparseRows {
                rows: touched.rows.clone(),
                values: matrix_of(touched.rows.len(), dim, &grads.weights),
            },
            biases: options.biases.as_ref().map(|_| SparseEntries {
                rows: touched.rows.clone(),
                values: grads.biases.iter().map(|&g| T::from_f64(g)).collect(),
            }),
            sample,
        },
    })
}

/// The classes whose logits are computed (labels and candidates, sorted and distinct), with
/// their weight rows and biases widened to `f64`. Only these rows of `weights` are ever read.
struct Touched {
    rows: Vec<usize>,
    dim: usize,
    weights: Vec<f64>,
    biases: Vec<f64>,
}

impl Touched {
    fn gather<T: Real>(
        weights: &ArrayView2<'_, T>,
        biases: Option<&ArrayView1<'_, T>>,
        labels: &[usize],
        sampled: &[usize],
    ) -> Self {
        let mut rows: Vec<usize> = labels.iter().chain(sampled).copied().collect();
        rows.sort_unstable();
        rows.dedup();
        let widen = |r: usize| {
            weights
                .row(r)
                .iter()
                .map(|v| v.to_f64())
                .collect::<Vec<_>>()
        };
        Touched {
            dim: weights.ncols(),
            weights: rows.iter().flat_map(|&r| widen(r)).collect(),
            biases: rows
                .iter()
                .map(|&r| biases.map_or(0.0, |b| b[r].to_f64()))
                .collect(),
            rows,
        }
    }

    /// Where `class` (one of the touched rows) sits in `rows`.
    fn slot(&self, class: usize) -> usize {
        self.rows.partition_point(|&r| r < class)
    }

    fn weight_row(&self, slot: usize) -> &[f64] {
        &self.weights[slot * self.dim..(slot + 1) * self.dim]
    }

    /// `x . w_class + b_class`.
    fn logit(&self, x: &[f64], class: usize) -> f64 {
        let slot = self.slot(class);
        let dot = sum(x.iter().zip(self.weight_row(slot)).map(|(a, b)| a * b));
        dot + self.biases[slot]
    }
}

/// The `[N, 1 + k]` logits: the true class in column 0, then the candidates in draw order,
/// each minus `log E(c)`, with accidental hits at `-inf`.
fn corrected_logits<T>(
    x: &[f64],
    touched: &Touched,
    labels: &[usize],
    sample: &CandidateSample,
    options: &SampledSoftmaxOptions<'_, T>,
) -> Array2<f64> {
    let log_q = |expected: f64| {
        if options.subtract_log_q {
            expected.ln()
        } else {
            0.0
        }
    };
    let dim = touched.dim;
    let columns = sample.sampled.len() + 1;
    let mut logits = Array2::zeros((labels.len(), columns));
    for (n, (mut out, &label)) in logits.rows_mut().into_iter().zip(labels).enumerate() {
        let x_n = &x[n * dim..(n + 1) * dim];
        out[0] = touched.logit(x_n, label) - log_q(sample.true_expected_count[n]);
        for (j, (&class, &expected)) in sample
            .sampled
            .iter()
            .zip(&sample.sampled_expected_count)
            .enumerate()
        {
            out[j + 1] = if options.remove_accidental_hits && class == label {
                f64::NEG_INFINITY
            } else {
                touched.logit(x_n, class) - log_q(expected)
            };
        }
    }
    logits
}

/// Gradients of `inputs`, of the touched weight rows and of their biases (row-major `f64`).
struct DenseGrads {
    inputs: Vec<f64>,
    weights: Vec<f64>,
    biases: Vec<f64>,
}

/// Back-propagates `d_logits` (`[N, 1 + k]`, row-major) through `z(n, c) = x_n . w_c + b_c`.
fn chain_rule(
    x: &[f64],
    touched: &Touched,
    labels: &[usize],
    sampled: &[usize],
    d_logits: &[f64],
) -> DenseGrads {
    let dim = touched.dim;
    let columns = sampled.len() + 1;
    let mut grads = DenseGrads {
        inputs: vec![0.0; x.len()],
        weights: vec![0.0; touched.weights.len()],
        biases: vec![0.0; touched.rows.len()],
    };
    for (n, &label) in labels.iter().enumerate() {
        let x_n = &x[n * dim..(n + 1) * dim];
        let ids = iter::once(label).chain(sampled.iter().copied());
        for (&g, class) in d_logits[n * columns..(n + 1) * columns].iter().zip(ids) {
            let slot = touched.slot(class);
            grads.biases[slot] += g;
            let w = touched.weight_row(slot);
            let grad_x = &mut grads.inputs[n * dim..(n + 1) * dim];
            for (gx, &wk) in grad_x.iter_mut().zip(w) {
                *gx += g * wk;
            }
            let grad_w = &mut grads.weights[slot * dim..(slot + 1) * dim];
            for (gw, &xk) in grad_w.iter_mut().zip(x_n) {
                *gw += g * xk;
            }
        }
    }
    grads
}

/// Views a tensor as a matrix, or explains the expected shape.
fn matrix<'v, T>(
    view: ArrayViewD<'v, T>,
    arg: &'static str,
    expected: &str,
) -> Result<ArrayView2<'v, T>> {
    let found = view.shape().to_vec();
    view.into_dimensionality::<Ix2>()
        .map_err(|_| LossError::Shape {
            loss: NAME,
            arg,
            found,
            expected: expected.to_string(),
            fix: format!("pass `{arg}` as a 2-D array"),
        })
}

/// `weights` must have at least one row and the inputs' `D` columns.
fn check_weights(shape: &[usize], dim: usize) -> Result<()> {
    let classes = shape.first().copied().unwrap_or(0);
    if classes > 0 && shape.get(1) == Some(&dim) {
        return Ok(());
    }
    Err(LossError::Shape {
        loss: NAME,
        arg: "weights",
        found: shape.to_vec(),
        expected: format!("[V, {dim}]: V >= 1 class embeddings of the inputs' size {dim}"),
        fix: "pass the output embedding with one row per class, as wide as `inputs`".to_string(),
    })
}

/// The labels as class ids, after checking there is one per row and each is in `0..V`.
fn class_ids(labels: &ArrayViewD<'_, i64>, batch: usize, classes: usize) -> Result<Vec<usize>> {
    expect_shape(
        NAME,
        "labels",
        labels.shape(),
        &[batch],
        "one class index per row of `inputs` (num_true = 1; reshape [N, 1] labels to [N])",
    )?;
    labels
        .iter()
        .enumerate()
        .map(|(i, &label)| {
            usize::try_from(label)
                .ok()
                .filter(|&c| c < classes)
                .ok_or_else(|| LossError::ClassIndex {
                    loss: NAME,
                    arg: "labels",
                    position: position(&[batch], i),
                    value: label,
                    classes,
                    ignore_index: None,
                })
        })
        .collect()
}

/// Checks `grad_output` against the value's shape before any work is done.
fn check_grad_output<T: Real>(options: &SampledSoftmaxOptions<'_, T>, batch: usize) -> Result<()> {
    match (options.reduction, options.grad_output.as_ref()) {
        (_, None) => Ok(()),
        (Reduction::None, Some(upstream)) => expect_shape(
            NAME,
            "grad_output",
            upstream.shape(),
            &[batch],
            "one value per row: the shape of the unreduced loss",
        ),
        (Reduction::Mean | Reduction::Sum, Some(upstream)) => {
            scalar_upstream(NAME, Some(upstream)).map(|_| ())
        }
    }
}

/// A `[rows, cols]` array of `T` from row-major `f64` data of that length.
fn matrix_of<T: Real>(rows: usize, cols: usize, data: &[f64]) -> Array2<T> {
    Array2::from_shape_fn((rows, cols), |(i, j)| T::from_f64(data[i * cols + j]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn every_class_sampled_gives_the_full_cross_entropy() {
        // With k = V and unique sampling, every class is a candidate; the label's own candidate
        // is removed, and with a uniform sampler the correction is a per-row constant.
        let weights = array![[1.0_f64, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let inputs = array![[0.3, -0.2]];
        let options = SampledSoftmaxOptions {
            num_sampled: 3,
            sampler: Sampler::Uniform,
            ..Default::default()
        };
        let loss = sampled_softmax_loss(&inputs, &weights, &array![2_i64], &options).unwrap();
        let z = [0.3_f64, -0.2, 0.1];
        let full = z.iter().map(|v| v.exp()).sum::<f64>().ln() - z[2];
        assert!((loss.scalar().unwrap() - full).abs() < 1e-14);
    }
}
