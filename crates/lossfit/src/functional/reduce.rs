//! Applies a [`Reduction`] to per-element losses and seeds the backward pass.

use std::borrow::Cow;

use ndarray::{ArrayD, ArrayViewD, IxDyn};

use super::math::sum;
use crate::kernels::pointwise::Seed as KernelSeed;
use crate::tensor::{expect_shape, row_major, scalar_array, to_array};
use crate::{LossError, Real, Reduction, Result};

/// d `sum(value * grad_output)` / d element, for each per-element loss.
#[derive(Clone, Debug)]
pub(crate) enum Seed {
    /// The same factor for every element (Mean or Sum).
    Uniform(f64),
    /// One factor per element (None: the upstream gradient itself).
    PerElement(Vec<f64>),
}

impl Seed {
    /// The factor of element `i`.
    pub(crate) fn at(&self, i: usize) -> f64 {
        match self {
            Seed::Uniform(g) => *g,
            Seed::PerElement(g) => g[i],
        }
    }
}

/// A reduced value and the seed of its gradient.
#[derive(Debug)]
pub(crate) struct Reduced<T> {
    pub(crate) value: ArrayD<T>,
    pub(crate) seed: Seed,
}

/// Reduces `elems` (row-major, of `shape`).
///
/// `divisor` is the Mean denominator (default: the number of elements); losses with class
/// weights pass the summed weight, KL's `batchmean` passes the batch size. `grad_output` must
/// have `shape` for [`Reduction::None`] and hold exactly one value otherwise.
pub(crate) fn reduce<T: Real>(
    loss: &'static str,
    elems: Vec<f64>,
    shape: &[usize],
    reduction: Reduction,
    divisor: Option<f64>,
    grad_output: Option<&ArrayViewD<'_, T>>,
) -> Result<Reduced<T>> {
    match reduction {
        Reduction::None => {
            let seed = match grad_output {
                None => Seed::Uniform(1.0),
                Some(upstream) => {
                    expect_shape(
                        loss,
                        "grad_output",
                        upstream.shape(),
                        shape,
                        "the shape of the unreduced loss",
                    )?;
                    Seed::PerElement(upstream.iter().map(|x| x.to_f64()).collect())
                }
            };
            Ok(Reduced {
                value: to_array(shape, elems),
                seed,
            })
        }
        Reduction::Sum | Reduction::Mean => {
            let upstream = scalar_upstream(loss, grad_output)?;
            let total = sum(elems.iter().copied());
            let (value, seed) = if reduction == Reduction::Sum {
                (total, upstream)
            } else {
                let divisor = divisor.unwrap_or(elems.len() as f64);
                (total / divisor, upstream / divisor)
            };
            Ok(Reduced {
                value: scalar_array(value),
                seed: Seed::Uniform(seed),
            })
        }
    }
}

/// The single upstream value of a reduced loss (1 when unset).
pub(crate) fn scalar_upstream<T: Real>(
    loss: &'static str,
    grad_output: Option<&ArrayViewD<'_, T>>,
) -> Result<f64> {
    let Some(upstream) = grad_output else {
        return Ok(1.0);
    };
    if upstream.len() != 1 {
        return Err(LossError::Shape {
            loss,
            arg: "grad_output",
            found: upstream.shape().to_vec(),
            expected: "a single value (the loss is reduced to a scalar)".to_string(),
            fix: "pass a 0-dimensional `grad_output`, or use `Reduction::None` to get one value \
                  per element"
                .to_string(),
        });
    }
    Ok(upstream.iter().next().map_or(1.0, |x| x.to_f64()))
}

/// How a kernel-backed loss is seeded and finished: the kernels take each element's gradient
/// factor up front (so the gradient is written in the same pass as the value) and return the
/// summed loss.
pub(crate) struct Reducer<'u, T> {
    /// Each position's gradient factor.
    pub(crate) seed: KernelSeed<'u, T>,
    /// One value per position (unreduced), filled by the kernel.
    pub(crate) values: Option<ArrayD<T>>,
    /// The Mean denominator (`None`: the sum is the value).
    pub(crate) divisor: Option<f64>,
}

impl<'u, T: Real> Reducer<'u, T> {
    /// `upstream` holds the row-major upstream gradient of an unreduced loss when it is not
    /// contiguous already.
    pub(crate) fn new(
        loss: &'static str,
        reduction: Reduction,
        grad_output: Option<&'u ArrayViewD<'_, T>>,
        upstream: &'u mut Option<Cow<'u, [T]>>,
        value_shape: &[usize],
        divisor: f64,
    ) -> Result<Self> {
        match reduction {
            Reduction::None => {
                let seed = match grad_output {
                    None => KernelSeed::Uniform(T::from_f64(1.0)),
                    Some(given) => {
                        expect_shape(
                            loss,
                            "grad_output",
                            given.shape(),
                            value_shape,
                            "the shape of the unreduced loss",
                        )?;
                        KernelSeed::PerElement(upstream.insert(row_major(given)))
                    }
                };
                Ok(Reducer {
                    seed,
                    values: Some(ArrayD::from_elem(IxDyn(value_shape), T::default())),
                    divisor: None,
                })
            }
            Reduction::Sum | Reduction::Mean => {
                let given = scalar_upstream(loss, grad_output)?;
                let divisor = (reduction == Reduction::Mean).then_some(divisor);
                Ok(Reducer {
                    seed: KernelSeed::Uniform(T::from_f64(given / divisor.unwrap_or(1.0))),
                    values: None,
                    divisor,
                })
            }
        }
    }

    /// The loss value from the kernel's summed loss.
    pub(crate) fn finish(values: Option<ArrayD<T>>, divisor: Option<f64>, total: f64) -> ArrayD<T> {
        values.unwrap_or_else(|| {
            let value = total / divisor.unwrap_or(1.0);
            ArrayD::from_elem(IxDyn(&[]), T::from_f64(value))
        })
    }
}
