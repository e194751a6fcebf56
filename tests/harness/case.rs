//! The JSONL case format of DESIGN.md section 3, parsed into typed tensors.

use std::collections::BTreeMap;

use lossfit::Real;
use ndarray::{ArrayD, IxDyn};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One reference case, as stored (one JSON object per line).
#[derive(Debug, Deserialize)]
pub(crate) struct Case {
    pub(crate) id: String,
    pub(crate) loss: String,
    pub(crate) dtype: String,
    #[serde(default)]
    pub(crate) params: Map<String, Value>,
    pub(crate) inputs: BTreeMap<String, TensorJson>,
    pub(crate) upstream: Option<TensorJson>,
    pub(crate) expected: Expected,
}

/// The reference outputs of a case.
#[derive(Debug, Deserialize)]
pub(crate) struct Expected {
    pub(crate) value: TensorJson,
    #[serde(default)]
    pub(crate) grad: BTreeMap<String, TensorJson>,
}

/// A row-major tensor: numbers, or the strings `"nan"`, `"inf"`, `"-inf"`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct TensorJson {
    pub(crate) shape: Vec<usize>,
    pub(crate) data: Vec<Value>,
}

impl TensorJson {
    /// The data as `f64` (integers are exact; non-finite values spelled as strings).
    pub(crate) fn floats(&self) -> Result<Vec<f64>, String> {
        self.data.iter().map(number).collect()
    }

    /// A float tensor of element type `T`.
    pub(crate) fn float_array<T: Real>(&self) -> Result<ArrayD<T>, String> {
        let data = self.floats()?.into_iter().map(T::from_f64).collect();
        ArrayD::from_shape_vec(IxDyn(&self.shape), data)
            .map_err(|e| format!("shape {:?} does not fit the data: {e}", self.shape))
    }

    /// An integer tensor (class indices); every entry must be integral.
    pub(crate) fn index_array(&self) -> Result<ArrayD<i64>, String> {
        let data = self
            .data
            .iter()
            .map(|v| {
                v.as_i64()
                    .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0).map(|x| x as i64))
                    .ok_or_else(|| format!("expected an integer class index, found {v}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        ArrayD::from_shape_vec(IxDyn(&self.shape), data)
            .map_err(|e| format!("shape {:?} does not fit the data: {e}", self.shape))
    }
}

/// A JSON number or non-finite string as `f64`.
pub(crate) fn number(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| format!("number {n} is not representable")),
        Value::String(s) => match s.as_str() {
            "nan" | "NaN" => Ok(f64::NAN),
            "inf" | "Infinity" => Ok(f64::INFINITY),
            "-inf" | "-Infinity" => Ok(f64::NEG_INFINITY),
            other => Err(format!("expected a number, found the string {other:?}")),
        },
        other => Err(format!("expected a number, found {other}")),
    }
}
