//! Conversions between caller arrays and the row-major `f64` buffers the math runs on.

use std::borrow::Cow;

use ndarray::{
    ArrayBase, ArrayD, ArrayView, ArrayViewD, ArrayViewMut, ArrayViewMutD, Data, DataMut,
    Dimension, IxDyn,
};

use crate::{LossError, Real, Result};

/// Anything that can be viewed as an n-dimensional array: `&Array<A, D>` or `ArrayView<A, D>`.
///
/// Losses take their tensors through this trait so callers pass what they have, of any
/// dimensionality, without `.view().into_dyn()` noise.
///
/// ```
/// use lossfit::AsTensor;
/// use ndarray::array;
///
/// let a = array![[1.0_f32, 2.0], [3.0, 4.0]];
/// assert_eq!((&a).as_tensor().shape(), &[2, 2]);
/// assert_eq!(a.row(1).as_tensor().shape(), &[2]);
/// ```
pub trait AsTensor<'a, A> {
    /// A dynamic-dimensional view of the same data.
    // Implemented for references and views, which are `Copy`: taking `self` is the borrow.
    #[allow(clippy::wrong_self_convention)]
    fn as_tensor(self) -> ArrayViewD<'a, A>;
}

impl<'a, A, S, D> AsTensor<'a, A> for &'a ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    fn as_tensor(self) -> ArrayViewD<'a, A> {
        self.view().into_dyn()
    }
}

impl<'a, A, D: Dimension> AsTensor<'a, A> for ArrayView<'a, A, D> {
    fn as_tensor(self) -> ArrayViewD<'a, A> {
        self.into_dyn()
    }
}

/// Anything that can be viewed as a mutable n-dimensional array: `&mut Array<A, D>` or
/// `ArrayViewMut<A, D>`. The `*_into` and `*_in_place` losses write through it.
///
/// ```
/// use lossfit::AsTensorMut;
/// use ndarray::Array2;
///
/// let mut grad = Array2::<f32>::zeros((2, 3));
/// (&mut grad).as_tensor_mut().fill(1.0);
/// assert_eq!(grad.sum(), 6.0);
/// ```
pub trait AsTensorMut<'a, A> {
    /// A dynamic-dimensional mutable view of the same data.
    #[allow(clippy::wrong_self_convention)]
    fn as_tensor_mut(self) -> ArrayViewMutD<'a, A>;
}

impl<'a, A, S, D> AsTensorMut<'a, A> for &'a mut ArrayBase<S, D>
where
    S: DataMut<Elem = A>,
    D: Dimension,
{
    fn as_tensor_mut(self) -> ArrayViewMutD<'a, A> {
        self.view_mut().into_dyn()
    }
}

impl<'a, A, D: Dimension> AsTensorMut<'a, A> for ArrayViewMut<'a, A, D> {
    fn as_tensor_mut(self) -> ArrayViewMutD<'a, A> {
        self.into_dyn()
    }
}

/// The elements of a view in row-major order: borrowed when the view is contiguous and in
/// standard layout (the common case, no copy), copied otherwise.
pub(crate) fn row_major<'v, T: Clone>(view: &'v ArrayViewD<'_, T>) -> Cow<'v, [T]> {
    match view.as_slice() {
        Some(slice) => Cow::Borrowed(slice),
        None => Cow::Owned(view.iter().cloned().collect()),
    }
}

/// Runs `write` on the elements of `out` as one row-major slice: in place when `out` is
/// contiguous in standard layout, through a temporary copy otherwise.
pub(crate) fn with_row_major<T: Clone, R>(
    out: &mut ArrayViewMutD<'_, T>,
    write: impl FnOnce(&mut [T]) -> R,
) -> R {
    if let Some(slice) = out.as_slice_mut() {
        return write(slice);
    }
    let mut temp: Vec<T> = out.iter().cloned().collect();
    let result = write(&mut temp);
    for (dst, src) in out.iter_mut().zip(temp) {
        *dst = src;
    }
    result
}

/// A tensor widened to `f64`, in row-major order.
#[derive(Clone, Debug)]
pub(crate) struct Dense {
    pub(crate) shape: Vec<usize>,
    pub(crate) data: Vec<f64>,
}

impl Dense {
    /// Copies a view (in logical row-major order, whatever its strides) into `f64`.
    pub(crate) fn from_view<T: Real>(view: &ArrayViewD<'_, T>) -> Self {
        Dense {
            shape: view.shape().to_vec(),
            data: view.iter().map(|x| x.to_f64()).collect(),
        }
    }
}

/// An integer tensor (class indices) in row-major order.
pub(crate) fn index_data(view: &ArrayViewD<'_, i64>) -> Vec<i64> {
    view.iter().copied().collect()
}

/// Builds an array of `shape` from row-major `f64` data, rounding to `T`.
pub(crate) fn to_array<T: Real>(shape: &[usize], data: Vec<f64>) -> ArrayD<T> {
    let data: Vec<T> = data.into_iter().map(T::from_f64).collect();
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("data length matches shape by construction")
}

/// A 0-dimensional array holding `x`.
pub(crate) fn scalar_array<T: Real>(x: f64) -> ArrayD<T> {
    to_array(&[], vec![x])
}

/// The multi-index of row-major position `flat` in `shape` (for error messages).
pub(crate) fn position(shape: &[usize], mut flat: usize) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (slot, &extent) in index.iter_mut().zip(shape).rev() {
        if extent > 0 {
            *slot = flat % extent;
            flat /= extent;
        }
    }
    index
}

/// Fails unless `found` equals `expected` exactly.
pub(crate) fn expect_shape(
    loss: &'static str,
    arg: &'static str,
    found: &[usize],
    expected: &[usize],
    what: &str,
) -> Result<()> {
    if found == expected {
        return Ok(());
    }
    Err(LossError::Shape {
        loss,
        arg,
        found: found.to_vec(),
        expected: format!("{expected:?} ({what})"),
        fix: format!(
            "reshape `{arg}` to {expected:?}; lossfit never broadcasts, so a mismatch is \
             always an error"
        ),
    })
}

/// Checks that a caller's gradient buffer (`_into` forms) has the input's shape.
pub(crate) fn expect_grad_shape(loss: &'static str, grad: &[usize], input: &[usize]) -> Result<()> {
    expect_shape(
        loss,
        "grad",
        grad,
        input,
        "the gradient has the input's shape",
    )
}

/// Fails unless `b` has the same shape as `a`.
pub(crate) fn expect_same_shape(
    loss: &'static str,
    (a_name, a): (&'static str, &[usize]),
    (b_name, b): (&'static str, &[usize]),
) -> Result<()> {
    if a == b {
        return Ok(());
    }
    Err(LossError::Shape {
        loss,
        arg: b_name,
        found: b.to_vec(),
        expected: format!("{a:?}, the shape of `{a_name}`"),
        fix: format!(
            "pass `{a_name}` and `{b_name}` with the same shape; lossfit never broadcasts \
             (PyTorch would broadcast or warn here)"
        ),
    })
}

/// Fails when a hyperparameter is outside its domain.
pub(crate) fn check_param(
    loss: &'static str,
    param: &'static str,
    value: f64,
    valid: bool,
    expected: &str,
) -> Result<()> {
    if valid {
        return Ok(());
    }
    Err(LossError::Parameter {
        loss,
        param,
        value: value.to_string(),
        expected: expected.to_string(),
    })
}
