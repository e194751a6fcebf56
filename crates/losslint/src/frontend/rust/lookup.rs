//! Indexes of the framework tables by canonical path and by method name, built once.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::facts::Activation;
use crate::frontend::apis::{self, ActivationForm, Form, FrameworkTable, LossApi, ReductionSpec};

/// What a canonical path names.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Meaning {
    /// Builds a loss object (a function, or a unit struct used as a value).
    Constructor(Api),
    /// A loss function.
    Function(Api),
    /// A loss method called as `Type::method(&receiver, ..)`.
    Method(Api),
    /// The type of a built loss (struct fields, parameters).
    LossType(Api),
    /// The options struct of a functional loss.
    Options(Api),
    Activation(Activation),
    /// A constructor of declared raw logits.
    Logits,
    /// Starts an empty sequential model (`tch::nn::seq()`).
    Sequential,
    /// Makes a model of the closure passed first (`tch::nn::func(|xs| ..)`).
    ModuleFn,
    /// An activation as a layer (`candle_nn::Activation::Sigmoid`, `burn::nn::Sigmoid`).
    ActivationLayer(Activation),
    /// A step-output struct's constructor and its fields in argument order.
    OutputStruct(&'static [&'static str]),
}

/// What a method does to a model or with one (`TensorApi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ModelMethod {
    /// Appends a layer: the model's output becomes the layer's.
    AddLayer,
    /// Appends a closure: the model's output becomes the closure's result.
    AddFn,
    /// Runs the model (the receiver) on a tensor.
    Run,
    /// Runs the model passed first on the receiver (`xs.apply(&net)`).
    Apply,
}

pub(crate) use crate::frontend::apis::Api;

#[derive(Debug, Default)]
struct Index {
    paths: HashMap<&'static str, Vec<Meaning>>,
    loss_methods: HashMap<&'static str, Vec<Api>>,
    activation_methods: HashMap<&'static str, Vec<ActivationMethod>>,
}

/// An activation method: its table (for the crate check), what it is, its arity.
type ActivationMethod = (&'static FrameworkTable, Activation, Option<usize>);

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build)
}

fn build() -> Index {
    let mut index = Index::default();
    for &table in apis::all() {
        for api in table.losses {
            let entry = Api { table, api };
            match &api.form {
                Form::Object {
                    constructors,
                    types,
                    ..
                } => {
                    for path in *constructors {
                        index.add(path, Meaning::Constructor(entry));
                    }
                    for path in *types {
                        index.add(path, Meaning::LossType(entry));
                    }
                }
                Form::Function { .. } => index.add(api.path, Meaning::Function(entry)),
                Form::Method { name, .. } => {
                    index.add(api.path, Meaning::Method(entry));
                    index.loss_methods.entry(name).or_default().push(entry);
                }
            }
            if let ReductionSpec::OptionsField { options, .. } = &api.reduction {
                let known = index.paths.get(options).is_some_and(|meanings| {
                    meanings.iter().any(|m| matches!(m, Meaning::Options(_)))
                });
                if !known {
                    index.add(options, Meaning::Options(entry));
                }
            }
        }
        for activation in table.activations {
            match activation.form {
                ActivationForm::Function(path) => {
                    index.add(path, Meaning::Activation(activation.activation));
                }
                ActivationForm::Method { name, arity } => index
                    .activation_methods
                    .entry(name)
                    .or_default()
                    .push((table, activation.activation, arity)),
            }
        }
        for path in table.logits {
            index.add(path, Meaning::Logits);
        }
        for path in table.tensors.iter().flat_map(|t| t.sequential.iter()) {
            index.add(path, Meaning::Sequential);
        }
        for path in table.tensors.iter().flat_map(|t| t.module_fns.iter()) {
            index.add(path, Meaning::ModuleFn);
        }
        for (path, activation) in table
            .tensors
            .iter()
            .flat_map(|t| t.activation_layers.iter())
        {
            index.add(path, Meaning::ActivationLayer(*activation));
        }
        for (path, fields) in table.tensors.iter().flat_map(|t| t.output_structs.iter()) {
            index.add(path, Meaning::OutputStruct(fields));
        }
    }
    index
}

impl Index {
    fn add(&mut self, path: &'static str, meaning: Meaning) {
        self.paths.entry(path).or_default().push(meaning);
    }
}

/// Everything a canonical path names.
pub(crate) fn meanings(path: &str) -> &'static [Meaning] {
    index().paths.get(path).map_or(&[], Vec::as_slice)
}

/// Loss methods named `name` of the tables whose crates `uses_crate` accepts, with the
/// argument count (receiver not counted) matching the entry's arity.
pub(crate) fn loss_method(
    name: &str,
    args: usize,
    uses_crate: impl Fn(&str) -> bool,
) -> Option<Api> {
    index()
        .loss_methods
        .get(name)?
        .iter()
        .copied()
        .find(|entry| {
            entry.table.crates.iter().any(|c| uses_crate(c)) && arity_fits(entry.api, args)
        })
}

/// Whether a method loss entry takes `args` arguments.
pub(crate) fn arity_fits(api: &LossApi, args: usize) -> bool {
    match api.form {
        Form::Method { arity, .. } => arity.is_none_or(|arity| arity == args),
        _ => true,
    }
}

/// The activation a method named `name` is, in a file using the table's crates.
pub(crate) fn activation_method(
    name: &str,
    args: usize,
    uses_crate: impl Fn(&str) -> bool,
) -> Option<Activation> {
    index()
        .activation_methods
        .get(name)?
        .iter()
        .find(|(table, _, arity)| {
            table.crates.iter().any(|c| uses_crate(c)) && arity.is_none_or(|arity| arity == args)
        })
        .map(|(_, activation, _)| *activation)
}

/// Whether `name` is a shape or selection method of a framework whose crates the file uses:
/// its result holds the receiver's numbers.
pub(crate) fn shape_method(name: &str, uses_crate: impl Fn(&str) -> bool) -> bool {
    apis::all().iter().filter_map(|t| t.tensors).any(|tensors| {
        tensors.shape_methods.contains(&name) && tensors.crates.iter().any(|c| uses_crate(c))
    })
}

/// What a method named `name` does with models, in a file using a framework that has it.
pub(crate) fn model_method(name: &str, uses_crate: impl Fn(&str) -> bool) -> Option<ModelMethod> {
    apis::all()
        .iter()
        .filter_map(|t| t.tensors)
        .filter(|tensors| tensors.crates.iter().any(|c| uses_crate(c)))
        .find_map(|tensors| {
            if tensors.add_layer.contains(&name) {
                Some(ModelMethod::AddLayer)
            } else if tensors.add_fn.contains(&name) {
                Some(ModelMethod::AddFn)
            } else if tensors.run.contains(&name) {
                Some(ModelMethod::Run)
            } else if tensors.apply.contains(&name) {
                Some(ModelMethod::Apply)
            } else {
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_have_their_meanings() {
        assert!(matches!(
            meanings("burn::nn::loss::MseLoss"),
            [Meaning::Constructor(_), Meaning::LossType(_)]
        ));
        assert!(matches!(
            meanings("candle_nn::ops::softmax"),
            [Meaning::Activation(Activation::Softmax)]
        ));
        assert!(matches!(
            meanings("lossfit::functional::CrossEntropyOptions"),
            [Meaning::Options(_)]
        ));
        assert!(meanings("std::vec::Vec").is_empty());
    }

    #[test]
    fn methods_need_the_crate_and_the_arity() {
        let tch = |c: &str| c == "tch";
        assert!(loss_method("nll_loss", 1, tch).is_some());
        assert!(loss_method("nll_loss", 4, tch).is_none());
        assert!(loss_method("nll_loss", 1, |_| false).is_none());
        assert_eq!(
            activation_method("softmax", 2, tch),
            Some(Activation::Softmax)
        );
        let lossfit = |c: &str| c == "lossfit";
        assert_eq!(
            activation_method("softmax", 0, lossfit),
            Some(Activation::Softmax)
        );
        assert_eq!(activation_method("softmax", 2, lossfit), None);
    }
}
