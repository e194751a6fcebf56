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

mod activations;
mod classes;
mod elementwise;
mod math;
mod reduce;

mod bce;
mod bce_with_logits;
mod cross_entropy;
mod mse;
mod multilabel_soft_margin;
mod nll;
mod sampled_softmax;
mod sampler;
mod sigmoid_focal;
mod soft_margin;

mod gaussian_nll;
mod huber;
mod l1;
mod poisson_nll;
mod smooth_l1;

mod kl_div;
mod multi_margin;
mod softmax_focal;

mod contrastive;
mod cosine_embedding;
mod hinge_embedding;
mod info_nce;
mod margin_ranking;
mod triplet_margin;

pub(crate) use activations::{log_softmax_last_axis, sigmoid_elementwise};
pub use bce::*;
pub use bce_with_logits::*;
pub use cross_entropy::*;
pub use mse::*;
pub use multilabel_soft_margin::*;
pub use nll::*;
pub use sampled_softmax::*;
pub use sampler::*;
pub use sigmoid_focal::*;
pub use soft_margin::*;

pub use gaussian_nll::*;
pub use huber::*;
pub use l1::*;
pub use poisson_nll::*;
pub use smooth_l1::*;

pub use kl_div::*;
pub use multi_margin::*;
pub use softmax_focal::*;

pub use contrastive::*;
pub use cosine_embedding::*;
pub use hinge_embedding::*;
pub use info_nce::*;
pub use margin_ranking::*;
pub use triplet_margin::*;
