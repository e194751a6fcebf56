//! InfoNCE (van den Oord et al. 2018): contrastive cross-entropy over in-batch negatives.

use ndarray::ArrayViewD;

use super::math::{log_softmax, sum};
use super::reduce::reduce;
use super::triplet_margin::{vector_norm, vector_norm_backward};
use crate::output::gradients;
use crate::tensor::{Dense, check_param, expect_same_shape, to_array};
use crate::{AsTensor, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "info_nce";

/// `F.normalize`'s floor on the norm, so a zero vector normalises to zero instead of NaN.
const NORMALIZE_EPS: f64 = 1e-12;

gradients! {
    /// The gradients of [`info_nce`].
    QueryKeyGrad {
        /// d loss / d query.
        query,
        /// d loss / d key.
        key,
    }
}

/// Options of [`info_nce`].
///
/// ```
/// use lossfit::functional::InfoNceOptions;
///
/// let options = InfoNceOptions::<f32> { temperature: 0.1, ..Default::default() };
/// assert_eq!(InfoNceOptions::<f32>::default().temperature, 0.07);
/// assert_eq!(options.temperature, 0.1);
/// ```
#[derive(Clone, Debug)]
pub struct InfoNceOptions<'a, T> {
    /// Divides the cosine similarities; `> 0`. Smaller values sharpen the softmax.
    /// Default 0.07, the usual choice in contrastive pretraining.
    pub temperature: f64,
    /// Default [`Reduction::Mean`] (over the N queries).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for InfoNceOptions<'_, T> {
    fn default() -> Self {
        InfoNceOptions {
            temperature: 0.07,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// InfoNCE with in-batch negatives: query `i` should match key `i` among all `N` keys. PyTorch
/// has no builtin; this is the definition of lossfit's DESIGN.md, written with PyTorch's
/// `F.normalize` and `F.cross_entropy`.
///
/// ```text
/// q^_i = q_i / max(||q_i||_2, 1e-12)     k^_j = k_j / max(||k_j||_2, 1e-12)
/// s_ij = q^_i . k^_j / temperature
/// l_i  = -log softmax(s_i)[i]
/// G_ij = g_i (softmax(s_i)[j] - [i == j]) / temperature       (g_i: the seed of l_i)
/// d / d q^_i = sum_j G_ij k^_j       d / d k^_j = sum_i G_ij q^_i
/// d / d q_i  = (d/d q^_i - q^_i (q^_i . d/d q^_i)) / ||q_i||    (d/d q^_i / 1e-12 below the floor)
/// ```
/// Every key appears in every row's softmax, so with [`Reduction::None`] the gradient of key
/// `j` sums the upstream-weighted contributions of all rows.
///
/// # Shapes
/// `query` and `key` both `(N, D)`; the unreduced value is `(N,)`.
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) for a temperature that is not `> 0`;
/// [`LossError::Shape`](crate::LossError::Shape) when `query` is not 2-dimensional, `key`'s
/// shape differs from it, or `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{info_nce, InfoNceOptions};
/// use ndarray::array;
///
/// let query = array![[1.0_f64, 0.0], [0.0, 2.0]];
/// let key = array![[3.0_f64, 0.0], [0.0, 1.0]];
/// let options = InfoNceOptions { temperature: 1.0, ..Default::default() };
/// let loss = info_nce(&query, &key, &options)?;
/// // each query is parallel to its key and orthogonal to the other: logits [[1, 0], [0, 1]]
/// let expected = (1.0 + (-1.0_f64).exp()).ln();
/// assert!((loss.scalar().unwrap() - expected).abs() < 1e-12);
/// assert!(loss.grad.query[[0, 1]] > 0.0); // turning query 0 towards key 1 raises the loss
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn info_nce<'a, T: Real>(
    query: impl AsTensor<'a, T>,
    key: impl AsTensor<'a, T>,
    options: &InfoNceOptions<'_, T>,
) -> Result<Loss<T, QueryKeyGrad<T>>> {
    let (query, key) = (query.as_tensor(), key.as_tensor());
    let temperature = options.temperature;
    check_param(
        NAME,
        "temperature",
        temperature,
        temperature > 0.0,
        "expected temperature > 0; 0.07 (the default) to 1.0 are common",
    )?;
    let [n, dim] = *query.shape() else {
        return Err(LossError::Shape {
            loss: NAME,
            arg: "query",
            found: query.shape().to_vec(),
            expected: "(N, D): one embedding per row".to_string(),
            fix: "stack the queries into an (N, D) matrix; key i must be the positive of query i"
                .to_string(),
        });
    };
    expect_same_shape(NAME, ("query", query.shape()), ("key", key.shape()))?;
    let (query_data, key_data) = (Dense::from_view(&query).data, Dense::from_view(&key).data);
    let q = Normalized::of(&query_data, n, dim);
    let k = Normalized::of(&key_data, n, dim);

    let mut log_p = vec![0.0; n * n];
    let mut logits = vec![0.0; n];
    let mut elems = Vec::with_capacity(n);
    for i in 0..n {
        for (j, logit) in logits.iter_mut().enumerate() {
            *logit = dot(q.row(i), k.row(j)) / temperature;
        }
        let row_log_p = &mut log_p[i * n..(i + 1) * n];
        log_softmax(&logits, row_log_p);
        elems.push(-row_log_p[i]);
    }
    let reduced = reduce(
        NAME,
        elems,
        &[n],
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    // d / d logits, then through the similarity matrix to the normalised vectors
    let grad_logits: Vec<f64> = (0..n * n)
        .map(|ij| {
            let (i, j) = (ij / n, ij % n);
            let onehot = if i == j { 1.0 } else { 0.0 };
            reduced.seed.at(i) * (log_p[ij].exp() - onehot) / temperature
        })
        .collect();
    let mut grad_q_hat = vec![0.0; n * dim];
    let mut grad_k_hat = vec![0.0; n * dim];
    for i in 0..n {
        for c in 0..dim {
            grad_q_hat[i * dim + c] =
                sum((0..n).map(|j| grad_logits[i * n + j] * k.unit[j * dim + c]));
            grad_k_hat[i * dim + c] =
                sum((0..n).map(|r| grad_logits[r * n + i] * q.unit[r * dim + c]));
        }
    }
    Ok(Loss {
        value: reduced.value,
        grad: QueryKeyGrad {
            query: to_array(query.shape(), q.backward(&grad_q_hat)),
            key: to_array(key.shape(), k.backward(&grad_k_hat)),
        },
    })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    sum(a.iter().zip(b).map(|(x, y)| x * y))
}

/// Rows scaled to unit length as `F.normalize(x, dim=1)`, with what their gradient needs.
struct Normalized<'x> {
    raw: &'x [f64],
    dim: usize,
    /// `||x_i||_2` per row.
    norms: Vec<f64>,
    /// `max(||x_i||_2, 1e-12)` per row.
    denoms: Vec<f64>,
    /// `x_i / denom_i`, row-major.
    unit: Vec<f64>,
}

impl<'x> Normalized<'x> {
    fn of(raw: &'x [f64], rows: usize, dim: usize) -> Self {
        let norms: Vec<f64> = (0..rows)
            .map(|i| vector_norm(&raw[i * dim..(i + 1) * dim], 2.0))
            .collect();
        // clamp_min keeps a NaN norm NaN (f64::max would not)
        let denoms: Vec<f64> = norms
            .iter()
            .map(|&norm| {
                if norm.is_nan() || norm > NORMALIZE_EPS {
                    norm
                } else {
                    NORMALIZE_EPS
                }
            })
            .collect();
        let unit = raw
            .iter()
            .enumerate()
            .map(|(flat, x)| x / denoms[flat / dim])
            .collect();
        Normalized {
            raw,
            dim,
            norms,
            denoms,
            unit,
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.unit[i * self.dim..(i + 1) * self.dim]
    }

    /// The gradient with respect to the raw rows, given the gradient of the unit rows; the
    /// steps of PyTorch's graph: `x / denom`, `clamp_min(norm, 1e-12)`, `norm`.
    fn backward(&self, grad_unit: &[f64]) -> Vec<f64> {
        let dim = self.dim;
        let mut grad = vec![0.0; self.raw.len()];
        let mut norm_grad = vec![0.0; dim];
        for (i, (&norm, &denom)) in self.norms.iter().zip(&self.denoms).enumerate() {
            let span = i * dim..(i + 1) * dim;
            let (x, g_unit) = (&self.raw[span.clone()], &grad_unit[span.clone()]);
            let grad_denom = -sum(x.iter().zip(g_unit).map(|(x, g)| g * ((x / denom) / denom)));
            let grad_norm = if norm > NORMALIZE_EPS {
                grad_denom
            } else {
                0.0
            };
            vector_norm_backward(x, 2.0, norm, grad_norm, &mut norm_grad);
            for ((out, g), ng) in grad[span].iter_mut().zip(g_unit).zip(&norm_grad) {
                *out = g / denom + ng;
            }
        }
        grad
    }
}
