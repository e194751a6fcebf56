//! Property tests: analytic gradients against central finite differences (f64), invariances,
//! reductions (`Sum` equals the sum of `None`), and non-negativity, for every loss.

#[path = "props/binary.rs"]
mod binary;
#[path = "props/core.rs"]
mod core;
#[path = "props/multiclass.rs"]
mod multiclass;
#[path = "props/ranking.rs"]
mod ranking;
#[path = "props/regression.rs"]
mod regression;
#[path = "props/support.rs"]
mod support;
