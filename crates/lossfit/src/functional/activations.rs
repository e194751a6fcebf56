//! Softmax and sigmoid over whole arrays, for the typed layer's `Logits::softmax` and friends.

use ndarray::{ArrayD, ArrayViewD, Axis};

use super::math::{log_softmax, sigmoid};
use crate::Real;

/// `log_softmax` over the last axis of any array.
pub(crate) fn log_softmax_last_axis<T: Real>(x: &ArrayViewD<'_, T>) -> ArrayD<T> {
    let mut out = ArrayD::from_elem(x.raw_dim(), T::from_f64(0.0));
    let Some(last) = x.ndim().checked_sub(1) else {
        return out;
    };
    let classes = x.len_of(Axis(last));
    let (mut row, mut log_p) = (vec![0.0; classes], vec![0.0; classes]);
    for (lane, mut out_lane) in x
        .lanes(Axis(last))
        .into_iter()
        .zip(out.lanes_mut(Axis(last)))
    {
        for (slot, v) in row.iter_mut().zip(lane.iter()) {
            *slot = v.to_f64();
        }
        log_softmax(&row, &mut log_p);
        for (o, lp) in out_lane.iter_mut().zip(&log_p) {
            *o = T::from_f64(*lp);
        }
    }
    out
}

/// The sigmoid of every element.
pub(crate) fn sigmoid_elementwise<T: Real>(x: &ArrayViewD<'_, T>) -> ArrayD<T> {
    x.mapv(|v| T::from_f64(sigmoid(v.to_f64())))
}
