//! Runners for the multiclass losses: `multi_margin_loss`, `softmax_focal_loss` and `kl_div`.

use lossfit::Real;
use lossfit::functional::{
    KlDivOptions, KlReduction, MultiMarginOptions, SoftmaxFocalOptions, kl_div, multi_margin_loss,
    softmax_focal_loss,
};

use super::{Ctx, Outcome, Runner, outcome};

pub(super) fn lookup<T: Real>(loss: &str) -> Option<Runner<T>> {
    Some(match loss {
        "multi_margin_loss" => run_multi_margin_loss::<T>,
        "softmax_focal_loss" => run_softmax_focal_loss::<T>,
        "kl_div" => run_kl_div::<T>,
        _ => return None,
    })
}

fn run_multi_margin_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.index("target")?;
    let p = ctx.params.f64_or("p", 1.0)?;
    let margin = ctx.params.f64_or("margin", 1.0)?;
    let weight = ctx.params.vector::<T>("weight")?;
    let reduction = ctx.params.reduction()?;
    let options = MultiMarginOptions {
        p,
        margin,
        weight: weight.as_ref().map(|w| w.view()),
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(multi_margin_loss(&input, &target, &options))
}

fn run_softmax_focal_loss<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.index("target")?;
    let alpha = ctx.params.vector::<T>("alpha")?;
    let gamma = ctx.params.f64_or("gamma", 2.0)?;
    let reduction = ctx.params.reduction()?;
    let options = SoftmaxFocalOptions {
        alpha: alpha.as_ref().map(|a| a.view()),
        gamma,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(softmax_focal_loss(&input, &target, &options))
}

fn run_kl_div<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    // `batchmean` is kl_div's own: parse with KlReduction, not the shared none/mean/sum parser.
    let reduction = ctx
        .params
        .string("reduction")?
        .map_or(Ok(KlReduction::Mean), |s| s.parse::<KlReduction>())?;
    let log_target = ctx.params.bool_or("log_target", false)?;
    let options = KlDivOptions {
        reduction,
        log_target,
        grad_output: ctx.grad_output(),
    };
    outcome(kl_div(&input, &target, &options))
}
