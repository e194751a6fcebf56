//! Typed access to a case's params and inputs that fails on anything left unread.

use std::collections::BTreeMap;

use lossfit::{Real, Reduction};
use ndarray::{Array1, ArrayD};
use serde_json::{Map, Value};

use super::case::{TensorJson, number};

/// A case's params; every key must be read, so an unknown option fails the case.
#[derive(Debug)]
pub(crate) struct Params {
    map: Map<String, Value>,
}

impl Params {
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Params { map }
    }

    /// Removes `key`; `null` counts as unset.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    pub(crate) fn f64(&mut self, key: &str) -> Result<Option<f64>, String> {
        self.take(key)
            .map(|v| number(&v).map_err(|e| format!("param `{key}`: {e}")))
            .transpose()
    }

    pub(crate) fn f64_or(&mut self, key: &str, default: f64) -> Result<f64, String> {
        Ok(self.f64(key)?.unwrap_or(default))
    }

    pub(crate) fn i64(&mut self, key: &str) -> Result<Option<i64>, String> {
        self.take(key)
            .map(|v| {
                v.as_i64()
                    .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0).map(|x| x as i64))
                    .ok_or_else(|| format!("param `{key}`: expected an integer, found {v}"))
            })
            .transpose()
    }

    pub(crate) fn bool(&mut self, key: &str) -> Result<Option<bool>, String> {
        self.take(key)
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| format!("param `{key}`: expected a boolean, found {v}"))
            })
            .transpose()
    }

    pub(crate) fn bool_or(&mut self, key: &str, default: bool) -> Result<bool, String> {
        Ok(self.bool(key)?.unwrap_or(default))
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>, String> {
        self.take(key)
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(format!("param `{key}`: expected a string, found {other}")),
            })
            .transpose()
    }

    /// `reduction` as none / mean / sum (default mean).
    pub(crate) fn reduction(&mut self) -> Result<Reduction, String> {
        self.string("reduction")?
            .map_or(Ok(Reduction::Mean), |s| s.parse::<Reduction>())
    }

    /// A tensor-valued param (`weight`, `pos_weight`, ...): a flat list, a number, or a
    /// `{shape, data}` object.
    pub(crate) fn tensor<T: Real>(&mut self, key: &str) -> Result<Option<ArrayD<T>>, String> {
        let Some(v) = self.take(key) else {
            return Ok(None);
        };
        let tensor = match v {
            Value::Array(items) => TensorJson {
                shape: vec![items.len()],
                data: items,
            },
            Value::Object(_) => serde_json::from_value::<TensorJson>(v)
                .map_err(|e| format!("param `{key}`: {e}"))?,
            scalar => TensorJson {
                shape: Vec::new(),
                data: vec![scalar],
            },
        };
        tensor
            .float_array()
            .map(Some)
            .map_err(|e| format!("param `{key}`: {e}"))
    }

    /// A 1-D tensor param (per-class weights).
    pub(crate) fn vector<T: Real>(&mut self, key: &str) -> Result<Option<Array1<T>>, String> {
        self.tensor(key)?
            .map(|t| {
                let shape = t.shape().to_vec();
                t.into_dimensionality().map_err(|_| {
                    format!("param `{key}`: expected a 1-D list, found shape {shape:?}")
                })
            })
            .transpose()
    }

    /// Fails if a param was not read: the crate does not know it.
    pub(crate) fn finish(self) -> Result<(), String> {
        match self.map.into_iter().find(|(_, v)| !v.is_null()) {
            None => Ok(()),
            Some((key, value)) => Err(format!("unknown param `{key}` = {value}")),
        }
    }
}

/// A case's input tensors by name; every one must be read.
#[derive(Debug)]
pub(crate) struct Inputs {
    map: BTreeMap<String, TensorJson>,
}

impl Inputs {
    pub(crate) fn new(map: BTreeMap<String, TensorJson>) -> Self {
        Inputs { map }
    }

    fn take(&mut self, name: &str) -> Result<TensorJson, String> {
        self.map
            .remove(name)
            .ok_or_else(|| format!("missing input `{name}`"))
    }

    /// The number of dimensions of an input, without consuming it.
    pub(crate) fn ndim(&self, name: &str) -> Result<usize, String> {
        self.map
            .get(name)
            .map(|t| t.shape.len())
            .ok_or_else(|| format!("missing input `{name}`"))
    }

    pub(crate) fn float<T: Real>(&mut self, name: &str) -> Result<ArrayD<T>, String> {
        self.take(name)?
            .float_array()
            .map_err(|e| format!("input `{name}`: {e}"))
    }

    pub(crate) fn index(&mut self, name: &str) -> Result<ArrayD<i64>, String> {
        self.take(name)?
            .index_array()
            .map_err(|e| format!("input `{name}`: {e}"))
    }

    pub(crate) fn finish(self) -> Result<(), String> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(name) => Err(format!("unknown input `{name}`")),
        }
    }
}
