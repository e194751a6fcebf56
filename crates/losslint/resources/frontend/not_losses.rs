//! Code that mentions loss names without using a framework's loss API: nothing to extract.

mod loss {
    pub fn cross_entropy(p: &[f32], y: usize) -> f32 {
        -p[y].ln()
    }
}

use self::loss::cross_entropy;

struct CrossEntropy {
    eps: f32,
}

impl CrossEntropy {
    fn new() -> Self {
        CrossEntropy { eps: 1e-7 }
    }

    fn compute(&self, p: &[f32], y: usize) -> f32 {
        cross_entropy(p, y) + self.eps
    }
}

trait Activations {
    fn softmax(&self, dim: i64) -> Vec<f32>;
    fn nll_loss(&self, y: usize) -> f32;
}

fn train(scores: &impl Activations, y: usize) -> f32 {
    let probs = scores.softmax(-1);
    let mut total = 0.0;
    for _ in 0..3 {
        total += CrossEntropy::new().compute(&probs, y) + scores.nll_loss(y);
    }
    total / 3.0
}
