//! Runners for the binary and multi-label losses: `binary_cross_entropy`,
//! `binary_cross_entropy_with_logits`, `soft_margin_loss`, `multilabel_soft_margin_loss` and
//! `sigmoid_focal_loss`.

use lossfit::Real;
use lossfit::functional::{
    BceOptions, BceWithLogitsOptions, MultilabelSoftMarginOptions, SigmoidFocalOptions,
    SoftMarginOptions, binary_cross_entropy, binary_cross_entropy_with_logits,
    multilabel_soft_margin_loss, sigmoid_focal_loss, soft_margin_loss,
};

use super::{Ctx, Outcome, Runner, outcome};

pub(super) fn lookup<T: Real>(loss: &str) -> Option<Runner<T>> {
    Some(match loss {
        "binary_cross_entropy" => run_bce::<T>,
        "binary_cross_entropy_with_logits" => run_bce_with_logits::<T>,
        "soft_margin_loss" => run_soft_margin::<T>,
        "multilabel_soft_margin_loss" => run_multilabel_soft_margin::<T>,
        "sigmoid_focal_loss" => run_sigmoid_focal::<T>,
        _ => return None,
    })
}

fn run_bce<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let weight = ctx.params.tensor::<T>("weight")?;
    let reduction = ctx.params.reduction()?;
    let options = BceOptions {
        weight: weight.as_ref().map(|w| w.view()),
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(binary_cross_entropy(&input, &target, &options))
}

fn run_bce_with_logits<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let weight = ctx.params.tensor::<T>("weight")?;
    let pos_weight = ctx.params.tensor::<T>("pos_weight")?;
    let reduction = ctx.params.reduction()?;
    let options = BceWithLogitsOptions {
        weight: weight.as_ref().map(|w| w.view()),
        pos_weight: pos_weight.as_ref().map(|w| w.view()),
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(binary_cross_entropy_with_logits(&input, &target, &options))
}

fn run_soft_margin<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let reduction = ctx.params.reduction()?;
    let options = SoftMarginOptions {
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(soft_margin_loss(&input, &target, &options))
}

fn run_multilabel_soft_margin<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let weight = ctx.params.tensor::<T>("weight")?;
    let reduction = ctx.params.reduction()?;
    let options = MultilabelSoftMarginOptions {
        weight: weight.as_ref().map(|w| w.view()),
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(multilabel_soft_margin_loss(&input, &target, &options))
}

fn run_sigmoid_focal<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let defaults = SigmoidFocalOptions::<T>::default();
    let alpha = ctx.params.f64_or("alpha", defaults.alpha)?;
    let gamma = ctx.params.f64_or("gamma", defaults.gamma)?;
    let reduction = ctx.params.reduction()?;
    let options = SigmoidFocalOptions {
        alpha,
        gamma,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(sigmoid_focal_loss(&input, &target, &options))
}
