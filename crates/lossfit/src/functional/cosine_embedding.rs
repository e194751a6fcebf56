//! Cosine embedding loss: pull similar pairs to cosine 1, push dissimilar ones below a margin.

use ndarray::ArrayViewD;

use super::margin_ranking::{hinge, hinge_slope};
use super::math::sum;
use super::reduce::reduce;
use crate::output::gradients;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "cosine_embedding_loss";

/// PyTorch adds this to each squared magnitude so that zero vectors have cosine 0 instead of
/// NaN. It is the `float` constant `1e-12` widened to `f64` (PyTorch declares it `float`), not
/// the `f64` `1e-12`; the difference shows for vectors of norm near `1e-6`.
const EPSILON: f64 = 1e-12_f32 as f64;

gradients! {
    /// The gradients of a loss of two embeddings ([`cosine_embedding_loss`]).
    EmbeddingPairGrad {
        /// d loss / d input1.
        input1,
        /// d loss / d input2.
        input2,
    }
}

/// Options of [`cosine_embedding_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::CosineEmbeddingOptions;
///
/// let options = CosineEmbeddingOptions::<f32> { margin: 0.2, ..Default::default() };
/// assert_eq!(CosineEmbeddingOptions::<f32>::default().margin, 0.0);
/// assert_eq!(options.margin, 0.2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CosineEmbeddingOptions<'a, T> {
    /// Dissimilar pairs are penalised only while their cosine exceeds this. PyTorch suggests
    /// `[-1, 1]` (0 to 0.5 in practice) but accepts any value, and so does lossfit. Default 0.
    pub margin: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Cosine embedding loss (`torch.nn.functional.cosine_embedding_loss`).
///
/// ```text
/// m1 = sum x1^2 + EPS     m2 = sum x2^2 + EPS      (EPS = 1e-12 as f32, as PyTorch)
/// cos = sum(x1 * x2) / sqrt(m1 * m2)
/// l = 1 - cos                   if y == 1
///     max(0, cos - margin)      if y == -1
///     0                         otherwise (PyTorch's where() formulation)
/// d cos / d x1 = x2 / sqrt(m1 m2) - cos * x1 / m1      (symmetrically for x2)
/// d l / d cos  = -1 if y == 1; [cos - margin > 0] if y == -1; 0 otherwise
/// ```
/// The gradient is evaluated in the order of PyTorch's autograd graph, so even zero vectors
/// (cosine 0, gradient `x2 / sqrt(EPS * m2)`) match PyTorch. The target is only compared, so it
/// has no gradient (PyTorch's autograd has none either).
///
/// # Shapes
/// `input1` and `input2` both `(N, D)` with `target` `(N,)`, or both unbatched `(D,)` with a
/// 0-dimensional `target`; the unreduced value has the target's shape. PyTorch broadcasts
/// `input1` against `input2`; lossfit requires the same shape.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when `target` is neither 0- nor
/// 1-dimensional, the inputs do not have the layout the target implies, `input1` and `input2`
/// differ in shape, or `grad_output` does not fit the value.
///
/// ```
/// use lossfit::functional::{cosine_embedding_loss, CosineEmbeddingOptions};
/// use ndarray::array;
///
/// let a = array![[1.0_f64, 0.0], [1.0, 1.0]];
/// let b = array![[0.0_f64, 2.0], [2.0, 2.0]];
/// let target = array![1.0_f64, -1.0];
/// let options = CosineEmbeddingOptions { margin: 0.5, ..Default::default() };
/// let loss = cosine_embedding_loss(&a, &b, &target, &options)?;
/// // orthogonal but similar: 1 - 0; parallel but dissimilar: 1 - 0.5
/// assert!((loss.scalar().unwrap() - 0.75).abs() < 1e-12);
/// // moving a[0] towards b[0] lowers the loss
/// assert!(loss.grad.input1[[0, 1]] < 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn cosine_embedding_loss<'a, T: Real>(
    input1: impl AsTensor<'a, T>,
    input2: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &CosineEmbeddingOptions<'_, T>,
) -> Result<Loss<T, EmbeddingPairGrad<T>>> {
    let (input1, input2, target) = (input1.as_tensor(), input2.as_tensor(), target.as_tensor());
    let dim = check_layout(input1.shape(), target.shape())?;
    expect_same_shape(NAME, ("input1", input1.shape()), ("input2", input2.shape()))?;
    let (x1, x2, y) = (
        Dense::from_view(&input1),
        Dense::from_view(&input2),
        Dense::from_view(&target),
    );
    let pairs: Vec<Cosine> = (0..y.data.len())
        .map(|i| {
            let rows = i * dim..(i + 1) * dim;
            Cosine::of(&x1.data[rows.clone()], &x2.data[rows])
        })
        .collect();
    let margin = options.margin;
    let elems = pairs
        .iter()
        .zip(&y.data)
        .map(|(pair, &y)| {
            let similar = if y == 1.0 { 1.0 - pair.cos } else { 0.0 };
            let dissimilar = if y == -1.0 {
                hinge(pair.cos - margin)
            } else {
                0.0
            };
            similar + dissimilar
        })
        .collect();
    let reduced = reduce(
        NAME,
        elems,
        &y.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad1 = vec![0.0; x1.data.len()];
    let mut grad2 = vec![0.0; x2.data.len()];
    for (i, (pair, &y)) in pairs.iter().zip(&y.data).enumerate() {
        let g = reduced.seed.at(i);
        let similar = if y == 1.0 { g } else { 0.0 };
        let dissimilar = if y == -1.0 { g } else { 0.0 };
        let grad_cos = dissimilar * hinge_slope(pair.cos - margin) - similar;
        let rows = i * dim..(i + 1) * dim;
        pair.backward(
            grad_cos,
            (&x1.data[rows.clone()], &x2.data[rows.clone()]),
            (&mut grad1[rows.clone()], &mut grad2[rows]),
        );
    }
    Ok(Loss {
        value: reduced.value,
        grad: EmbeddingPairGrad {
            input1: to_array(&x1.shape, grad1),
            input2: to_array(&x2.shape, grad2),
        },
    })
}

/// Checks PyTorch's layouts (`(N, D)` with `(N,)`, `(D,)` with `()`); returns `D`.
fn check_layout(input: &[usize], target: &[usize]) -> Result<usize> {
    let layout_error = |expected: String, fix: &str| LossError::Shape {
        loss: NAME,
        arg: "input1",
        found: input.to_vec(),
        expected,
        fix: fix.to_string(),
    };
    match (target, input) {
        ([n], [rows, dim]) if rows == n => Ok(*dim),
        ([n], _) => Err(layout_error(
            format!("({n}, D): one row per entry of the 1-D target"),
            "pass `input1` and `input2` as (N, D) batches with one target per row",
        )),
        ([], [dim]) => Ok(*dim),
        ([], _) => Err(layout_error(
            "(D,) for a 0-dimensional target".to_string(),
            "pass single embeddings as 1-D vectors, or batch them as (N, D) with an (N,) target",
        )),
        (_, _) => Err(LossError::Shape {
            loss: NAME,
            arg: "target",
            found: target.to_vec(),
            expected: "(N,) or () (one +1/-1 label per pair)".to_string(),
            fix: "flatten the pairs into an (N, D) batch with an (N,) target; PyTorch does not \
                  support multi-dimensional targets either"
                .to_string(),
        }),
    }
}

/// The cosine of one pair and the intermediate values its gradient needs.
struct Cosine {
    prod: f64,
    m1: f64,
    m2: f64,
    denom: f64,
    cos: f64,
}

impl Cosine {
    fn of(x1: &[f64], x2: &[f64]) -> Self {
        let prod = sum(x1.iter().zip(x2).map(|(a, b)| a * b));
        let m1 = sum(x1.iter().map(|a| a * a)) + EPSILON;
        let m2 = sum(x2.iter().map(|b| b * b)) + EPSILON;
        let denom = (m1 * m2).sqrt();
        Cosine {
            prod,
            m1,
            m2,
            denom,
            cos: prod / denom,
        }
    }

    /// Writes `grad_cos * d cos / d x` into both gradients, step by step as PyTorch's autograd
    /// (`cos = prod / sqrt(m1 * m2)`), so cancellation rounds as it does there.
    fn backward(
        &self,
        grad_cos: f64,
        (x1, x2): (&[f64], &[f64]),
        (grad1, grad2): (&mut [f64], &mut [f64]),
    ) {
        let grad_prod = grad_cos / self.denom;
        let grad_denom = -grad_cos * ((self.prod / self.denom) / self.denom);
        let grad_product = grad_denom / (2.0 * self.denom);
        let (grad_m1, grad_m2) = (grad_product * self.m2, grad_product * self.m1);
        for (((g1, g2), &a), &b) in grad1.iter_mut().zip(grad2.iter_mut()).zip(x1).zip(x2) {
            *g1 = grad_prod * b + 2.0 * (grad_m1 * a);
            *g2 = grad_prod * a + 2.0 * (grad_m2 * b);
        }
    }
}
