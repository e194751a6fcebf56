//! The validation and buffer plumbing shared by the element-wise losses that run on the fused
//! kernel (MSE, L1, Smooth L1, Huber, BCE-with-logits, sigmoid focal): each loss module supplies
//! its math (a [`Pointwise`] implementation) and its option rules; this module checks shapes,
//! lays out the weights, seeds the reduction and runs the kernel into the caller's buffers.

use std::borrow::Cow;

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn};

use super::math::sum;
use super::reduce::Reducer;
use crate::kernels::pointwise::{self, Buffers, Param, Pointwise};
use crate::kernels::{self};
use crate::tensor::{
    expect_grad_shape, expect_same_shape, expect_shape, row_major, with_row_major,
};
use crate::{InputTargetGrad, Loss, LossError, Real, Reduction, Result};

/// How a per-element parameter may be shaped.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ParamShape {
    /// Exactly the input's shape (L1's and Huber's `weight`).
    Exact,
    /// Anything that broadcasts to the input's shape (BCE's `weight` and `pos_weight`).
    Broadcast,
}

/// What divides the summed loss under [`Reduction::Mean`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum MeanOver {
    /// The number of elements.
    Count,
    /// The summed weight when a weight is given (`l1_loss`), else the count.
    SummedWeight,
}

/// One element-wise loss call, minus its tensors.
#[derive(Debug)]
pub(crate) struct Spec<'o, 'a, T, L> {
    pub(crate) name: &'static str,
    pub(crate) math: L,
    pub(crate) weight: Option<&'o ArrayViewD<'a, T>>,
    pub(crate) pos_weight: Option<&'o ArrayViewD<'a, T>>,
    pub(crate) param_shape: ParamShape,
    pub(crate) mean_over: MeanOver,
    pub(crate) reduction: Reduction,
    pub(crate) grad_output: Option<&'o ArrayViewD<'a, T>>,
}

/// Where the input is and where its gradient goes.
pub(crate) enum Input<'v, 'a, 'g, T> {
    /// Read-only input and an optional gradient buffer of its shape.
    Separate(ArrayViewD<'a, T>, Option<&'v mut ArrayViewMutD<'g, T>>),
    /// The input, overwritten with its gradient.
    InPlace(&'v mut ArrayViewMutD<'g, T>),
}

impl<T: Real, L: Pointwise<T>> Spec<'_, '_, T, L> {
    /// The allocating form: value and the gradients of input and target.
    pub(crate) fn loss(
        &self,
        input: &ArrayViewD<'_, T>,
        target: &ArrayViewD<'_, T>,
    ) -> Result<Loss<T, InputTargetGrad<T>>> {
        let mut grad_input = ArrayD::from_elem(input.raw_dim(), T::default());
        let mut grad_target = ArrayD::from_elem(input.raw_dim(), T::default());
        let value = self.run(
            Input::Separate(input.view(), Some(&mut grad_input.view_mut())),
            target,
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

    /// The `_into` form: the input gradient goes into `grad`.
    pub(crate) fn run_into(
        &self,
        input: ArrayViewD<'_, T>,
        target: &ArrayViewD<'_, T>,
        grad: &mut ArrayViewMutD<'_, T>,
    ) -> Result<ArrayD<T>> {
        expect_grad_shape(self.name, grad.shape(), input.shape())?;
        self.run(Input::Separate(input, Some(grad)), target, None)
    }

    /// Validates everything, then runs the kernel once. Nothing is written on error.
    pub(crate) fn run(
        &self,
        mut input: Input<'_, '_, '_, T>,
        target: &ArrayViewD<'_, T>,
        grad_target: Option<&mut ArrayViewMutD<'_, T>>,
    ) -> Result<ArrayD<T>> {
        let shape = match &input {
            Input::Separate(x, _) => x.shape().to_vec(),
            Input::InPlace(x) => x.shape().to_vec(),
        };
        expect_same_shape(self.name, ("input", &shape), ("target", target.shape()))?;
        let weight = self.param("weight", self.weight, &shape)?;
        let pos_weight = self.param("pos_weight", self.pos_weight, &shape)?;
        let divisor = match (self.mean_over, &weight) {
            (MeanOver::SummedWeight, Some(w)) => sum(w.values.iter().map(|v| v.to_f64())),
            _ => shape.iter().product::<usize>() as f64,
        };
        let mut upstream = None;
        let Reducer {
            seed,
            mut values,
            divisor,
        } = Reducer::new(
            self.name,
            self.reduction,
            self.grad_output,
            &mut upstream,
            &shape,
            divisor,
        )?;
        let y = row_major(target);
        let backend = kernels::active_backend();
        let values_out = values.as_mut().and_then(|v| v.as_slice_mut());
        let run = |x: Option<&[T]>, gi: Option<&mut [T]>, gt: Option<&mut [T]>| {
            pointwise::run(
                backend,
                &self.math,
                weight.as_ref().map_or(Param::Unset, Laid::param),
                pos_weight.as_ref().map_or(Param::Unset, Laid::param),
                seed,
                Buffers {
                    input: x,
                    target: &y,
                    grad_input: gi,
                    grad_target: gt,
                    values: values_out,
                },
            )
        };
        let total = match (&mut input, grad_target) {
            (Input::Separate(x, gi), gt) => {
                let x = row_major(x);
                match (gi, gt) {
                    (Some(gi), Some(gt)) => with_row_major(gi, |a| {
                        with_row_major(gt, |b| run(Some(&x), Some(a), Some(b)))
                    }),
                    (Some(gi), None) => with_row_major(gi, |a| run(Some(&x), Some(a), None)),
                    (None, Some(gt)) => with_row_major(gt, |b| run(Some(&x), None, Some(b))),
                    (None, None) => run(Some(&x), None, None),
                }
            }
            (Input::InPlace(x), None) => with_row_major(x, |a| run(None, Some(a), None)),
            (Input::InPlace(x), Some(gt)) => {
                with_row_major(x, |a| with_row_major(gt, |b| run(None, Some(a), Some(b))))
            }
        };
        Ok(Reducer::finish(values, divisor, total))
    }

    /// Lays out a per-element parameter for the kernel.
    fn param<'p>(
        &self,
        arg: &'static str,
        param: Option<&'p ArrayViewD<'_, T>>,
        shape: &[usize],
    ) -> Result<Option<Laid<'p, T>>> {
        let Some(param) = param else {
            return Ok(None);
        };
        if param.shape() == shape {
            return Ok(Some(Laid {
                values: row_major(param),
                per_column: false,
            }));
        }
        if let ParamShape::Exact = self.param_shape {
            expect_shape(
                self.name,
                arg,
                param.shape(),
                shape,
                "one weight per element of `input`",
            )?;
        }
        let Some(broadcast) = param.broadcast(IxDyn(shape)) else {
            return Err(LossError::Shape {
                loss: self.name,
                arg,
                found: param.shape().to_vec(),
                expected: format!(
                    "a shape that broadcasts to the input's {shape:?} (trailing dimensions equal \
                     or 1)"
                ),
                fix: format!(
                    "give `{arg}` one value per element, per trailing dimension (e.g. [{}] for \
                     the last) or a single value; insert size-1 axes to align it with leading \
                     dimensions",
                    shape.last().copied().unwrap_or(1)
                ),
            });
        };
        // One value per position of the last axis ((C,), (1, C), ...): read in place, per row.
        let last = shape.last().copied().unwrap_or(1);
        let leading_ones = param.shape().iter().rev().skip(1).all(|&d| d == 1);
        if param.shape().last() == Some(&last) && leading_ones && last > 0 {
            return Ok(Some(Laid {
                values: row_major(param),
                per_column: true,
            }));
        }
        // Any other broadcast is materialised once (an allocation the size of the input).
        Ok(Some(Laid {
            values: Cow::Owned(broadcast.iter().copied().collect()),
            per_column: false,
        }))
    }
}

/// A per-element parameter in the layout the kernel reads.
struct Laid<'p, T: Clone> {
    values: Cow<'p, [T]>,
    /// `values` holds one entry per position of the last axis.
    per_column: bool,
}

impl<T: Clone> Laid<'_, T> {
    fn param(&self) -> Param<'_, T> {
        if self.per_column {
            Param::PerColumn(&self.values)
        } else {
            Param::Full(&self.values)
        }
    }
}

/// Declares a loss's `_into` and `_in_place` forms on top of its `spec(options)` function.
macro_rules! fused_variants {
    ($loss:ident, $into:ident, $in_place:ident, $options:ident) => {
        #[doc = concat!("[`", stringify!($loss), "`] that writes the input gradient into a buffer the caller owns and")]
        #[doc = "returns only the value: no allocation besides the returned value (a single number when"]
        #[doc = "reduced). `grad` must have the input's shape; all of it is overwritten. The target's"]
        #[doc = concat!("gradient, when needed, comes from [`", stringify!($loss), "`].")]
        #[doc = ""]
        #[doc = "# Errors"]
        #[doc = concat!("As [`", stringify!($loss), "`], and [`LossError::Shape`](crate::LossError::Shape) when `grad` does")]
        #[doc = "not have the input's shape. Nothing is written when an error is returned."]
        #[doc = ""]
        #[doc = "```"]
        #[doc = concat!("use lossfit::functional::{", stringify!($loss), ", ", stringify!($into), ", ", stringify!($options), "};")]
        #[doc = "use ndarray::{array, Array2};"]
        #[doc = ""]
        #[doc = "let input = array![[0.5_f32, -1.5], [2.0, 0.25]];"]
        #[doc = "let target = array![[1.0_f32, 0.0], [1.0, 0.0]];"]
        #[doc = concat!("let options = ", stringify!($options), "::default();")]
        #[doc = "let mut grad = Array2::zeros((2, 2)); // allocated once, reused every step"]
        #[doc = concat!("let value = ", stringify!($into), "(&input, &target, &options, &mut grad)?;")]
        #[doc = concat!("let full = ", stringify!($loss), "(&input, &target, &options)?;")]
        #[doc = "assert_eq!(value, full.value);"]
        #[doc = "assert_eq!(grad.into_dyn(), full.grad.input);"]
        #[doc = "# Ok::<(), lossfit::LossError>(())"]
        #[doc = "```"]
        pub fn $into<'a, 'g, T: Real>(
            input: impl AsTensor<'a, T>,
            target: impl AsTensor<'a, T>,
            options: &$options<'_, T>,
            grad: impl AsTensorMut<'g, T>,
        ) -> Result<ArrayD<T>> {
            spec(options)?.run_into(
                input.as_tensor(),
                &target.as_tensor(),
                &mut grad.as_tensor_mut(),
            )
        }

        #[doc = concat!("[`", stringify!($loss), "`] that overwrites the input with its gradient and returns the value:")]
        #[doc = "no gradient buffer at all, for a step that has no further use for the input."]
        #[doc = ""]
        #[doc = "# Errors"]
        #[doc = concat!("As [`", stringify!($loss), "`]. The input is left untouched when an error is returned.")]
        #[doc = ""]
        #[doc = "```"]
        #[doc = concat!("use lossfit::functional::{", stringify!($loss), ", ", stringify!($in_place), ", ", stringify!($options), "};")]
        #[doc = "use ndarray::array;"]
        #[doc = ""]
        #[doc = "let mut input = array![[0.5_f64, -1.5], [2.0, 0.25]];"]
        #[doc = "let target = array![[1.0_f64, 0.0], [1.0, 0.0]];"]
        #[doc = concat!("let options = ", stringify!($options), "::default();")]
        #[doc = concat!("let full = ", stringify!($loss), "(&input, &target, &options)?;")]
        #[doc = concat!("let value = ", stringify!($in_place), "(&mut input, &target, &options)?;")]
        #[doc = "assert_eq!(value, full.value);"]
        #[doc = "assert_eq!(input.into_dyn(), full.grad.input); // the input now holds its gradient"]
        #[doc = "# Ok::<(), lossfit::LossError>(())"]
        #[doc = "```"]
        pub fn $in_place<'a, 'g, T: Real>(
            input: impl AsTensorMut<'g, T>,
            target: impl AsTensor<'a, T>,
            options: &$options<'_, T>,
        ) -> Result<ArrayD<T>> {
            spec(options)?.run(
                $crate::functional::elementwise::Input::InPlace(&mut input.as_tensor_mut()),
                &target.as_tensor(),
                None,
            )
        }
    };
}
pub(crate) use fused_variants;
