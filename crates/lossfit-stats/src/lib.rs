//! Label statistics for lossfit: read a label file in constant memory, count classes, judge
//! imbalance and compute class weights.
//!
//! One implementation serves three callers: `#[derive(ModelOutput)]` reads a head's label file
//! at compile time, `losslint` reads the `[labels]` file of its config at run time, and the
//! core crate uses the weight schemes.
//!
//! ```
//! use lossfit_stats::{ImbalancePolicy, LabelStats, ReadOptions, WeightScheme, read_labels};
//!
//! let dir = std::env::temp_dir().join(format!("lossfit-stats-doc-lib-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("class_counts.json");
//! std::fs::write(&path, r#"{"counts": {"cat": 900, "dog": 100}}"#)?;
//!
//! // Names index classes only in an order the user declares: the model's outputs.
//! let options = ReadOptions {
//!     class_names: Some(vec!["cat".into(), "dog".into()]),
//!     ..ReadOptions::default()
//! };
//! let stats = read_labels(&path, &options)?;
//! if let Some(imbalance) = ImbalancePolicy::default().judge(&stats) {
//!     println!("{}: {imbalance}", path.display());
//!     if let LabelStats::MultiClass(counts) = &stats {
//!         let weights = counts.weights(WeightScheme::InverseFrequency)?;
//!         assert_eq!(weights.len(), 2);
//!     }
//! }
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Formats and their rules: [`Format`] and [`read_labels`]. Measures: [`ClassCounts`],
//! [`MultiLabelCounts`]. Weights: [`WeightScheme`]. Verdicts: [`ImbalancePolicy`].
#![warn(missing_docs)]

mod counts;
mod error;
mod format;
mod policy;
mod read;
mod weights;
mod write;

pub use counts::{ClassCounts, ClassLabel, LabelStats, MultiLabelCounts};
pub use error::{ErrorKind, StatsError};
pub use format::{Format, ReadOptions, TaskHint};
pub use policy::{Imbalance, ImbalancePolicy};
pub use read::{MAX_LINE_BYTES, file_kind, read_labels, read_labels_with_progress, read_root};
pub use weights::WeightScheme;
pub use write::write_counts_json;
