//! Contrastive loss (Hadsell et al. 2006) on the pairwise Euclidean distance.

use ndarray::ArrayViewD;

use super::margin_ranking::{PairGrad, hinge, hinge_slope};
use super::reduce::reduce;
use super::triplet_margin::{Pairwise, Rows};
use crate::tensor::{Dense, check_param, expect_same_shape, expect_shape, to_array};
use crate::{AsTensor, Loss, Real, Reduction, Result};

const NAME: &str = "contrastive_loss";

/// What `F.pairwise_distance` adds to every difference, so identical vectors keep a gradient.
const PAIRWISE_EPS: f64 = 1e-6;

/// Options of [`contrastive_loss`].
///
/// ```
/// use lossfit::functional::ContrastiveOptions;
/// use lossfit::Reduction;
///
/// let options = ContrastiveOptions::<f32> { margin: 2.0, reduction: Reduction::Sum, ..Default::default() };
/// assert_eq!(ContrastiveOptions::<f32>::default().margin, 1.0);
/// assert_eq!(options.margin, 2.0);
/// ```
#[derive(Clone, Debug)]
pub struct ContrastiveOptions<'a, T> {
    /// The distance dissimilar pairs should at least have; `>= 0`. Default 1.
    pub margin: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for ContrastiveOptions<'_, T> {
    fn default() -> Self {
        ContrastiveOptions {
            margin: 1.0,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Contrastive loss of embedding pairs: similar pairs (`target = 1`) are pulled together,
/// dissimilar ones (`target = 0`) pushed at least `margin` apart. PyTorch has no builtin; this
/// is the definition of lossfit's DESIGN.md, written with PyTorch's `F.pairwise_distance`.
///
/// ```text
/// d = ||x1 - x2 + 1e-6||_2                      over the last dimension
/// l = y * d^2 + (1 - y) * max(0, margin - d)^2
/// d l / d d = 2 y d - 2 (1 - y) max(0, margin - d)
/// d l / d x1 = (d l / d d) * (x1 - x2 + 1e-6) / d = -d l / d x2     (0 where d = 0)
/// d l / d y = d^2 - max(0, margin - d)^2
/// ```
/// The target is used as a real weight (not checked to be 0 or 1), which is why it has a
/// gradient; soft labels in `[0, 1]` blend the two terms.
///
/// # Shapes
/// `input1` and `input2` of the same shape `(N, D)` (any number of leading dimensions) or
/// unbatched `(D,)`; `target` has their shape without the last dimension (`(N,)` or `()`),
/// which is also the shape of the unreduced value.
///
/// # Errors
/// [`LossError::Parameter`](crate::LossError::Parameter) for a negative or NaN `margin` (the
/// dissimilar term would vanish); [`LossError::Shape`](crate::LossError::Shape) when the input
/// shapes differ, the target does not hold one label per pair, or `grad_output` does not fit.
///
/// ```
/// use lossfit::functional::{contrastive_loss, ContrastiveOptions};
/// use ndarray::array;
///
/// let x1 = array![[0.0_f64, 0.0], [0.0, 0.0]];
/// let x2 = array![[3.0_f64, 4.0], [0.0, 0.5]];
/// let target = array![1.0_f64, 0.0];
/// let loss = contrastive_loss(&x1, &x2, &target, &ContrastiveOptions::default())?;
/// // a similar pair at distance ~5 and a dissimilar pair at ~0.5 < margin 1
/// assert!((loss.scalar().unwrap() - (25.0 + 0.25) / 2.0).abs() < 1e-4);
/// assert!(loss.grad.input1[[1, 1]] > 0.0); // pushes x1[1] away from x2[1]
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn contrastive_loss<'a, T: Real>(
    input1: impl AsTensor<'a, T>,
    input2: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &ContrastiveOptions<'_, T>,
) -> Result<Loss<T, PairGrad<T>>> {
    let (input1, input2, target) = (input1.as_tensor(), input2.as_tensor(), target.as_tensor());
    let margin = options.margin;
    check_param(
        NAME,
        "margin",
        margin,
        margin >= 0.0,
        "expected margin >= 0 (the distance dissimilar pairs should keep); the default is 1.0",
    )?;
    expect_same_shape(NAME, ("input1", input1.shape()), ("input2", input2.shape()))?;
    let rows = Rows::of(NAME, "input1", input1.shape(), 2.0)?;
    expect_shape(
        NAME,
        "target",
        target.shape(),
        &rows.value_shape,
        "one label per pair: the inputs' shape without the last dimension",
    )?;
    let (x1, x2, y) = (
        Dense::from_view(&input1),
        Dense::from_view(&input2),
        Dense::from_view(&target),
    );
    let metric = Pairwise {
        p: 2.0,
        eps: PAIRWISE_EPS,
        rows,
    };
    let distances = metric.distances(&x1.data, &x2.data);
    let shortfall: Vec<f64> = distances.norms.iter().map(|d| margin - d).collect();
    let elems = distances
        .norms
        .iter()
        .zip(&shortfall)
        .zip(&y.data)
        .map(|((d, &s), y)| y * (d * d) + (1.0 - y) * (hinge(s) * hinge(s)))
        .collect();
    let reduced = reduce(
        NAME,
        elems,
        &y.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad_distance = Vec::with_capacity(y.data.len());
    let mut grad_target = Vec::with_capacity(y.data.len());
    for (i, ((&d, &s), &y)) in distances
        .norms
        .iter()
        .zip(&shortfall)
        .zip(&y.data)
        .enumerate()
    {
        let g = reduced.seed.at(i);
        let h = hinge(s);
        grad_distance.push(g * y * (2.0 * d) - g * (1.0 - y) * (2.0 * h) * hinge_slope(s));
        grad_target.push(g * (d * d) - g * (h * h));
    }
    let mut grad1 = vec![0.0; x1.data.len()];
    let mut grad2 = vec![0.0; x2.data.len()];
    metric.backward(&distances, &grad_distance, &mut grad1, &mut grad2);
    Ok(Loss {
        value: reduced.value,
        grad: PairGrad {
            input1: to_array(&x1.shape, grad1),
            input2: to_array(&x2.shape, grad2),
            target: to_array(&y.shape, grad_target),
        },
    })
}
