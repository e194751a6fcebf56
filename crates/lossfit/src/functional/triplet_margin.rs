//! Triplet margin loss, and the pairwise p-norm distance (`F.pairwise_distance`) it shares
//! with the contrastive loss and InfoNCE's normalisation.

use ndarray::ArrayViewD;

use super::margin_ranking::{hinge, hinge_slope};
use super::math::sum;
use super::reduce::reduce;
use crate::output::gradients;
use crate::tensor::{Dense, check_param, expect_same_shape, to_array};
use crate::{AsTensor, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "triplet_margin_loss";

gradients! {
    /// The gradients of [`triplet_margin_loss`].
    TripletGrad {
        /// d loss / d anchor.
        anchor,
        /// d loss / d positive.
        positive,
        /// d loss / d negative.
        negative,
    }
}

/// Options of [`triplet_margin_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::TripletMarginOptions;
///
/// let options = TripletMarginOptions::<f32> { p: 1.0, swap: true, ..Default::default() };
/// assert_eq!((options.margin, options.eps), (1.0, 1e-6));
/// ```
#[derive(Clone, Debug)]
pub struct TripletMarginOptions<'a, T> {
    /// How much closer the positive must be than the negative; must be `> 0`. Default 1.
    pub margin: f64,
    /// The norm of the distance: any real (PyTorch's `norm` semantics: 1, 2, 3, ..., fractional,
    /// `f64::INFINITY` for the max norm; 0 counts non-zero entries). Default 2.
    pub p: f64,
    /// Added to every difference before the norm, so identical vectors keep a gradient.
    /// Default `1e-6`.
    pub eps: f64,
    /// Use `min(d(a, n), d(p, n))` as the negative distance (Balntas et al. 2016). Default off.
    pub swap: bool,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for TripletMarginOptions<'_, T> {
    fn default() -> Self {
        TripletMarginOptions {
            margin: 1.0,
            p: 2.0,
            eps: 1e-6,
            swap: false,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Triplet margin loss (`torch.nn.functional.triplet_margin_loss`).
///
/// ```text
/// d(u, v) = ||u - v + eps||_p            over the last dimension (F.pairwise_distance)
/// d_neg   = swap ? min(d(a, n), d(p, n)) : d(a, n)
/// l       = max(0, margin + d(a, p) - d_neg)
/// d l / d a = [l > 0] (grad d(a, p) / d a - grad d(a, n) / d a)   (and so on for p and n)
/// d ||z||_p / d z_k = sgn(z_k) |z_k|^(p-1) / ||z||_p^(p-1)    (0 where ||z|| = 0)
/// ```
/// The norm's gradient follows PyTorch's branches exactly: `p = 1` gives `sgn(z)`, the
/// infinity norms split the gradient evenly among the entries that attain it, `p < 1` gives
/// 0 for zero entries, and `p = 0` (a count) has no gradient. At the kink `l = 0` the gradient
/// is 0, and a swap tie `d(a, n) == d(p, n)` splits the gradient in halves, as PyTorch's
/// autograd does.
///
/// # Shapes
/// `anchor`, `positive` and `negative` of the same shape `(N, D)` (any number of leading
/// dimensions) or unbatched `(D,)`; the unreduced value has the shape without the last
/// dimension. PyTorch broadcasts tensors of the same number of dimensions; lossfit requires
/// the same shape.
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) for `margin <= 0` (PyTorch raises the
/// same); [`LossError::Shape`](crate::LossError::Shape) when the shapes differ, `grad_output`
/// does not fit the value, or the last dimension is empty with a norm that has no value on
/// empty vectors (`p < 0` or infinite, as PyTorch).
///
/// ```
/// use lossfit::functional::{triplet_margin_loss, TripletMarginOptions};
/// use ndarray::array;
///
/// let anchor = array![[0.0_f64, 0.0]];
/// let positive = array![[3.0_f64, 4.0]];
/// let negative = array![[0.0_f64, 1.0]];
/// let options = TripletMarginOptions { eps: 0.0, ..Default::default() };
/// let loss = triplet_margin_loss(&anchor, &positive, &negative, &options)?;
/// // 1 + 5 - 1
/// assert_eq!(loss.scalar(), Some(5.0));
/// assert_eq!(loss.grad.positive, array![[0.6, 0.8]].into_dyn());
/// assert_eq!(loss.grad.negative, array![[0.0, -1.0]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn triplet_margin_loss<'a, T: Real>(
    anchor: impl AsTensor<'a, T>,
    positive: impl AsTensor<'a, T>,
    negative: impl AsTensor<'a, T>,
    options: &TripletMarginOptions<'_, T>,
) -> Result<Loss<T, TripletGrad<T>>> {
    let (anchor, positive, negative) = (
        anchor.as_tensor(),
        positive.as_tensor(),
        negative.as_tensor(),
    );
    let margin = options.margin;
    // PyTorch rejects `margin <= 0`, which lets NaN through (the loss is then NaN).
    check_param(
        NAME,
        "margin",
        margin,
        margin > 0.0 || margin.is_nan(),
        "expected margin > 0 (PyTorch rejects 0 and negative margins); the default is 1.0",
    )?;
    expect_same_shape(
        NAME,
        ("anchor", anchor.shape()),
        ("positive", positive.shape()),
    )?;
    expect_same_shape(
        NAME,
        ("anchor", anchor.shape()),
        ("negative", negative.shape()),
    )?;
    let rows = Rows::of(NAME, "anchor", anchor.shape(), options.p)?;
    let (a, p, n) = (
        Dense::from_view(&anchor),
        Dense::from_view(&positive),
        Dense::from_view(&negative),
    );
    let metric = Pairwise {
        p: options.p,
        eps: options.eps,
        rows: rows.clone(),
    };
    let to_positive = metric.distances(&a.data, &p.data);
    let to_negative = metric.distances(&a.data, &n.data);
    let swapped = options.swap.then(|| metric.distances(&p.data, &n.data));
    let d_neg: Vec<f64> = match &swapped {
        Some(swapped) => to_negative
            .norms
            .iter()
            .zip(&swapped.norms)
            .map(|(&dn, &ds)| minimum(dn, ds))
            .collect(),
        None => to_negative.norms.clone(),
    };
    let unclamped: Vec<f64> = to_positive
        .norms
        .iter()
        .zip(&d_neg)
        .map(|(dp, dn)| margin + dp - dn)
        .collect();
    let reduced = reduce(
        NAME,
        unclamped.iter().map(|&u| hinge(u)).collect(),
        &rows.value_shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let active: Vec<f64> = (0..rows.count)
        .map(|i| reduced.seed.at(i) * hinge_slope(unclamped[i]))
        .collect();
    let mut grad_a = vec![0.0; a.data.len()];
    let mut grad_p = vec![0.0; p.data.len()];
    let mut grad_n = vec![0.0; n.data.len()];
    metric.backward(&to_positive, &active, &mut grad_a, &mut grad_p);
    let neg_grad: Vec<f64> = active.iter().map(|g| -g).collect();
    match &swapped {
        Some(swapped) => {
            let (to_n, to_s): (Vec<f64>, Vec<f64>) = (0..rows.count)
                .map(|i| minimum_backward(neg_grad[i], to_negative.norms[i], swapped.norms[i]))
                .unzip();
            metric.backward(&to_negative, &to_n, &mut grad_a, &mut grad_n);
            metric.backward(swapped, &to_s, &mut grad_p, &mut grad_n);
        }
        None => metric.backward(&to_negative, &neg_grad, &mut grad_a, &mut grad_n),
    }
    Ok(Loss {
        value: reduced.value,
        grad: TripletGrad {
            anchor: to_array(&a.shape, grad_a),
            positive: to_array(&p.shape, grad_p),
            negative: to_array(&n.shape, grad_n),
        },
    })
}

/// `torch.minimum`: NaN when either is NaN.
fn minimum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// The gradient `torch.minimum(a, b)` passes to `a` and to `b`: all of it to the smaller one,
/// half to each on a tie.
fn minimum_backward(grad: f64, a: f64, b: f64) -> (f64, f64) {
    let share = if a == b { grad / 2.0 } else { grad };
    (
        if a > b { 0.0 } else { share },
        if a < b { 0.0 } else { share },
    )
}

/// A tensor seen as vectors along its last dimension (a 0-dimensional tensor is one vector of
/// length 1), as `F.pairwise_distance` sees it.
#[derive(Clone, Debug)]
pub(super) struct Rows {
    /// The shape of one value per vector: the tensor's shape without its last dimension.
    pub(super) value_shape: Vec<usize>,
    /// How many vectors.
    pub(super) count: usize,
    /// The length of each vector.
    pub(super) len: usize,
}

impl Rows {
    /// The rows of a tensor of `shape` whose distances use the `p`-norm.
    pub(super) fn of(
        loss: &'static str,
        arg: &'static str,
        shape: &[usize],
        p: f64,
    ) -> Result<Self> {
        let (len, value_shape) = match shape.split_last() {
            Some((&len, outer)) => (len, outer.to_vec()),
            None => (1, Vec::new()),
        };
        let count = value_shape.iter().product();
        if len == 0 && count > 0 && (p < 0.0 || p.is_infinite()) {
            return Err(LossError::Shape {
                loss,
                arg,
                found: shape.to_vec(),
                expected: format!("a non-empty last dimension for the p = {p} norm"),
                fix: "the norm of an empty vector is undefined for p < 0 and p = ±inf (PyTorch \
                      raises too); pass vectors with at least one entry or use p >= 0"
                    .to_string(),
            });
        }
        Ok(Rows {
            value_shape,
            count,
            len,
        })
    }
}

/// `||x1 - x2 + eps||_p` between matching vectors (`F.pairwise_distance`).
#[derive(Clone, Debug)]
pub(super) struct Pairwise {
    pub(super) p: f64,
    pub(super) eps: f64,
    /// How the tensors split into vectors.
    pub(super) rows: Rows,
}

/// The distances between two sets of vectors, with the differences their gradient needs.
#[derive(Clone, Debug)]
pub(super) struct Distances {
    /// `x1 - x2 + eps`, row-major.
    pub(super) diffs: Vec<f64>,
    /// One norm per vector.
    pub(super) norms: Vec<f64>,
}

impl Pairwise {
    /// The distance of each pair of vectors of `x1` and `x2` (same length).
    pub(super) fn distances(&self, x1: &[f64], x2: &[f64]) -> Distances {
        let diffs: Vec<f64> = x1.iter().zip(x2).map(|(a, b)| a - b + self.eps).collect();
        let norms = self.rows(&diffs).map(|z| vector_norm(z, self.p)).collect();
        Distances { diffs, norms }
    }

    /// Adds `grad[i] * d dist_i / d x1` to `grad1` and subtracts it from `grad2`.
    pub(super) fn backward(
        &self,
        distances: &Distances,
        grad: &[f64],
        grad1: &mut [f64],
        grad2: &mut [f64],
    ) {
        let len = self.rows.len;
        let mut row_grad = vec![0.0; len];
        for (i, z) in self.rows(&distances.diffs).enumerate() {
            vector_norm_backward(z, self.p, distances.norms[i], grad[i], &mut row_grad);
            let span = i * len..(i + 1) * len;
            for ((g1, g2), &g) in grad1[span.clone()]
                .iter_mut()
                .zip(&mut grad2[span])
                .zip(&row_grad)
            {
                *g1 += g;
                *g2 -= g;
            }
        }
    }

    /// The vectors of row-major `data` (empty ones when the last dimension is empty).
    fn rows<'d>(&self, data: &'d [f64]) -> impl Iterator<Item = &'d [f64]> + use<'d> {
        let len = self.rows.len;
        (0..self.rows.count).map(move |i| &data[i * len..(i + 1) * len])
    }
}

/// `torch.sgn` on reals: -1, 0 or 1, and 0 for NaN.
fn sgn(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The `p`-norm of `z` as `torch.linalg.vector_norm`: `p = 0` counts non-zero entries, `±inf`
/// are the largest and smallest magnitudes (NaN if any entry is NaN).
pub(super) fn vector_norm(z: &[f64], p: f64) -> f64 {
    let magnitudes = z.iter().map(|x| x.abs());
    if p == 0.0 {
        z.iter().filter(|&&x| x != 0.0).count() as f64
    } else if p == 1.0 {
        sum(magnitudes)
    } else if p == 2.0 {
        sum(z.iter().map(|x| x * x)).sqrt()
    } else if p == f64::INFINITY {
        magnitudes.fold(0.0, |acc: f64, x| {
            if x.is_nan() || acc.is_nan() {
                f64::NAN
            } else {
                acc.max(x)
            }
        })
    } else if p == f64::NEG_INFINITY {
        magnitudes.fold(f64::INFINITY, |acc: f64, x| {
            if x.is_nan() || acc.is_nan() {
                f64::NAN
            } else {
                acc.min(x)
            }
        })
    } else {
        sum(magnitudes.map(|x| x.powf(p))).powf(1.0 / p)
    }
}

/// Writes `grad * d ||z||_p / d z` into `out`, branch for branch as PyTorch's `norm_backward`
/// (which fixes the subgradients: 0 where the norm is 0, `sgn(0) = 0`, ties of the infinity
/// norms share the gradient evenly).
pub(super) fn vector_norm_backward(z: &[f64], p: f64, norm: f64, grad: f64, out: &mut [f64]) {
    // The factor applied to every entry after its own term, 0 where the norm is 0.
    let masked = |scale: f64| if norm == 0.0 { 0.0 } else { scale };
    if p == 0.0 {
        out.fill(0.0);
    } else if p == 1.0 {
        for (o, &x) in out.iter_mut().zip(z) {
            *o = sgn(x) * grad;
        }
    } else if p == 2.0 {
        for (o, &x) in out.iter_mut().zip(z) {
            *o = grad * masked(x / norm);
        }
    } else if p.is_infinite() {
        let attains = |x: f64| x.abs() == norm || x.is_nan();
        let ties = z.iter().filter(|&&x| attains(x)).count() as f64;
        for (o, &x) in out.iter_mut().zip(z) {
            *o = sgn(x) * (grad / ties * if attains(x) { 1.0 } else { 0.0 });
        }
    } else if p < 1.0 {
        let scale = norm.powf(1.0 - p);
        for (o, &x) in out.iter_mut().zip(z) {
            let power = if x == 0.0 { 0.0 } else { x.abs().powf(p - 1.0) };
            *o = sgn(x) * power * grad * scale;
        }
    } else {
        let scale = masked(grad / norm.powf(p - 1.0));
        for (o, &x) in out.iter_mut().zip(z) {
            let term = if p < 2.0 {
                sgn(x) * x.abs().powf(p - 1.0)
            } else {
                x * x.abs().powf(p - 2.0)
            };
            *o = term * scale;
        }
    }
}
