//! Trains a digit classifier (and a small diagnosis model) with lossfit, burn, candle or tch.
//!
//! `cargo run --release -- lossfit` trains the linear softmax model on `data/digits.csv`,
//! restricted to the rows of `data/train_labels.csv` (classes 3, 5 and 8 are rare there), and
//! prints per-class recall on the held-out rows. The other back ends are behind features.

mod data;
mod eval;
mod model;
mod train_lossfit;

#[cfg(feature = "burn")]
mod train_burn;
#[cfg(feature = "candle")]
mod train_candle;
#[cfg(feature = "tch")]
mod train_flow;
#[cfg(feature = "tch")]
mod train_tch;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// What the command line asked for.
struct Args {
    backend: String,
    data_dir: PathBuf,
    epochs: usize,
    learning_rate: f32,
}

fn parse_args() -> Result<Args> {
    let mut args =
        Args { backend: "lossfit".to_string(), data_dir: PathBuf::from("data"), epochs: 200, learning_rate: 0.05 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--data" => args.data_dir = it.next().context("--data needs a directory")?.into(),
            "--epochs" => {
                args.epochs = it.next().context("--epochs needs a number")?.parse()?;
            }
            "--lr" => args.learning_rate = it.next().context("--lr needs a number")?.parse()?,
            other if !other.starts_with('-') => args.backend = other.to_string(),
            other => bail!("unknown flag `{other}`"),
        }
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let digits = data::Digits::load(&args.data_dir)?;
    println!(
        "{} training rows, {} held out; class counts {:?}",
        digits.train.len(),
        digits.test.len(),
        digits.train_counts()
    );
    let settings =
        train_lossfit::Settings { epochs: args.epochs, learning_rate: args.learning_rate, label_smoothing: 0.05 };
    match args.backend.as_str() {
        "lossfit" => {
            let model = train_lossfit::train(&digits, &settings)?;
            let report = eval::recall_per_class(&model, &digits.test_x(), &digits.test_y());
            eval::print_report(&report);
        }
        #[cfg(feature = "burn")]
        "burn" => train_burn::run(&digits, args.epochs)?,
        #[cfg(feature = "candle")]
        "candle" => train_candle::run(&digits, args.epochs)?,
        #[cfg(feature = "tch")]
        "tch" => train_tch::run(&digits, args.epochs)?,
        other => bail!("unknown or disabled back end `{other}` (lossfit, burn, candle, tch)"),
    }
    Ok(())
}
