//! Multi-label soft margin loss: per-sample mean over labels of the logit BCE.

use ndarray::ArrayViewD;

use super::bce::broadcast_param;
use super::math::{log_sigmoid, sigmoid, sum};
use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "multilabel_soft_margin_loss";

/// Options of [`multilabel_soft_margin_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::{functional::MultilabelSoftMarginOptions, Reduction};
/// use ndarray::array;
///
/// let class_weight = array![1.0_f32, 0.5, 2.0];
/// let options = MultilabelSoftMarginOptions {
///     weight: Some(class_weight.view().into_dyn()),
///     reduction: Reduction::Sum,
///     ..Default::default()
/// };
/// assert!(options.grad_output.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct MultilabelSoftMarginOptions<'a, T> {
    /// Per-class weight, usually `(C,)`; as in PyTorch any shape that broadcasts to the input's
    /// with NumPy's rules is accepted (e.g. `(N, 1)` per sample).
    pub weight: Option<ArrayViewD<'a, T>>,
    /// Default [`Reduction::Mean`]: the mean over samples.
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Multi-label one-versus-all logistic loss
/// (`torch.nn.functional.multilabel_soft_margin_loss`).
///
/// ```text
/// l_n = -1/C * sum_c w_c * (y_nc * log_sigmoid(x_nc) + (1 - y_nc) * log_sigmoid(-x_nc))
/// d l_n / d x_nc = w_c / C * ((1 - y_nc) * sigmoid(x_nc) - y_nc * sigmoid(-x_nc))
/// d l_n / d y_nc = -w_c / C * (log_sigmoid(x_nc) - log_sigmoid(-x_nc))        (= -w_c x_nc / C)
/// ```
/// The divisor is the number of classes `C`, whatever the weights; the mean over samples
/// divides by the number of samples. Targets are usually `0/1` but soft targets work (none is
/// checked, as in PyTorch), and both gradients are PyTorch's autograd ones.
///
/// # Shapes
/// `input` and `target` of the same shape `(N, C)`, unbatched `(C,)`, or `(N, d1, .., C)`: the
/// classes are the *last* dimension, as in PyTorch. `weight` broadcasts to the input's shape.
/// The value is a scalar, or of the input's shape without its last dimension for
/// [`Reduction::None`] (0-dimensional for a `(C,)` input).
///
/// # Errors
/// [`LossError::Shape`] when the input is 0-dimensional (it has no class dimension), the shapes
/// differ, `weight` does not broadcast to the input's shape, or `grad_output` does not fit the
/// value.
///
/// ```
/// use lossfit::functional::{multilabel_soft_margin_loss, MultilabelSoftMarginOptions};
/// use ndarray::array;
///
/// let logits = array![[0.0_f64, 0.0], [0.0, 0.0]];
/// let labels = array![[1.0_f64, 0.0], [0.0, 1.0]];
/// let options = MultilabelSoftMarginOptions::default();
/// let loss = multilabel_soft_margin_loss(&logits, &labels, &options)?;
/// assert!((loss.scalar().unwrap() - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(loss.grad.input, array![[-0.125, 0.125], [0.125, -0.125]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn multilabel_soft_margin_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &MultilabelSoftMarginOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    let Some((&classes, sample_shape)) = input.shape().split_last() else {
        return Err(LossError::Shape {
            loss: NAME,
            arg: "input",
            found: Vec::new(),
            expected: "(N, C), (C,) or (N, .., C): one score per class, classes last".to_string(),
            fix: "pass one score per label; a scalar has no class dimension (use \
                  binary_cross_entropy_with_logits for a single binary score)"
                .to_string(),
        });
    };
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let weight = broadcast_param(NAME, "weight", options.weight.as_ref(), input.shape())?;
    let (x, y) = (Dense::from_view(&input), Dense::from_view(&target));
    let w = |i: usize| weight.as_ref().map_or(1.0, |w| w[i]);
    let samples: usize = sample_shape.iter().product();
    let row = |n: usize| n * classes..(n + 1) * classes;

    let elems = (0..samples)
        .map(|n| {
            let total = sum(row(n).map(|i| {
                let (x, y) = (x.data[i], y.data[i]);
                -(y * log_sigmoid(x) + (1.0 - y) * log_sigmoid(-x)) * w(i)
            }));
            total / classes as f64
        })
        .collect();
    let reduced = reduce(
        NAME,
        elems,
        sample_shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad_input = vec![0.0; x.data.len()];
    let mut grad_target = vec![0.0; x.data.len()];
    for n in 0..samples {
        let seed = reduced.seed.at(n) / classes as f64;
        for i in row(n) {
            let (x, y, g) = (x.data[i], y.data[i], seed * w(i));
            grad_input[i] = ((1.0 - y) * sigmoid(x) - y * sigmoid(-x)) * g;
            grad_target[i] = -(log_sigmoid(x) - log_sigmoid(-x)) * g;
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
