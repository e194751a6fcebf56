//! Cross-entropy by hand, checked against lossfit and against a stored PyTorch value.
//!
//! Run with `cargo run -p lossfit --example cross_entropy_by_hand`. It computes the loss of a
//! small batch step by step (max, shifted exponentials, log-sum-exp, negative log-likelihood,
//! mean), shows that lossfit and PyTorch 2.15 (the value stored in `tests/golden/core.jsonl` by
//! `tests/golden/generate.py`) agree to 6 significant digits, then turns on label smoothing and
//! explains which way the loss moves and why.

use std::error::Error;

use lossfit::Reduction;
use lossfit::functional::{CrossEntropyOptions, cross_entropy};
use ndarray::{Array1, Array2};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/core.jsonl");

fn main() -> Result<(), Box<dyn Error>> {
    let plain = stored_case("example/by-hand/smoothing-0.0/f32")?;
    let (logits, labels) = (plain.logits, plain.labels);
    let (n, classes) = logits.dim();
    println!("A batch of {n} samples over {classes} classes (f32 logits, as a model emits them):");
    for (row, label) in logits.rows().into_iter().zip(&labels) {
        println!("  logits {row:>5.2}  label {label}");
    }

    println!("\n1. By hand: loss_n = logsumexp(x_n) - x_n[label], then the mean over the batch.");
    let mut by_hand = Vec::new();
    for (i, (row, &label)) in logits.rows().into_iter().zip(&labels).enumerate() {
        let row: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
        // Subtracting the row maximum keeps exp() finite for logits of any size.
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let shifted_sum: f64 = row.iter().map(|x| (x - max).exp()).sum();
        let log_sum_exp = max + shifted_sum.ln();
        let loss = log_sum_exp - row[label as usize];
        println!(
            "  sample {i}: max {max:.3}, sum exp(x - max) {shifted_sum:.6}, \
             logsumexp {log_sum_exp:.6}, loss {loss:.6} (p[label] = {:.4})",
            (-loss).exp()
        );
        by_hand.push(loss);
    }
    let by_hand_mean = by_hand.iter().sum::<f64>() / n as f64;

    let options = |label_smoothing| CrossEntropyOptions {
        label_smoothing,
        reduction: Reduction::Mean,
        ..CrossEntropyOptions::default()
    };
    let library = cross_entropy(&logits, &labels, &options(0.0))?
        .scalar()
        .ok_or("a mean is a scalar")?;
    println!("\n2. Three ways to the same number:");
    println!("  by hand   {by_hand_mean:.9}");
    println!("  lossfit   {library:.9}");
    println!(
        "  PyTorch   {:.9}   (stored in tests/golden/core.jsonl)",
        plain.expected
    );
    for (name, value) in [("by hand", by_hand_mean), ("lossfit", f64::from(library))] {
        let digits = agreeing_digits(value, f64::from(plain.expected));
        println!("  {name} agrees with PyTorch to {digits} significant digits");
        if digits < 6 {
            return Err(format!("{name} differs from PyTorch beyond 6 significant digits").into());
        }
    }

    let eps = 0.1_f32;
    let smoothed = stored_case("example/by-hand/smoothing-0.1/f32")?;
    let library_smoothed = cross_entropy(&logits, &labels, &options(f64::from(eps)))?
        .scalar()
        .ok_or("a mean is a scalar")?;
    println!("\n3. Label smoothing {eps}: the target becomes (1 - eps) * onehot + eps / C.");
    println!(
        "  loss {library:.6} -> {library_smoothed:.6} (PyTorch {:.6}, {} significant digits)",
        smoothed.expected,
        agreeing_digits(f64::from(library_smoothed), f64::from(smoothed.expected))
    );
    // The smoothed loss is (1 - eps) * nll + eps * mean_c(-log p_c); it rises exactly when the
    // average over all classes of -log p_c exceeds the nll of the label, i.e. when the model
    // is confident and right: smoothing then charges it for the near-zero probabilities it
    // gives the other classes. That is the point: it discourages over-confident logits.
    let mean_nll_all_classes: f64 = logits
        .rows()
        .into_iter()
        .map(|row| {
            let row: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + row.iter().map(|x| (x - max).exp()).sum::<f64>().ln();
            row.iter().map(|x| lse - x).sum::<f64>() / classes as f64
        })
        .sum::<f64>()
        / n as f64;
    let predicted_change = f64::from(eps) * (mean_nll_all_classes - by_hand_mean);
    println!(
        "  mean over classes of -log p_c is {mean_nll_all_classes:.4}, above the label's \
         {by_hand_mean:.4}: the model is confident and mostly right, so smoothing raises the \
         loss by eps * ({mean_nll_all_classes:.4} - {by_hand_mean:.4}) = {predicted_change:.6}"
    );
    let observed_change = f64::from(library_smoothed - library);
    println!("  observed change {observed_change:.6}");
    if (observed_change - predicted_change).abs() > 1e-5 {
        return Err("the smoothed loss did not move as the formula predicts".into());
    }
    // The smoothed loss is a cross-entropy against the smoothed target t', so its floor is
    // the entropy of t' (reached when softmax(x) == t'), not 0.
    let (on, off) = (1.0 - eps + eps / classes as f32, eps / classes as f32);
    let floor = -(on * on.ln()) - (classes - 1) as f32 * off * off.ln();
    println!(
        "  and it can no longer reach 0: its minimum is the entropy of the smoothed target, \
         {floor:.4}, reached at p = ({on:.4}, {off:.4}, ..): logits stop growing there, which \
         is why smoothing curbs over-confidence"
    );
    Ok(())
}

/// A stored PyTorch case: the batch and the reference value.
struct StoredCase {
    logits: Array2<f32>,
    labels: Array1<i64>,
    expected: f32,
}

/// Reads one case of the golden fixtures written by `tests/golden/generate.py`.
fn stored_case(id: &str) -> Result<StoredCase, Box<dyn Error>> {
    let text =
        std::fs::read_to_string(FIXTURES).map_err(|e| format!("cannot read {FIXTURES}: {e}"))?;
    let case: Value = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|case| case["id"] == id)
        .ok_or_else(|| format!("case {id} not found in {FIXTURES}: run `cargo xtask golden`"))?;
    let numbers = |v: &Value| -> Vec<f64> {
        v["data"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let shape: Vec<usize> = case["inputs"]["input"]["shape"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_u64().map(|d| d as usize))
                .collect()
        })
        .unwrap_or_default();
    let [rows, cols] = shape[..] else {
        return Err(format!("case {id}: expected a 2-D input, found shape {shape:?}").into());
    };
    let logits = numbers(&case["inputs"]["input"])
        .into_iter()
        .map(|x| x as f32)
        .collect();
    Ok(StoredCase {
        logits: Array2::from_shape_vec((rows, cols), logits)?,
        labels: numbers(&case["inputs"]["target"])
            .into_iter()
            .map(|x| x as i64)
            .collect(),
        expected: numbers(&case["expected"]["value"])
            .first()
            .copied()
            .ok_or("no value")? as f32,
    })
}

/// How many leading significant digits two numbers share (15 when they are equal).
fn agreeing_digits(a: f64, b: f64) -> u32 {
    if a == b {
        return 15;
    }
    let relative = ((a - b) / b).abs();
    (-relative.log10()).floor().clamp(0.0, 15.0) as u32
}
