//! Maps a case's `loss` name and params onto a call of the crate's functional layer.
//!
//! One file per family of losses; each exposes `lookup`, returning the runner of a loss name.

mod binary;
mod core;
mod multiclass;
mod ranking;
mod regression;

use lossfit::{Gradients, Loss, Real};
use ndarray::{ArrayD, ArrayViewD};

use super::params::{Inputs, Params};

/// What a runner gets: the case's params and inputs (each to be consumed) and its upstream.
#[derive(Debug)]
pub(crate) struct Ctx<T> {
    pub(crate) params: Params,
    pub(crate) inputs: Inputs,
    pub(crate) upstream: Option<ArrayD<T>>,
}

impl<T> Ctx<T> {
    /// The upstream gradient as the `grad_output` option expects it.
    ///
    /// It borrows the whole context: read every input and param first, then build the options.
    pub(crate) fn grad_output(&self) -> Option<ArrayViewD<'_, T>> {
        self.upstream.as_ref().map(|u| u.view())
    }
}

/// The crate's value and named gradients for one case.
#[derive(Debug)]
pub(crate) struct Outcome<T> {
    pub(crate) value: ArrayD<T>,
    pub(crate) grads: Vec<(String, ArrayD<T>)>,
}

/// Converts a loss result into an outcome (errors become the failure message).
pub(crate) fn outcome<T: Real, G: Gradients<T>>(
    result: lossfit::Result<Loss<T, G>>,
) -> Result<Outcome<T>, String> {
    let loss = result.map_err(|e| format!("lossfit returned an error: {e}"))?;
    let grads = loss
        .grad
        .named()
        .into_iter()
        .map(|(name, g)| (name.to_string(), g.to_owned()))
        .collect();
    Ok(Outcome {
        value: loss.value,
        grads,
    })
}

/// A runner: reads params and inputs from the context and calls the loss.
pub(crate) type Runner<T> = fn(&mut Ctx<T>) -> Result<Outcome<T>, String>;

/// Finds the runner of a loss name in any family.
pub(crate) fn lookup<T: Real>(loss: &str) -> Option<Runner<T>> {
    core::lookup(loss)
        .or_else(|| binary::lookup(loss))
        .or_else(|| multiclass::lookup(loss))
        .or_else(|| regression::lookup(loss))
        .or_else(|| ranking::lookup(loss))
}
