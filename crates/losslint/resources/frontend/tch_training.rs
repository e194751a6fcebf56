//! A tch training loop in the style of the MNIST examples, with a multi-label head.

use anyhow::Result;
use tch::{nn, nn::ModuleT, nn::OptimizerConfig, Device, Kind, Reduction, Tensor};

fn run(vs: &nn::VarStore, net: &impl ModuleT, data: &Dataset) -> Result<f64> {
    let mut opt = nn::Adam::default().build(vs, 1e-4)?;
    let mut epoch_loss = 0.0;
    let mut seen = 0;
    for (bimages, blabels) in data.train_iter(256).shuffle().to_device(vs.device()) {
        let loss = net.forward_t(&bimages, true).cross_entropy_for_logits(&blabels);
        opt.backward_step(&loss);
        epoch_loss += f64::try_from(&loss)?;
        seen += bimages.size()[0];
    }
    Ok(epoch_loss / seen as f64)
}

fn nll_step(net: &impl ModuleT, x: &Tensor, y: &Tensor) -> Tensor {
    let probs = net.forward_t(x, false).softmax(-1, Kind::Float);
    probs.nll_loss(y)
}

fn tags_step(net: &impl ModuleT, x: &Tensor, y: &Tensor, pos_weight: &Tensor) -> Tensor {
    let logits = net.forward_t(x, true);
    logits.binary_cross_entropy_with_logits::<&Tensor>(y, None, Some(pos_weight), Reduction::Mean)
}

fn weighted_step(logits: &Tensor, y: &Tensor, w: &Tensor) -> Tensor {
    logits.cross_entropy_loss::<&Tensor>(y, Some(w), Reduction::Sum, -100, 0.0)
}
