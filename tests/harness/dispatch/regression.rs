//! Runners for the regression losses.

use lossfit::Real;
use lossfit::functional::{
    GaussianNllOptions, HuberOptions, L1Options, PoissonNllOptions, SmoothL1Options,
    gaussian_nll_loss, gaussian_nll_loss_scalar_var, huber_loss, l1_loss, poisson_nll_loss,
    smooth_l1_loss,
};
use ndarray::{ArrayD, IxDyn};

use super::{Ctx, Outcome, Runner, outcome};

pub(super) fn lookup<T: Real>(loss: &str) -> Option<Runner<T>> {
    Some(match loss {
        "l1_loss" => run_l1_loss::<T>,
        "smooth_l1_loss" => run_smooth_l1_loss::<T>,
        "huber_loss" => run_huber_loss::<T>,
        "poisson_nll_loss" => run_poisson_nll_loss::<T>,
        "gaussian_nll_loss" => run_gaussian_nll_loss::<T>,
        _ => return None,
    })
}

/// The per-element `weight` param, in the input's shape.
///
/// The generator writes tensors of at most one dimension as flat lists, so a 0-dimensional
/// weight arrives as a one-element list; it is restored to the 0-dimensional input's shape.
fn element_weight<T: Real>(
    ctx: &mut Ctx<T>,
    input: &ArrayD<T>,
) -> Result<Option<ArrayD<T>>, String> {
    let Some(weight) = ctx.params.tensor::<T>("weight")? else {
        return Ok(None);
    };
    if input.ndim() == 0 && weight.shape() == [1] {
        return weight
            .into_shape_with_order(IxDyn(&[]))
            .map(Some)
            .map_err(|e| format!("param `weight`: {e}"));
    }
    Ok(Some(weight))
}

fn run_l1_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let weight = element_weight(ctx, &input)?;
    let reduction = ctx.params.reduction()?;
    let options = L1Options {
        weight: weight.as_ref().map(|w| w.view()),
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(l1_loss(&input, &target, &options))
}

fn run_smooth_l1_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let beta = ctx.params.f64_or("beta", 1.0)?;
    let reduction = ctx.params.reduction()?;
    let options = SmoothL1Options {
        beta,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(smooth_l1_loss(&input, &target, &options))
}

fn run_huber_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let delta = ctx.params.f64_or("delta", 1.0)?;
    let weight = element_weight(ctx, &input)?;
    let reduction = ctx.params.reduction()?;
    let options = HuberOptions {
        delta,
        weight: weight.as_ref().map(|w| w.view()),
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(huber_loss(&input, &target, &options))
}

fn run_poisson_nll_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let log_input = ctx.params.bool_or("log_input", true)?;
    let full = ctx.params.bool_or("full", false)?;
    let eps = ctx.params.f64_or("eps", 1e-8)?;
    let reduction = ctx.params.reduction()?;
    let options = PoissonNllOptions {
        log_input,
        full,
        eps,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(poisson_nll_loss(&input, &target, &options))
}

/// `var` as PyTorch received it: a tensor (an input, which takes a gradient, or a list param)
/// or a Python float (a number param, which does not).
enum Var<T> {
    Tensor(ArrayD<T>),
    Float(f64),
}

fn run_gaussian_nll_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let var = if ctx.inputs.ndim("var").is_ok() {
        Var::Tensor(ctx.inputs.float::<T>("var")?)
    } else {
        match ctx.params.tensor::<f64>("var")? {
            None => return Err("missing `var` (an input or a param)".into()),
            Some(v) if v.ndim() == 0 => Var::Float(v[[]]),
            Some(v) => Var::Tensor(v.mapv(T::from_f64)),
        }
    };
    let full = ctx.params.bool_or("full", false)?;
    let eps = ctx.params.f64_or("eps", 1e-6)?;
    let reduction = ctx.params.reduction()?;
    let options = GaussianNllOptions {
        full,
        eps,
        reduction,
        grad_output: ctx.grad_output(),
    };
    match var {
        Var::Tensor(var) => outcome(gaussian_nll_loss(&input, &target, &var, &options)),
        Var::Float(var) => outcome(gaussian_nll_loss_scalar_var(&input, &target, var, &options)),
    }
}
