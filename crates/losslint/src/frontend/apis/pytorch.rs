//! PyTorch's loss APIs, as data for the Python frontend: every `torch.nn` loss module and its
//! `torch.nn.functional` form with its parameters in PyTorch's signature order, the
//! activations (functions, tensor methods and modules), and the names the same objects are
//! reachable under.
//!
//! The signatures are PyTorch 2.x's (`torch/nn/modules/loss.py`, `torch/nn/functional.py`):
//! the order decides which positional argument is `reduction`, `weight` or a legacy
//! `size_average`/`reduce`. A `*` entry starts the keyword-only parameters.

use crate::facts::{Activation, LossKind, Weighting};

/// How a loss API is invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PyForm {
    /// A module class: built with `params`, then called with `call` (its `forward`).
    Module,
    /// A function called with `params` (the inputs first).
    Function,
}

/// One PyTorch loss API.
#[derive(Debug)]
pub struct PyLoss {
    /// Canonical dotted path (`torch.nn.CrossEntropyLoss`).
    pub path: &'static str,
    pub loss: LossKind,
    pub form: PyForm,
    /// The parameters of the constructor (modules) or of the function, in order.
    pub params: &'static [&'static str],
    /// The parameters of a module's `forward` (empty for functions: the inputs are in `params`).
    pub call: &'static [&'static str],
    /// Whether one of the inputs is a target (triplet losses have none).
    pub has_target: bool,
    /// The reduction when none is passed.
    pub default_reduction: &'static str,
    /// Parameters that weight the loss, and what they mean.
    pub weights: &'static [(&'static str, Weighting)],
    /// Weighting the loss has by construction (a focal term).
    pub intrinsic: Option<Weighting>,
    /// The with-logits API computing the same loss on the logits (LL005's rewrite).
    pub with_logits: Option<&'static str>,
}

const REDUCTION: &str = "reduction";

/// Shorthand for the table below.
const fn module(
    path: &'static str,
    loss: LossKind,
    params: &'static [&'static str],
    call: &'static [&'static str],
    weights: &'static [(&'static str, Weighting)],
) -> PyLoss {
    PyLoss {
        path,
        loss,
        form: PyForm::Module,
        params,
        call,
        has_target: true,
        default_reduction: "mean",
        weights,
        intrinsic: None,
        with_logits: None,
    }
}

const fn function(
    path: &'static str,
    loss: LossKind,
    params: &'static [&'static str],
    weights: &'static [(&'static str, Weighting)],
) -> PyLoss {
    PyLoss {
        path,
        loss,
        form: PyForm::Function,
        params,
        call: &[],
        has_target: true,
        default_reduction: "mean",
        weights,
        intrinsic: None,
        with_logits: None,
    }
}

const CLASS_WEIGHT: &[(&str, Weighting)] = &[("weight", Weighting::ClassWeights)];
const BCE_WEIGHTS: &[(&str, Weighting)] = &[
    ("weight", Weighting::ClassWeights),
    ("pos_weight", Weighting::PosWeight),
];
const NONE: &[(&str, Weighting)] = &[];
const PAIR: &[&str] = &["input", "target"];

/// Every loss API.
pub static LOSSES: &[PyLoss] = &[
    // ------------------------------------------------------------------ modules
    module(
        "torch.nn.L1Loss",
        LossKind::L1,
        &["size_average", "reduce", REDUCTION],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.NLLLoss",
        LossKind::Nll,
        &[
            "weight",
            "size_average",
            "ignore_index",
            "reduce",
            REDUCTION,
        ],
        PAIR,
        CLASS_WEIGHT,
    ),
    module(
        "torch.nn.NLLLoss2d",
        LossKind::Nll,
        &[
            "weight",
            "size_average",
            "ignore_index",
            "reduce",
            REDUCTION,
        ],
        PAIR,
        CLASS_WEIGHT,
    ),
    module(
        "torch.nn.PoissonNLLLoss",
        LossKind::PoissonNll,
        &[
            "log_input",
            "full",
            "size_average",
            "eps",
            "reduce",
            REDUCTION,
        ],
        &["log_input", "target"],
        NONE,
    ),
    module(
        "torch.nn.GaussianNLLLoss",
        LossKind::GaussianNll,
        &["*", "full", "eps", REDUCTION],
        &["input", "target", "var"],
        NONE,
    ),
    module(
        "torch.nn.KLDivLoss",
        LossKind::KlDiv,
        &["size_average", "reduce", REDUCTION, "log_target"],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.MSELoss",
        LossKind::Mse,
        &["size_average", "reduce", REDUCTION],
        PAIR,
        NONE,
    ),
    PyLoss {
        with_logits: Some("torch.nn.BCEWithLogitsLoss"),
        ..module(
            "torch.nn.BCELoss",
            LossKind::Bce,
            &["weight", "size_average", "reduce", REDUCTION],
            PAIR,
            CLASS_WEIGHT,
        )
    },
    module(
        "torch.nn.BCEWithLogitsLoss",
        LossKind::BceWithLogits,
        &["weight", "size_average", "reduce", REDUCTION, "pos_weight"],
        PAIR,
        BCE_WEIGHTS,
    ),
    module(
        "torch.nn.HingeEmbeddingLoss",
        LossKind::HingeEmbedding,
        &["margin", "size_average", "reduce", REDUCTION],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.MultiLabelMarginLoss",
        LossKind::MultiLabelMargin,
        &["size_average", "reduce", REDUCTION],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.SmoothL1Loss",
        LossKind::SmoothL1,
        &["size_average", "reduce", REDUCTION, "beta"],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.HuberLoss",
        LossKind::Huber,
        &[REDUCTION, "delta"],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.SoftMarginLoss",
        LossKind::SoftMargin,
        &["size_average", "reduce", REDUCTION],
        PAIR,
        NONE,
    ),
    module(
        "torch.nn.CrossEntropyLoss",
        LossKind::CrossEntropy,
        &[
            "weight",
            "size_average",
            "ignore_index",
            "reduce",
            REDUCTION,
            "label_smoothing",
        ],
        PAIR,
        CLASS_WEIGHT,
    ),
    module(
        "torch.nn.MultiLabelSoftMarginLoss",
        LossKind::MultiLabelSoftMargin,
        &["weight", "size_average", "reduce", REDUCTION],
        PAIR,
        CLASS_WEIGHT,
    ),
    module(
        "torch.nn.CosineEmbeddingLoss",
        LossKind::CosineEmbedding,
        &["margin", "size_average", "reduce", REDUCTION],
        &["input1", "input2", "target"],
        NONE,
    ),
    module(
        "torch.nn.MarginRankingLoss",
        LossKind::MarginRanking,
        &["margin", "size_average", "reduce", REDUCTION],
        &["input1", "input2", "target"],
        NONE,
    ),
    module(
        "torch.nn.MultiMarginLoss",
        LossKind::MultiMargin,
        &["p", "margin", "weight", "size_average", "reduce", REDUCTION],
        PAIR,
        CLASS_WEIGHT,
    ),
    PyLoss {
        has_target: false,
        ..module(
            "torch.nn.TripletMarginLoss",
            LossKind::TripletMargin,
            &[
                "margin",
                "p",
                "eps",
                "swap",
                "size_average",
                "reduce",
                REDUCTION,
            ],
            &["anchor", "positive", "negative"],
            NONE,
        )
    },
    PyLoss {
        has_target: false,
        ..module(
            "torch.nn.TripletMarginWithDistanceLoss",
            LossKind::TripletMargin,
            &["*", "distance_function", "margin", "swap", REDUCTION],
            &["anchor", "positive", "negative"],
            NONE,
        )
    },
    module(
        "torch.nn.CTCLoss",
        LossKind::Ctc,
        &["blank", REDUCTION, "zero_infinity"],
        &["log_probs", "targets", "input_lengths", "target_lengths"],
        NONE,
    ),
    // ------------------------------------------------------------------ functions
    function(
        "torch.nn.functional.l1_loss",
        LossKind::L1,
        &[
            "input",
            "target",
            "size_average",
            "reduce",
            REDUCTION,
            "weight",
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.nll_loss",
        LossKind::Nll,
        &[
            "input",
            "target",
            "weight",
            "size_average",
            "ignore_index",
            "reduce",
            REDUCTION,
        ],
        CLASS_WEIGHT,
    ),
    function(
        "torch.nn.functional.poisson_nll_loss",
        LossKind::PoissonNll,
        &[
            "input",
            "target",
            "log_input",
            "full",
            "size_average",
            "eps",
            "reduce",
            REDUCTION,
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.gaussian_nll_loss",
        LossKind::GaussianNll,
        &["input", "target", "var", "full", "eps", REDUCTION],
        NONE,
    ),
    function(
        "torch.nn.functional.kl_div",
        LossKind::KlDiv,
        &[
            "input",
            "target",
            "size_average",
            "reduce",
            REDUCTION,
            "log_target",
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.mse_loss",
        LossKind::Mse,
        &[
            "input",
            "target",
            "size_average",
            "reduce",
            REDUCTION,
            "weight",
        ],
        NONE,
    ),
    PyLoss {
        with_logits: Some("torch.nn.functional.binary_cross_entropy_with_logits"),
        ..function(
            "torch.nn.functional.binary_cross_entropy",
            LossKind::Bce,
            &[
                "input",
                "target",
                "weight",
                "size_average",
                "reduce",
                REDUCTION,
            ],
            CLASS_WEIGHT,
        )
    },
    function(
        "torch.nn.functional.binary_cross_entropy_with_logits",
        LossKind::BceWithLogits,
        &[
            "input",
            "target",
            "weight",
            "size_average",
            "reduce",
            REDUCTION,
            "pos_weight",
        ],
        BCE_WEIGHTS,
    ),
    function(
        "torch.nn.functional.hinge_embedding_loss",
        LossKind::HingeEmbedding,
        &[
            "input",
            "target",
            "margin",
            "size_average",
            "reduce",
            REDUCTION,
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.multilabel_margin_loss",
        LossKind::MultiLabelMargin,
        &["input", "target", "size_average", "reduce", REDUCTION],
        NONE,
    ),
    function(
        "torch.nn.functional.smooth_l1_loss",
        LossKind::SmoothL1,
        &[
            "input",
            "target",
            "size_average",
            "reduce",
            REDUCTION,
            "beta",
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.huber_loss",
        LossKind::Huber,
        &["input", "target", REDUCTION, "delta", "weight"],
        NONE,
    ),
    function(
        "torch.nn.functional.soft_margin_loss",
        LossKind::SoftMargin,
        &["input", "target", "size_average", "reduce", REDUCTION],
        NONE,
    ),
    function(
        "torch.nn.functional.cross_entropy",
        LossKind::CrossEntropy,
        &[
            "input",
            "target",
            "weight",
            "size_average",
            "ignore_index",
            "reduce",
            REDUCTION,
            "label_smoothing",
        ],
        CLASS_WEIGHT,
    ),
    function(
        "torch.nn.functional.multilabel_soft_margin_loss",
        LossKind::MultiLabelSoftMargin,
        &[
            "input",
            "target",
            "weight",
            "size_average",
            "reduce",
            REDUCTION,
        ],
        CLASS_WEIGHT,
    ),
    function(
        "torch.nn.functional.cosine_embedding_loss",
        LossKind::CosineEmbedding,
        &[
            "input1",
            "input2",
            "target",
            "margin",
            "size_average",
            "reduce",
            REDUCTION,
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.margin_ranking_loss",
        LossKind::MarginRanking,
        &[
            "input1",
            "input2",
            "target",
            "margin",
            "size_average",
            "reduce",
            REDUCTION,
        ],
        NONE,
    ),
    function(
        "torch.nn.functional.multi_margin_loss",
        LossKind::MultiMargin,
        &[
            "input",
            "target",
            "p",
            "margin",
            "weight",
            "size_average",
            "reduce",
            REDUCTION,
        ],
        CLASS_WEIGHT,
    ),
    PyLoss {
        has_target: false,
        ..function(
            "torch.nn.functional.triplet_margin_loss",
            LossKind::TripletMargin,
            &[
                "anchor",
                "positive",
                "negative",
                "margin",
                "p",
                "eps",
                "swap",
                "size_average",
                "reduce",
                REDUCTION,
            ],
            NONE,
        )
    },
    PyLoss {
        has_target: false,
        ..function(
            "torch.nn.functional.triplet_margin_with_distance_loss",
            LossKind::TripletMargin,
            &[
                "anchor",
                "positive",
                "negative",
                "*",
                "distance_function",
                "margin",
                "swap",
                REDUCTION,
            ],
            NONE,
        )
    },
    function(
        "torch.nn.functional.ctc_loss",
        LossKind::Ctc,
        &[
            "log_probs",
            "targets",
            "input_lengths",
            "target_lengths",
            "blank",
            REDUCTION,
            "zero_infinity",
        ],
        NONE,
    ),
    PyLoss {
        default_reduction: "none",
        intrinsic: Some(Weighting::Focal),
        ..function(
            "torchvision.ops.sigmoid_focal_loss",
            LossKind::SigmoidFocal,
            &["inputs", "targets", "alpha", "gamma", REDUCTION],
            NONE,
        )
    },
];

/// Other spellings of the same objects: `(written, canonical)` dotted prefixes.
pub static PREFIXES: &[(&str, &str)] = &[
    ("torch.nn.modules.loss", "torch.nn"),
    ("torch.nn.modules.activation", "torch.nn"),
    ("torch.nn.modules.container", "torch.nn"),
    ("torch.nn.modules", "torch.nn"),
    ("torchvision.ops.focal_loss", "torchvision.ops"),
    ("torch.special.expit", "torch.sigmoid"),
    ("torch.special.softmax", "torch.softmax"),
    ("torch.special.log_softmax", "torch.log_softmax"),
    ("torch.nn.functional.sigmoid", "torch.sigmoid"),
    ("torch.nn.functional.softmax", "torch.softmax"),
    ("torch.nn.functional.log_softmax", "torch.log_softmax"),
];

/// Activation functions (the tensor is the first argument).
pub static ACTIVATION_FUNCTIONS: &[(&str, Activation)] = &[
    ("torch.softmax", Activation::Softmax),
    ("torch.log_softmax", Activation::LogSoftmax),
    ("torch.sigmoid", Activation::Sigmoid),
    ("torch.nn.functional.logsigmoid", Activation::LogSigmoid),
];

/// Tensor methods that apply an activation (`x.softmax(dim=1)`).
pub static ACTIVATION_METHODS: &[(&str, Activation)] = &[
    ("softmax", Activation::Softmax),
    ("log_softmax", Activation::LogSoftmax),
    ("sigmoid", Activation::Sigmoid),
    ("sigmoid_", Activation::Sigmoid),
];

/// Activation modules (`nn.Softmax(dim=1)`): called, they apply the activation.
pub static ACTIVATION_MODULES: &[(&str, Activation)] = &[
    ("torch.nn.Softmax", Activation::Softmax),
    ("torch.nn.LogSoftmax", Activation::LogSoftmax),
    ("torch.nn.Sigmoid", Activation::Sigmoid),
    ("torch.nn.LogSigmoid", Activation::LogSigmoid),
];

/// Containers that run their layers in order; the model's output is the last layer's.
pub static SEQUENTIAL: &[&str] = &["torch.nn.Sequential"];

/// Wrappers whose result is the model passed first, with the same `forward`.
pub static WRAPPERS: &[&str] = &[
    "torch.nn.DataParallel",
    "torch.nn.parallel.DataParallel",
    "torch.nn.parallel.DistributedDataParallel",
    "torch.compile",
];

/// Functions that run the module passed first on the inputs that follow.
pub static RUN_MODULE: &[&str] = &["torch.nn.parallel.data_parallel"];

/// `functools.partial`: binds arguments of a function.
pub static PARTIAL: &[&str] = &["functools.partial"];

/// Tensor methods whose result holds the receiver's numbers, reshaped, selected, moved or
/// copied (`view`, `squeeze`, `to`, `float`, ...): an activation's output stays one.
pub static SHAPE_METHODS: &[&str] = &[
    "view",
    "view_as",
    "reshape",
    "reshape_as",
    "squeeze",
    "unsqueeze",
    "flatten",
    "permute",
    "transpose",
    "contiguous",
    "to",
    "cuda",
    "cpu",
    "float",
    "double",
    "half",
    "bfloat16",
    "type",
    "type_as",
    "clone",
    "detach",
    "clamp",
    "clamp_",
    "clip",
    "narrow",
    "select",
    "index_select",
    "gather",
    "masked_select",
    "expand",
    "expand_as",
    "t",
    "movedim",
];

/// Methods that turn a computed loss into a number without changing what it is.
pub static SCALAR_METHODS: &[&str] = &["item", "detach", "cpu", "clone", "float", "tolist"];

/// Substrings one of which occurs in any file that uses a loss API (the pre-filter).
pub static NEEDLES: &[&str] = &["Loss", "_loss", "cross_entropy", "kl_div", "focal"];

/// Whether a canonical path names something in these tables.
#[must_use]
pub fn is_known(path: &str) -> bool {
    loss(path).is_some()
        || ACTIVATION_FUNCTIONS.iter().any(|(p, _)| *p == path)
        || ACTIVATION_MODULES.iter().any(|(p, _)| *p == path)
        || SEQUENTIAL.contains(&path)
        || WRAPPERS.contains(&path)
        || RUN_MODULE.contains(&path)
        || PARTIAL.contains(&path)
}

/// The loss API at a canonical path.
#[must_use]
pub fn loss(path: &str) -> Option<&'static PyLoss> {
    LOSSES.iter().find(|api| api.path == path)
}

/// A dotted path with the table's other spellings rewritten to the canonical one.
#[must_use]
pub fn canonical(path: &str) -> String {
    for (written, canonical) in PREFIXES {
        if path == *written {
            return (*canonical).to_string();
        }
        if let Some(rest) = path.strip_prefix(written)
            && rest.starts_with('.')
        {
            return format!("{canonical}{rest}");
        }
    }
    path.to_string()
}

impl PyLoss {
    /// The position of a parameter, counting only positional ones (`None` for keyword-only
    /// parameters and unknown names).
    #[must_use]
    pub fn position(&self, name: &str) -> Option<usize> {
        self.params
            .iter()
            .take_while(|param| **param != "*")
            .position(|param| *param == name)
    }

    /// The name of the positional parameter at `index`.
    #[must_use]
    pub fn positional(&self, index: usize) -> Option<&'static str> {
        self.params
            .iter()
            .take_while(|param| **param != "*")
            .nth(index)
            .copied()
    }

    /// Whether the API takes a parameter of this name.
    #[must_use]
    pub fn takes(&self, name: &str) -> bool {
        self.params.contains(&name) || self.call.contains(&name)
    }

    /// The parameters the inputs are passed as: the constructor's for functions, `forward`'s
    /// for modules.
    #[must_use]
    pub fn inputs(&self) -> &'static [&'static str] {
        match self.form {
            PyForm::Module => self.call,
            PyForm::Function => self.params,
        }
    }

    /// The prediction parameter: the first input.
    #[must_use]
    pub fn input(&self) -> Option<&'static str> {
        self.inputs().first().copied()
    }

    /// The target parameter: `target`/`targets` among the first inputs, else the second.
    #[must_use]
    pub fn target(&self) -> Option<&'static str> {
        if !self.has_target {
            return None;
        }
        let inputs = self.inputs();
        inputs
            .iter()
            .take(4)
            .find(|p| matches!(**p, "target" | "targets"))
            .or_else(|| inputs.get(1))
            .copied()
    }

    /// The class or function name (`CrossEntropyLoss`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_positions_follow_pytorch() {
        let ce = loss("torch.nn.functional.cross_entropy").unwrap();
        assert_eq!(ce.position("reduction"), Some(6));
        assert_eq!(ce.position("size_average"), Some(3));
        let module = loss("torch.nn.CrossEntropyLoss").unwrap();
        assert_eq!(module.position("reduction"), Some(4));
        assert_eq!(module.input(), Some("input"));
        assert_eq!(module.target(), Some("target"));
        let cosine = loss("torch.nn.functional.cosine_embedding_loss").unwrap();
        assert_eq!(cosine.target(), Some("target"));
        assert_eq!(loss("torch.nn.TripletMarginLoss").unwrap().target(), None);
        let gaussian = loss("torch.nn.GaussianNLLLoss").unwrap();
        assert_eq!(gaussian.position("reduction"), None);
        assert!(gaussian.takes("reduction"));
        let focal = loss("torchvision.ops.sigmoid_focal_loss").unwrap();
        assert_eq!(focal.default_reduction, "none");
        assert_eq!(focal.target(), Some("targets"));
    }

    #[test]
    fn every_loss_has_a_reduction_and_unique_path() {
        for api in LOSSES {
            assert!(api.takes("reduction"), "{}", api.path);
            assert_eq!(LOSSES.iter().filter(|a| a.path == api.path).count(), 1);
            assert!(api.input().is_some(), "{}", api.path);
            assert!(
                NEEDLES.iter().any(|n| api.name().contains(n)),
                "{}",
                api.path
            );
        }
    }

    #[test]
    fn other_spellings_are_canonical() {
        assert_eq!(
            canonical("torch.nn.modules.loss.CrossEntropyLoss"),
            "torch.nn.CrossEntropyLoss"
        );
        assert_eq!(canonical("torch.nn.functional.softmax"), "torch.softmax");
        assert_eq!(
            canonical("torch.nn.functional.sigmoidx"),
            "torch.nn.functional.sigmoidx"
        );
    }
}
