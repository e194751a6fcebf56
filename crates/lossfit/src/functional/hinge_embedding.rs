//! Hinge embedding loss: a distance that should be small for similar pairs (`target = 1`) and
//! at least a margin for dissimilar ones (`target = -1`).

use ndarray::ArrayViewD;

use super::margin_ranking::{hinge, hinge_slope};
use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, InputGrad, Loss, Real, Reduction, Result};

const NAME: &str = "hinge_embedding_loss";

/// Options of [`hinge_embedding_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::HingeEmbeddingOptions;
///
/// let options = HingeEmbeddingOptions::<f64>::default();
/// assert_eq!(options.margin, 1.0);
/// ```
#[derive(Clone, Debug)]
pub struct HingeEmbeddingOptions<'a, T> {
    /// The distance dissimilar pairs should at least have. Any value; default 1.
    pub margin: f64,
    /// Default [`Reduction::Mean`].
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for HingeEmbeddingOptions<'_, T> {
    fn default() -> Self {
        HingeEmbeddingOptions {
            margin: 1.0,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Hinge embedding loss (`torch.nn.functional.hinge_embedding_loss`); `input` is typically a
/// distance between two embeddings.
///
/// ```text
/// l_i = [y_i != 1] * max(0, margin - x_i) + [y_i != -1] * x_i
/// d l_i / d x_i = -[y_i != 1] [margin - x_i > 0] + [y_i != -1]
/// ```
/// This is PyTorch's formulation term for term, so targets other than `±1` (including NaN) get
/// both terms, `max(0, margin - x) + x`, exactly as in PyTorch. At the kink `x_i == margin` the
/// hinge contributes no gradient, as PyTorch's autograd. The target is only compared, so it has
/// no gradient (PyTorch's autograd has none either).
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape. PyTorch broadcasts them; lossfit does
/// not, as a mismatch almost always means the target was built for other inputs.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the shapes differ or `grad_output` does
/// not fit the value.
///
/// ```
/// use lossfit::functional::{hinge_embedding_loss, HingeEmbeddingOptions};
/// use ndarray::array;
///
/// let distance = array![0.25_f32, 0.25, 2.0];
/// let target = array![1.0_f32, -1.0, -1.0];
/// let loss = hinge_embedding_loss(&distance, &target, &HingeEmbeddingOptions::default())?;
/// // similar: 0.25; dissimilar but too close: 1 - 0.25; dissimilar and far enough: 0
/// assert_eq!(loss.scalar(), Some(1.0 / 3.0));
/// assert_eq!(loss.grad.input, array![1.0_f32 / 3.0, -1.0 / 3.0, 0.0].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn hinge_embedding_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &HingeEmbeddingOptions<'_, T>,
) -> Result<Loss<T, InputGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let margin = options.margin;
    let elems = x
        .data
        .iter()
        .zip(&y.data)
        .map(|(&x, &y)| {
            let far = if y == 1.0 { 0.0 } else { hinge(margin - x) };
            let near = if y == -1.0 { 0.0 } else { x };
            far + near
        })
        .collect();
    let reduced = reduce(
        NAME,
        elems,
        &x.shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;
    let grad = x
        .data
        .iter()
        .zip(&y.data)
        .enumerate()
        .map(|(i, (&x, &y))| {
            let g = reduced.seed.at(i);
            let far = if y == 1.0 { 0.0 } else { g };
            let near = if y == -1.0 { 0.0 } else { g };
            near - far * hinge_slope(margin - x)
        })
        .collect();
    Ok(Loss {
        value: reduced.value,
        grad: InputGrad {
            input: to_array(&x.shape, grad),
        },
    })
}
