//! The functional layer: every loss as a function on `ndarray`, like `torch.nn.functional`.
//!
//! Each loss takes its tensors (anything [`AsTensor`](crate::AsTensor): `&Array`, views) and an
//! options struct holding PyTorch's keywords with PyTorch's defaults, and returns a
//! [`Loss`](crate::Loss): the value and the analytic gradient of every differentiable input.
//! Every function checks shapes, indices and parameters and returns a
//! [`LossError`](crate::LossError) instead of broadcasting, panicking or producing garbage.
//!
//! The math of each loss lives in exactly one module here; the typed layer calls these
//! functions and adds no math of its own.

mod classes;
mod math;
mod reduce;

mod cross_entropy;
mod mse;
mod nll;

pub use cross_entropy::*;
pub use mse::*;
pub use nll::*;
