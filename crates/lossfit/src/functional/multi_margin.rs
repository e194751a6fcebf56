//! Multi-class hinge loss (`multi_margin_loss`): every wrong class must score `margin` below
//! the target class, or pay for the difference.

use ndarray::{ArrayView1, ArrayViewD};

use super::classes::{ClassLayout, class_weights};
use super::math::sum;
use super::reduce::reduce;
use crate::tensor::{Dense, check_param, expect_shape, index_data, to_array};
use crate::{AsTensor, InputGrad, Loss, LossError, Real, Reduction, Result};

const NAME: &str = "multi_margin_loss";

/// Options of [`multi_margin_loss`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::MultiMarginOptions;
/// use lossfit::Reduction;
///
/// let options = MultiMarginOptions::<f32> { p: 2.0, reduction: Reduction::Sum, ..Default::default() };
/// assert_eq!(options.margin, 1.0);
/// ```
#[derive(Clone, Debug)]
pub struct MultiMarginOptions<'a, T> {
    /// The power of each hinge: `1.0` (the default, a linear hinge) or `2.0` (squared hinge).
    /// PyTorch supports no other value, so neither does lossfit.
    pub p: f64,
    /// How far below the target's score every other score must be. Default `1.0`.
    pub margin: f64,
    /// Per-class weights, one per class (PyTorch `weight`). Unlike cross-entropy's, they only
    /// scale each sample's loss by the weight of its target class: the mean still divides by N.
    pub weight: Option<ArrayView1<'a, T>>,
    /// Default [`Reduction::Mean`] (divides by the number of samples N).
    pub reduction: Reduction,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

impl<T> Default for MultiMarginOptions<'_, T> {
    fn default() -> Self {
        MultiMarginOptions {
            p: 1.0,
            margin: 1.0,
            weight: None,
            reduction: Reduction::Mean,
            grad_output: None,
        }
    }
}

/// Multi-class hinge loss against class indices (`torch.nn.functional.multi_margin_loss`).
///
/// ```text
/// z_ni = margin - x_n[y_n] + x_n[i]
/// l_n  = w[y_n] / C * sum_{i != y_n, z_ni > 0} z_ni^p          (p = 1 or 2; w = 1 unweighted)
/// mean = sum_n l_n / N                                          (not divided by summed weights)
/// d l_n / d x_n[i]   =  w[y_n] / C * (p == 1 ? 1 : 2 z_ni)   for i != y_n with z_ni > 0, else 0
/// d l_n / d x_n[y_n] = -sum_{i != y_n} d l_n / d x_n[i]
/// ```
/// At the kink `z == 0` the hinge contributes nothing and its subgradient is 0, as PyTorch's
/// backward. `z` is evaluated like PyTorch's kernel, `(margin - x[y]) + x[i]` rounded to the
/// element type after each step, so whether an `f32` sample sits exactly on the kink is
/// decided as PyTorch decides it. Like PyTorch, a hinge whose `z` is NaN counts as inactive
/// (it adds 0 and gets a zero gradient); an infinite `z` gives an infinite loss.
///
/// # Shapes
/// `input` `(N, C)` with `target` `(N)`, or one unbatched sample: `input` `(C,)` (or `()`, a
/// single class) with `target` `()` or `(1,)`. `C` must be at least 1. The value is a scalar,
/// or of the target's shape for [`Reduction::None`]; the gradient has the input's shape. There
/// are no spatial dimensions `(N, C, d1, ..)`, as in PyTorch.
///
/// An empty batch `(0, C)` gives a mean of NaN (0 / 0) and a sum of 0; PyTorch leaves that
/// output uninitialised.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) for an input of more than 2 dimensions or with
/// no classes, a target that is not one index per sample, a `weight` that is not one value per
/// class, or a `grad_output` that does not fit the value;
/// [`LossError::ClassIndex`](crate::LossError::ClassIndex) for a target outside `0..C`;
/// [`LossError::Parameter`](crate::LossError::Parameter) for `p` other than 1 or 2, or a NaN
/// `margin` (PyTorch accepts it and silently returns a zero loss and gradient).
///
/// ```
/// use lossfit::functional::{multi_margin_loss, MultiMarginOptions};
/// use ndarray::array;
///
/// // Sample 0 violates the margin on class 1 by 0.5; sample 1 is separated by more than 1.
/// let scores = array![[1.0_f64, 1.5, -2.0], [0.0, 3.0, 1.0]];
/// let loss = multi_margin_loss(&scores, &array![0_i64, 1], &MultiMarginOptions::default())?;
/// assert!((loss.scalar().unwrap() - 1.5 / 3.0 / 2.0).abs() < 1e-12);
/// assert!((loss.grad.input[[0, 1]] - 1.0 / 6.0).abs() < 1e-12);
/// assert!((loss.grad.input[[0, 0]] + 1.0 / 6.0).abs() < 1e-12);
/// assert_eq!(loss.grad.input[[1, 2]], 0.0);
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn multi_margin_loss<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, i64>,
    options: &MultiMarginOptions<'_, T>,
) -> Result<Loss<T, InputGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    let p = options.p;
    check_param(
        NAME,
        "p",
        p,
        p == 1.0 || p == 2.0,
        "expected 1 (linear hinge, the default) or 2 (squared hinge); PyTorch supports no other power",
    )?;
    check_param(
        NAME,
        "margin",
        options.margin,
        !options.margin.is_nan(),
        "expected a number (1.0 is the default); a NaN margin would silently zero every hinge",
    )?;
    let samples = Samples::of(input.shape(), target.shape())?;
    let weight = class_weights(NAME, options.weight.as_ref(), samples.layout.classes)?;
    let targets = index_data(&target);
    samples.layout.check_indices(NAME, &targets, None)?;

    let x = Dense::from_view(&input);
    let classes = samples.layout.classes;
    let hinge = Hinge {
        margin: round_to::<T>(options.margin),
        squared: p == 2.0,
        rounding: round_to::<T>,
    };
    let w = |y: usize| weight.as_ref().map_or(1.0, |w| w[y]);
    let rows = || x.data.chunks_exact(classes).zip(&targets);
    let elems = rows()
        .map(|(row, &y)| {
            let y = y as usize;
            let violations = sum(hinge.gaps(row, y).map(|(_, z)| hinge.value(z)));
            w(y) * violations / classes as f64
        })
        .collect();
    let reduced = reduce(
        NAME,
        elems,
        &samples.value_shape,
        options.reduction,
        None,
        options.grad_output.as_ref(),
    )?;

    let mut grad = vec![0.0; x.data.len()];
    for (k, ((row, &y), grad_row)) in rows().zip(grad.chunks_exact_mut(classes)).enumerate() {
        let y = y as usize;
        let scale = reduced.seed.at(k) * w(y) / classes as f64;
        for (i, z) in hinge.gaps(row, y) {
            grad_row[i] = scale * hinge.slope(z);
        }
        grad_row[y] = -sum(grad_row.iter().copied());
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputGrad {
            input: to_array(&x.shape, grad),
        },
    })
}

/// The batch layout of a multi-margin input and the shape of its unreduced value.
struct Samples {
    layout: ClassLayout,
    value_shape: Vec<usize>,
}

impl Samples {
    /// Checks `input` `(N, C)` against `target` `(N)`, or one sample `(C,)` / `()` against a
    /// target `()` / `(1,)`, exactly the shapes PyTorch accepts.
    fn of(input: &[usize], target: &[usize]) -> Result<Self> {
        let classes_shape: &[usize] = match input {
            [] => &[1], // a 0-d input is one sample of a single class, as in PyTorch
            [_] | [_, _] => input,
            _ => {
                return Err(LossError::Shape {
                    loss: NAME,
                    arg: "input",
                    found: input.to_vec(),
                    expected: "(N, C) or unbatched (C,)".to_string(),
                    fix: "multi_margin_loss has no spatial dimensions: move the class dimension \
                          last and reshape to (N * d1 * .., C), the target to (N * d1 * ..)"
                        .to_string(),
                });
            }
        };
        let layout = ClassLayout::of(NAME, classes_shape)?;
        if layout.classes == 0 {
            return Err(LossError::Shape {
                loss: NAME,
                arg: "input",
                found: input.to_vec(),
                expected: "at least one class".to_string(),
                fix: "pass one score per class; the class dimension is empty".to_string(),
            });
        }
        if input.len() == 2 {
            layout.expect_index_target(NAME, target)?;
        } else if target.len() > 1 || target.iter().product::<usize>() != 1 {
            expect_shape(
                NAME,
                "target",
                target,
                &[],
                "one class index for the unbatched sample: a 0-d tensor (or shape [1])",
            )?;
        }
        Ok(Samples {
            layout,
            value_shape: if input.len() == 2 {
                input[..1].to_vec()
            } else {
                target.to_vec()
            },
        })
    }
}

/// The hinges of one sample, evaluated in the caller's element type.
struct Hinge {
    /// The margin, already rounded to the element type.
    margin: f64,
    squared: bool,
    /// Rounds an `f64` to the element type (identity for `f64`).
    rounding: fn(f64) -> f64,
}

impl Hinge {
    /// `(i, z_i)` for every class `i != y` whose hinge is active (`z_i > 0`).
    fn gaps<'r>(&'r self, row: &'r [f64], y: usize) -> impl Iterator<Item = (usize, f64)> + 'r {
        let target_score = row[y];
        let round = self.rounding;
        row.iter().enumerate().filter_map(move |(i, &score)| {
            // PyTorch's kernel: (margin - x[y]) + x[i], each step in the element type.
            let z = round(round(self.margin - target_score) + score);
            (i != y && z > 0.0).then_some((i, z))
        })
    }

    /// `z^p` for an active hinge.
    fn value(&self, z: f64) -> f64 {
        if self.squared { z * z } else { z }
    }

    /// `d z^p / d z` for an active hinge.
    fn slope(&self, z: f64) -> f64 {
        if self.squared { 2.0 * z } else { 1.0 }
    }
}

/// `x` rounded to `T` and widened back: the value PyTorch's kernel holds in a `T` variable.
///
/// For `f32`, rounding each `f64` operation on `f32` operands gives exactly the `f32` operation
/// (53 >= 2 * 24 + 2 bits, so double rounding is harmless). Used where the element type's
/// rounding or overflow decides a branch or a non-finite result (kinks, `exp` overflow).
pub(super) fn round_to<T: Real>(x: f64) -> f64 {
    T::from_f64(x).to_f64()
}
