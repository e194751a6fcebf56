//! Runners for the ranking losses: `margin_ranking_loss`, `triplet_margin_loss`,
//! `cosine_embedding_loss`, `hinge_embedding_loss`, `contrastive_loss` and `info_nce`.

use lossfit::Real;
use lossfit::functional::{
    ContrastiveOptions, CosineEmbeddingOptions, HingeEmbeddingOptions, InfoNceOptions,
    MarginRankingOptions, TripletMarginOptions, contrastive_loss, cosine_embedding_loss,
    hinge_embedding_loss, info_nce, margin_ranking_loss, triplet_margin_loss,
};

use super::{Ctx, Outcome, Runner, outcome};

pub(super) fn lookup<T: Real>(loss: &str) -> Option<Runner<T>> {
    Some(match loss {
        "margin_ranking_loss" => run_margin_ranking::<T>,
        "triplet_margin_loss" => run_triplet_margin::<T>,
        "cosine_embedding_loss" => run_cosine_embedding::<T>,
        "hinge_embedding_loss" => run_hinge_embedding::<T>,
        "contrastive_loss" => run_contrastive::<T>,
        "info_nce" => run_info_nce::<T>,
        _ => return None,
    })
}

fn run_margin_ranking<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input1 = ctx.inputs.float::<T>("input1")?;
    let input2 = ctx.inputs.float::<T>("input2")?;
    let target = ctx.inputs.float::<T>("target")?;
    let margin = ctx.params.f64_or("margin", 0.0)?;
    let reduction = ctx.params.reduction()?;
    let options = MarginRankingOptions {
        margin,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(margin_ranking_loss(&input1, &input2, &target, &options))
}

fn run_triplet_margin<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let anchor = ctx.inputs.float::<T>("anchor")?;
    let positive = ctx.inputs.float::<T>("positive")?;
    let negative = ctx.inputs.float::<T>("negative")?;
    let margin = ctx.params.f64_or("margin", 1.0)?;
    let p = ctx.params.f64_or("p", 2.0)?;
    let eps = ctx.params.f64_or("eps", 1e-6)?;
    let swap = ctx.params.bool_or("swap", false)?;
    let reduction = ctx.params.reduction()?;
    let options = TripletMarginOptions {
        margin,
        p,
        eps,
        swap,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(triplet_margin_loss(&anchor, &positive, &negative, &options))
}

fn run_cosine_embedding<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input1 = ctx.inputs.float::<T>("input1")?;
    let input2 = ctx.inputs.float::<T>("input2")?;
    let target = ctx.inputs.float::<T>("target")?;
    let margin = ctx.params.f64_or("margin", 0.0)?;
    let reduction = ctx.params.reduction()?;
    let options = CosineEmbeddingOptions {
        margin,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(cosine_embedding_loss(&input1, &input2, &target, &options))
}

fn run_hinge_embedding<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input = ctx.inputs.float::<T>("input")?;
    let target = ctx.inputs.float::<T>("target")?;
    let margin = ctx.params.f64_or("margin", 1.0)?;
    let reduction = ctx.params.reduction()?;
    let options = HingeEmbeddingOptions {
        margin,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(hinge_embedding_loss(&input, &target, &options))
}

fn run_contrastive<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let input1 = ctx.inputs.float::<T>("input1")?;
    let input2 = ctx.inputs.float::<T>("input2")?;
    let target = ctx.inputs.float::<T>("target")?;
    let margin = ctx.params.f64_or("margin", 1.0)?;
    let reduction = ctx.params.reduction()?;
    let options = ContrastiveOptions {
        margin,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(contrastive_loss(&input1, &input2, &target, &options))
}

fn run_info_nce<T: Real>(ctx: &mut Ctx<T>) -> Result<Outcome<T>, String> {
    let query = ctx.inputs.float::<T>("query")?;
    let key = ctx.inputs.float::<T>("key")?;
    let temperature = ctx.params.f64_or("temperature", 0.07)?;
    let reduction = ctx.params.reduction()?;
    let options = InfoNceOptions {
        temperature,
        reduction,
        grad_output: ctx.grad_output(),
    };
    outcome(info_nce(&query, &key, &options))
}
