//! Numerically stable building blocks shared by every loss (forward and backward).

/// Compensated (Neumaier) sum: accurate to a few ulp of the result whatever the length, so a
/// reduction over millions of elements still matches PyTorch's cascade sums.
pub(crate) fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut total = 0.0_f64;
    let mut compensation = 0.0_f64;
    for x in values {
        let t = total + x;
        if total.abs() >= x.abs() {
            compensation += (total - t) + x;
        } else {
            compensation += (x - t) + total;
        }
        total = t;
    }
    // Keep infinities and NaN as the plain sum would produce them.
    if total.is_finite() {
        total + compensation
    } else {
        total
    }
}

/// `log(sum(exp(row)))`, finite for logits of any magnitude and exact for `-inf` entries.
pub(crate) fn log_sum_exp(row: &[f64]) -> f64 {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if !max.is_finite() {
        // +inf or NaN dominates; PyTorch returns NaN for a row holding +inf.
        return max + f64::NAN;
    }
    max + sum(row.iter().map(|&x| (x - max).exp())).ln()
}

/// Writes `log_softmax(row)` into `out` as `(x - max) - ln(sum exp(x - max))`, the order
/// PyTorch's kernels use, so results agree to the last bit for logits near `1e4` too.
pub(crate) fn log_softmax(row: &[f64], out: &mut [f64]) {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        // all -inf (or +inf / NaN present): PyTorch produces NaN
        let lse = log_sum_exp(row);
        for (o, &x) in out.iter_mut().zip(row) {
            *o = x - lse;
        }
        return;
    }
    let log_sum = sum(row.iter().map(|&x| (x - max).exp())).ln();
    for (o, &x) in out.iter_mut().zip(row) {
        *o = (x - max) - log_sum;
    }
}

/// `log(1 + exp(x))` without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `log(sigmoid(x))` without overflow or underflow to `-inf`.
pub(crate) fn log_sigmoid(x: f64) -> f64 {
    -softplus(-x)
}

/// `1 / (1 + exp(-x))`, stable for large `|x|`.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let values = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(sum(values), 2.0);
    }

    #[test]
    fn log_sum_exp_is_finite_for_huge_logits() {
        assert_eq!(
            log_sum_exp(&[1e4, 1e4 - 1.0]),
            1e4 + (1.0 + (-1.0_f64).exp()).ln()
        );
        assert_eq!(log_sum_exp(&[-1e4, f64::NEG_INFINITY]), -1e4);
    }

    #[test]
    fn log_sigmoid_does_not_underflow() {
        assert_eq!(log_sigmoid(-1e4), -1e4);
        assert_eq!(log_sigmoid(1e4), 0.0);
        assert!((sigmoid(-800.0)).abs() < 1e-300);
    }
}
