//! The `(N, C, d1, ..)` class layout shared by the class-index losses, and their checks.

use ndarray::ArrayView1;

use crate::tensor::{expect_shape, position};
use crate::{LossError, Real, Result};

/// Where the classes sit in an input of shape `(N, C, d1, ..)` or unbatched `(C,)`.
///
/// Element `(n, c, s)` (with `s` the flattened spatial position) is at `(n * C + c) * S + s`.
#[derive(Clone, Debug)]
pub(crate) struct ClassLayout {
    pub(crate) batch: usize,
    pub(crate) classes: usize,
    pub(crate) inner: usize,
    /// The shape of one class index (or one loss value) per position: `(N, d1, ..)` or `()`.
    pub(crate) target_shape: Vec<usize>,
}

impl ClassLayout {
    /// Reads the layout from the input shape.
    pub(crate) fn of(loss: &'static str, input_shape: &[usize]) -> Result<Self> {
        match input_shape {
            [] => Err(LossError::Shape {
                loss,
                arg: "input",
                found: Vec::new(),
                expected: "(N, C), (N, C, d1, ..) or unbatched (C,)".to_string(),
                fix: "pass one score per class; a scalar input has no classes".to_string(),
            }),
            [classes] => Ok(ClassLayout {
                batch: 1,
                classes: *classes,
                inner: 1,
                target_shape: Vec::new(),
            }),
            [batch, classes, spatial @ ..] => {
                let mut target_shape = vec![*batch];
                target_shape.extend_from_slice(spatial);
                Ok(ClassLayout {
                    batch: *batch,
                    classes: *classes,
                    inner: spatial.iter().product(),
                    target_shape,
                })
            }
        }
    }

    /// Number of positions (one loss value each): `N * d1 * ..`.
    pub(crate) fn positions(&self) -> usize {
        self.batch * self.inner
    }

    /// Flat index of class `c` at position `k` (as numbered by [`Self::positions`]).
    pub(crate) fn offset(&self, k: usize, c: usize) -> usize {
        let (n, s) = (k / self.inner, k % self.inner);
        (n * self.classes + c) * self.inner + s
    }

    /// Copies the scores of position `k` into `row` (length `C`).
    pub(crate) fn gather(&self, data: &[f64], k: usize, row: &mut [f64]) {
        for (c, slot) in row.iter_mut().enumerate() {
            *slot = data[self.offset(k, c)];
        }
    }

    /// Copies row-major `(N, C, d..)` data into `(positions, C)` rows.
    pub(crate) fn gather_rows<T: Copy + Default>(&self, data: &[T]) -> Vec<T> {
        let mut rows = vec![T::default(); data.len()];
        for k in 0..self.positions() {
            for c in 0..self.classes {
                rows[k * self.classes + c] = data[self.offset(k, c)];
            }
        }
        rows
    }

    /// The inverse of [`Self::gather_rows`]: writes `(positions, C)` rows into `(N, C, d..)` data.
    pub(crate) fn scatter_rows<T: Copy>(&self, rows: &[T], data: &mut [T]) {
        for k in 0..self.positions() {
            for c in 0..self.classes {
                data[self.offset(k, c)] = rows[k * self.classes + c];
            }
        }
    }

    /// Checks that a class-index target has one entry per position.
    pub(crate) fn expect_index_target(&self, loss: &'static str, shape: &[usize]) -> Result<()> {
        expect_shape(
            loss,
            "target",
            shape,
            &self.target_shape,
            "one class index per sample: the input's shape without its class dimension",
        )
    }

    /// Checks that every target is a class or the ignore index.
    pub(crate) fn check_indices(
        &self,
        loss: &'static str,
        targets: &[i64],
        ignore_index: Option<i64>,
    ) -> Result<()> {
        for (flat, &t) in targets.iter().enumerate() {
            let valid = usize::try_from(t).is_ok_and(|t| t < self.classes);
            if !valid && Some(t) != ignore_index {
                return Err(LossError::ClassIndex {
                    loss,
                    arg: "target",
                    position: position(&self.target_shape, flat),
                    value: t,
                    classes: self.classes,
                    ignore_index,
                });
            }
        }
        Ok(())
    }
}

/// Widens optional per-class weights after checking there is one per class.
pub(crate) fn class_weights<T: Real>(
    loss: &'static str,
    weight: Option<&ArrayView1<'_, T>>,
    classes: usize,
) -> Result<Option<Vec<f64>>> {
    let Some(weight) = weight else {
        return Ok(None);
    };
    if weight.len() != classes {
        return Err(LossError::Shape {
            loss,
            arg: "weight",
            found: weight.shape().to_vec(),
            expected: format!("[{classes}] (one weight per class)"),
            fix: format!(
                "pass exactly {classes} class weights, in class-index order, or none at all"
            ),
        });
    }
    Ok(Some(weight.iter().map(|w| w.to_f64()).collect()))
}
