//! Runners for `cross_entropy`, `nll_loss` and `mse_loss`.

use lossfit::Real;
use lossfit::functional::{
    CrossEntropyOptions, MseOptions, NllOptions, cross_entropy, cross_entropy_probs, mse_loss,
    nll_loss,
};

use super::{Ctx, Outcome, Runner, outcome};

pub(super) fn lookup<T: Real>(loss: &str) -> Option<Runner<T>> {
    Some(match loss {
        "cross_entropy" => run_cross_entropy::<T>,
        "nll_loss" => run_nll_loss::<T>,
        "mse_loss" => run_mse_loss::<T>,
        _ => return None,
    })
}

fn run_cross_entropy<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    // PyTorch tells the two target kinds apart by dtype; a JSON number does not carry one, so
    // the shape decides: probabilities have the input's shape, indices lack the class dimension.
    let soft = ctx.inputs.ndim("target")? == input.ndim();
    let (probs, indices) = if soft {
        (Some(ctx.inputs.float::<T>("target")?), None)
    } else {
        (None, Some(ctx.inputs.index("target")?))
    };
    let weight = ctx.params.vector::<T>("weight")?;
    let ignore_index = ctx.params.i64("ignore_index")?;
    if soft && ignore_index.is_some_and(|i| i != -100) {
        return Err("ignore_index is not supported with probability targets".into());
    }
    let label_smoothing = ctx.params.f64_or("label_smoothing", 0.0)?;
    let reduction = ctx.params.reduction()?;
    let options = CrossEntropyOptions {
        weight: weight.as_ref().map(|w| w.view()),
        ignore_index: ignore_index.unwrap_or(-100),
        label_smoothing,
        reduction,
        grad_output: ctx.grad_output(),
    };
    match (probs, indices) {
        (Some(target), _) => outcome(cross_entropy_probs(&input, &target, &options)),
        (_, Some(target)) => outcome(cross_entropy(&input, &target, &options)),
        (None, None) => unreachable!("one target kind is always read"),
    }
}

fn run_nll_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.index("target")?;
    let weight = ctx.params.vector::<T>("weight")?;
    let ignore_index = ctx.params.i64("ignore_index")?.unwrap_or(-100);
    let reduction = ctx.params.reduction()?;
    let options = NllOptions {
        weight: weight.as_ref().map(|w| w.view()),
        ignore_index,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(nll_loss(&input, &target, &options))
}

fn run_mse_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let reduction = ctx.params.reduction()?;
    let options = MseOptions {
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(mse_loss(&input, &target, &options))
}
