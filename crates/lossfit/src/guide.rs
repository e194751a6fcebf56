//! # Choosing a loss
//!
//! A loss is the contract between the data and the optimizer. lossfit writes that contract in
//! types: the model's output is wrapped in a *prediction kind* tagged with its *task*, the
//! labels in a *target kind*, and each loss's `compute` accepts exactly the combinations below.
//! Anything else is a compile error that names the loss, the task or kind it got, and what to
//! use instead.
//!
//! | task | prediction | target | losses that fit |
//! |---|---|---|---|
//! | [`MultiClass`](crate::MultiClass) | [`Logits`](crate::Logits) `[N, C]` | [`ClassIndices`](crate::ClassIndices) `[N]`, [`ClassProbabilities`](crate::ClassProbabilities) `[N, C]` | [`CrossEntropy`](crate::CrossEntropy); [`SoftmaxFocal`](crate::SoftmaxFocal), [`MultiMargin`](crate::MultiMargin) (indices) |
//! | | [`LogProbabilities`](crate::LogProbabilities) `[N, C]` | `ClassIndices` | [`Nll`](crate::Nll) |
//! | | `LogProbabilities` | `ClassProbabilities` / `LogProbabilities` | [`KlDiv`](crate::KlDiv) (distillation) |
//! | [`MultiLabel`](crate::MultiLabel) | `Logits` `[N, L]` | [`MultiHot`](crate::MultiHot) `[N, L]` | [`BceWithLogits`](crate::BceWithLogits), [`SigmoidFocal`](crate::SigmoidFocal), [`MultiLabelSoftMargin`](crate::MultiLabelSoftMargin) |
//! | | [`Probabilities`](crate::Probabilities) `[N, L]` | `MultiHot` | [`Bce`](crate::Bce) |
//! | [`Binary`](crate::Binary) | `Logits` `[N]` | [`BinaryLabels`](crate::BinaryLabels) `[N]` | `BceWithLogits`, `SigmoidFocal` |
//! | | `Logits` `[N]` | [`SignLabels`](crate::SignLabels) ±1 | [`SoftMargin`](crate::SoftMargin) |
//! | | `Probabilities` `[N]` | `BinaryLabels` | `Bce` |
//! | [`Regression`](crate::Regression) | [`Predictions`](crate::Predictions) | [`Targets`](crate::Targets) (same shape) | [`Mse`](crate::Mse), [`L1`](crate::L1), [`SmoothL1`](crate::SmoothL1), [`Huber`](crate::Huber), [`PoissonNll`](crate::PoissonNll) |
//! | | [`GaussianPredictions`](crate::GaussianPredictions) | `Targets` | [`GaussianNll`](crate::GaussianNll) |
//! | [`Ranking`](crate::Ranking) | [`Triplets`](crate::Triplets) | `()` | [`TripletMargin`](crate::TripletMargin) |
//! | | [`EmbeddingPairs`](crate::EmbeddingPairs) | [`PairLabels`](crate::PairLabels) 0/1 | [`Contrastive`](crate::Contrastive) |
//! | | `EmbeddingPairs` | `SignLabels` | [`CosineEmbedding`](crate::CosineEmbedding) |
//! | | `EmbeddingPairs` (query, key) | `()` | [`InfoNce`](crate::InfoNce) |
//! | | [`ScorePairs`](crate::ScorePairs) | `SignLabels` | [`MarginRanking`](crate::MarginRanking) |
//! | | [`Distances`](crate::Distances) | `SignLabels` | [`HingeEmbedding`](crate::HingeEmbedding) |
//! | [`Sequence`](crate::Sequence) | `Logits` `[N, T, C]` | [`TokenIndices`](crate::TokenIndices) `[N, T]` (padding ignored) | `CrossEntropy` |
//!
//! Activations change the kind: [`Logits::softmax`](crate::Logits::softmax) and
//! [`Logits::log_softmax`](crate::Logits::log_softmax) exist for `MultiClass` and `Sequence`
//! logits and return `Probabilities` / `LogProbabilities`; [`Logits::sigmoid`](crate::Logits::sigmoid)
//! exists for `MultiLabel` and `Binary` and returns `Probabilities`. So a softmax before
//! `CrossEntropy` — the classic double softmax — cannot be written.
//!
//! The reduction is part of the loss's type: [`Mean`](crate::Mean) and [`Sum`](crate::Sum)
//! return a [`ScalarLoss`](crate::ScalarLoss), [`PerSample`](crate::PerSample) a
//! [`SampleLosses`](crate::SampleLosses), and a loss whose reduction was never chosen is
//! [`Unset`](crate::Unset): the mean, as in PyTorch, but visible to `losslint` (LL001).
//!
//! ## `MultiClass`
//! ```
//! use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5, -1.0], [0.1, 1.7, 0.3]])?;
//! let labels = ClassIndices::new(array![0, 1]);
//! let loss = CrossEntropy::new().reduction(Mean).compute(&logits, &labels)?;
//! assert!(loss.value > 0.0);
//! # Ok::<(), lossfit::LossError>(())
//! ```
//! A mean squared error on class labels does not compile:
//! ```compile_fail
//! use lossfit::{ClassIndices, Logits, Mean, Mse, MultiClass};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5]]).unwrap();
//! let _ = Mse::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![0]));
//! ```
//! ```text
//! error[E0277]: `Mse<f32, Mean>` is not a loss for `MultiClass` outputs
//!   = note: losses that fit `MultiClass` outputs (one class per sample): `CrossEntropy`,
//!           `SoftmaxFocal` and `MultiMargin` on raw `Logits`; `Nll` on `LogProbabilities`; ...
//! ```
//! Nor does a softmax before `CrossEntropy`:
//! ```compile_fail
//! use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5]]).unwrap();
//! let _ = CrossEntropy::new().reduction(Mean).compute(&logits.softmax(), &ClassIndices::new(array![0]));
//! ```
//! ```text
//! error[E0277]: `CrossEntropy` expects raw `Logits`, but got `Probabilities<MultiClass, f32>`
//!   = note: softmax is already inside `CrossEntropy`: pass the logits the model produced,
//!           not `softmax(logits)`; ...
//! ```
//!
//! ## `MultiLabel`
//! ```
//! use lossfit::{BceWithLogits, Logits, Mean, MultiHot, MultiLabel};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiLabel, f64>::new(array![[1.0, -2.0, 0.3]])?;
//! let labels = MultiHot::new(array![[1.0, 0.0, 1.0]])?;
//! let loss = BceWithLogits::new().reduction(Mean).compute(&logits, &labels)?;
//! assert!(loss.value > 0.0);
//! # Ok::<(), lossfit::LossError>(())
//! ```
//! Class indices on a multi-label head do not compile:
//! ```compile_fail
//! use lossfit::{BceWithLogits, ClassIndices, Logits, Mean, MultiLabel};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiLabel, f64>::new(array![[1.0, -2.0]]).unwrap();
//! let _ = BceWithLogits::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![1]));
//! ```
//! ```text
//! error[E0277]: `BceWithLogits<f64, Mean>` on `MultiLabel` outputs expects `MultiHot` targets
//!               [N, L], but got `ClassIndices`
//! ```
//!
//! ## `Binary`
//! ```
//! use lossfit::{BceWithLogits, Binary, BinaryLabels, Logits, Sum};
//! use ndarray::array;
//!
//! let logits = Logits::<Binary, f32>::new(array![2.5, -0.5])?;
//! let loss = BceWithLogits::new().reduction(Sum).compute(&logits, &BinaryLabels::new(array![1.0, 0.0])?)?;
//! assert!(loss.value > 0.0);
//! # Ok::<(), lossfit::LossError>(())
//! ```
//! A sigmoid before the with-logits loss does not compile:
//! ```compile_fail
//! use lossfit::{BceWithLogits, Binary, BinaryLabels, Logits, Sum};
//! use ndarray::array;
//!
//! let logits = Logits::<Binary, f32>::new(array![2.5]).unwrap();
//! let labels = BinaryLabels::new(array![1.0]).unwrap();
//! let _ = BceWithLogits::new().reduction(Sum).compute(&logits.sigmoid(), &labels);
//! ```
//! ```text
//! error[E0277]: `BceWithLogits<f32, Sum>` applies its own sigmoid and expects raw `Logits`,
//!               but got `Probabilities<Binary, f32>`
//! ```
//!
//! ## `Regression`
//! ```
//! use lossfit::{Huber, Mean, Predictions, Targets};
//! use ndarray::array;
//!
//! let loss = Huber::new().delta(1.0).reduction(Mean)
//!     .compute(&Predictions::new(array![[0.5_f32, 2.0]]), &Targets::new(array![[0.0_f32, 0.0]])?)?;
//! assert!(loss.value > 0.0);
//! # Ok::<(), lossfit::LossError>(())
//! ```
//! A classification loss on regression outputs does not compile:
//! ```compile_fail
//! use lossfit::{CrossEntropy, Mean, Predictions, Targets};
//! use ndarray::array;
//!
//! let targets = Targets::new(array![[0.0_f32, 1.0]]).unwrap();
//! let _ = CrossEntropy::new().reduction(Mean).compute(&Predictions::new(array![[0.5_f32, 2.0]]), &targets);
//! ```
//! ```text
//! error[E0277]: `CrossEntropy<f32, Mean>` is not a loss for `Regression` outputs
//! ```
//!
//! ## `Ranking`
//! ```
//! use lossfit::{Mean, TripletMargin, Triplets};
//! use ndarray::array;
//!
//! let t = Triplets::new(array![[0.0_f64, 1.0]], array![[0.0, 0.8]], array![[0.7, 0.0]])?;
//! let loss = TripletMargin::new().margin(2.0).reduction(Mean).compute(&t, &())?;
//! assert!(loss.value > 0.0);
//! # Ok::<(), lossfit::LossError>(())
//! ```
//! A ranking loss on classification logits does not compile:
//! ```compile_fail
//! use lossfit::{ClassIndices, Logits, Mean, MultiClass, TripletMargin};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiClass, f64>::new(array![[0.0, 1.0]]).unwrap();
//! let _ = TripletMargin::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![1]));
//! ```
//! ```text
//! error[E0277]: `TripletMargin<f64, Mean>` is not a loss for `MultiClass` outputs
//! ```
//!
//! ## `Sequence`
//! ```
//! use lossfit::{CrossEntropy, Logits, Mean, Sequence, TokenIndices};
//! use ndarray::Array3;
//! use ndarray::array;
//!
//! let logits = Logits::<Sequence, f32>::new(Array3::zeros((2, 3, 5)))?; // [N, T, C]
//! let tokens = TokenIndices::new(array![[1_i64, 4, -100], [0, 2, 3]])?; // -100: padding
//! let loss = CrossEntropy::new().label_smoothing(0.1).reduction(Mean).compute(&logits, &tokens)?;
//! assert!((loss.value - 5.0_f32.ln()).abs() < 1e-5);
//! # Ok::<(), lossfit::LossError>(())
//! ```
//! Token targets on a plain multi-class head do not compile:
//! ```compile_fail
//! use lossfit::{CrossEntropy, Logits, Mean, MultiClass, TokenIndices};
//! use ndarray::array;
//!
//! let logits = Logits::<MultiClass, f32>::new(array![[0.0, 1.0]]).unwrap();
//! let tokens = TokenIndices::new(array![[1_i64, 0]]).unwrap();
//! let _ = CrossEntropy::new().reduction(Mean).compute(&logits, &tokens);
//! ```
//! ```text
//! error[E0277]: `CrossEntropy` on `MultiClass` outputs expects `ClassIndices` or
//!               `ClassProbabilities`, but got `TokenIndices`
//! ```
