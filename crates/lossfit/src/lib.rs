//! lossfit: every common loss on `ndarray`, PyTorch-exact, with analytic gradients.
//!
//! The [`functional`] layer mirrors `torch.nn.functional`: one function per loss, PyTorch's
//! options and defaults, the value and the gradient of every differentiable input, and a
//! [`LossError`] (never a panic, never a silent broadcast) on bad input.
//!
//! ```
//! use lossfit::functional::{cross_entropy, CrossEntropyOptions};
//! use lossfit::Reduction;
//! use ndarray::array;
//!
//! let logits = array![[1.5_f32, -0.3, 0.2], [0.1, 2.2, -1.0]];
//! let labels = array![0_i64, 1];
//! let loss = cross_entropy(
//!     &logits,
//!     &labels,
//!     &CrossEntropyOptions { label_smoothing: 0.1, reduction: Reduction::Mean, ..Default::default() },
//! )?;
//! println!("loss {} grad {:?}", loss.scalar().unwrap(), loss.grad.input);
//! # Ok::<(), lossfit::LossError>(())
//! ```

mod error;
pub mod functional;
mod model;
mod output;
mod real;
mod reduction;
mod tensor;
mod typed;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub mod guide;
pub mod kernels;

pub use error::{LossError, Result};
pub use lossfit_derive::ModelOutput;
/// Label statistics: readers, class counts, imbalance, weight schemes (the `lossfit-stats` crate).
pub use lossfit_stats as stats;
pub use model::{HeadLoss, HeadSpec, LossReport, ModelOutput};
pub use output::{Gradients, InputGrad, InputTargetGrad, Loss};
pub use real::Real;
pub use reduction::Reduction;
pub use tensor::{AsTensor, AsTensorMut};
pub use typed::*;

/// The README's Rust examples, compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
