//! Reads the digits images, the training split and the diagnosis table from `data/`.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use ndarray::{Array1, Array2};

/// Number of pixels of one 8x8 digit image.
pub const PIXELS: usize = 64;
/// Number of digit classes.
pub const CLASSES: usize = 10;

/// One image and its class.
#[derive(Clone, Debug)]
pub struct Sample {
    pub pixels: [f32; PIXELS],
    pub label: usize,
}

/// The training rows (those listed in `train_labels.csv`) and the held-out rest.
#[derive(Debug)]
pub struct Digits {
    pub train: Vec<Sample>,
    pub test: Vec<Sample>,
}

impl Digits {
    /// Reads `digits.csv` and keeps the rows named in `train_labels.csv` for training.
    pub fn load(dir: &Path) -> Result<Self> {
        let images = fs::read_to_string(dir.join("digits.csv"))
            .with_context(|| format!("cannot read {}", dir.join("digits.csv").display()))?;
        let split = fs::read_to_string(dir.join("train_labels.csv"))
            .with_context(|| format!("cannot read {}", dir.join("train_labels.csv").display()))?;
        let train_ids: HashSet<usize> = split
            .lines()
            .skip(1)
            .map(|line| {
                let id = line.split(',').next().unwrap_or_default();
                id.parse::<usize>().with_context(|| format!("bad id `{id}` in train_labels.csv"))
            })
            .collect::<Result<_>>()?;
        let mut digits = Digits { train: Vec::new(), test: Vec::new() };
        for (row, line) in images.lines().enumerate() {
            let sample = parse_sample(line).with_context(|| format!("digits.csv line {}", row + 1))?;
            if train_ids.contains(&row) {
                digits.train.push(sample);
            } else {
                digits.test.push(sample);
            }
        }
        Ok(digits)
    }

    /// Images per class in the training split.
    pub fn train_counts(&self) -> [u64; CLASSES] {
        let mut counts = [0; CLASSES];
        for sample in &self.train {
            counts[sample.label] += 1;
        }
        counts
    }

    /// Training images scaled to 0..1, one row per image.
    pub fn train_x(&self) -> Array2<f32> {
        to_matrix(&self.train)
    }

    /// Training classes.
    pub fn train_y(&self) -> Array1<usize> {
        self.train.iter().map(|s| s.label).collect()
    }

    /// Held-out images scaled to 0..1.
    pub fn test_x(&self) -> Array2<f32> {
        to_matrix(&self.test)
    }

    /// Held-out classes.
    pub fn test_y(&self) -> Array1<usize> {
        self.test.iter().map(|s| s.label).collect()
    }

    /// Consecutive batches of at most `size` training rows.
    pub fn batches(&self, size: usize) -> Vec<(Array2<f32>, Array1<usize>)> {
        self.train.chunks(size).map(|chunk| (to_matrix(chunk), chunk.iter().map(|s| s.label).collect())).collect()
    }
}

fn parse_sample(line: &str) -> Result<Sample> {
    let fields: Vec<&str> = line.split(',').collect();
    if fields.len() != PIXELS + 1 {
        bail!("expected {} fields, found {}", PIXELS + 1, fields.len());
    }
    let mut pixels = [0.0; PIXELS];
    for (pixel, field) in pixels.iter_mut().zip(&fields) {
        *pixel = field.trim().parse()?;
    }
    let label = fields[PIXELS].trim().parse()?;
    if label >= CLASSES {
        bail!("class {label} out of range");
    }
    Ok(Sample { pixels, label })
}

fn to_matrix(samples: &[Sample]) -> Array2<f32> {
    Array2::from_shape_fn((samples.len(), PIXELS), |(i, j)| samples[i].pixels[j] / 16.0)
}

/// The breast cancer table: 30 features and the diagnosis (1 = benign).
#[derive(Debug)]
pub struct Diagnosis {
    pub features: Array2<f32>,
    pub benign: Array1<f32>,
}

impl Diagnosis {
    /// Reads `breast_cancer.csv` (its first line is `rows,features,name0,name1`).
    pub fn load(dir: &Path) -> Result<Self> {
        let text = fs::read_to_string(dir.join("breast_cancer.csv"))?;
        let mut lines = text.lines();
        let header = lines.next().context("empty breast_cancer.csv")?;
        let mut header_fields = header.split(',');
        let rows: usize = header_fields.next().context("no row count")?.parse()?;
        let cols: usize = header_fields.next().context("no feature count")?.parse()?;
        let mut features = Array2::zeros((rows, cols));
        let mut benign = Array1::zeros(rows);
        for (i, line) in lines.enumerate().take(rows) {
            let values: Vec<f32> = line.split(',').map(str::parse).collect::<Result<_, _>>()?;
            for j in 0..cols {
                features[[i, j]] = values[j];
            }
            benign[i] = values[cols];
        }
        Ok(Diagnosis { features, benign })
    }
}
