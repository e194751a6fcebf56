//! The tasks and losses the derive knows, as data: which loss fits which task, what it takes
//! as input, which keys it accepts. The typed layer enforces the same table in the type
//! system; this copy lets the derive point at the offending tokens with a better message.

/// A head's task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Task {
    MultiClass,
    MultiLabel,
    Binary,
    Regression,
    Sequence,
    Ranking,
}

impl Task {
    pub(crate) const ALL: [Task; 6] = [
        Task::MultiClass,
        Task::MultiLabel,
        Task::Binary,
        Task::Regression,
        Task::Sequence,
        Task::Ranking,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Task::MultiClass => "MultiClass",
            Task::MultiLabel => "MultiLabel",
            Task::Binary => "Binary",
            Task::Regression => "Regression",
            Task::Sequence => "Sequence",
            Task::Ranking => "Ranking",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The rank of the head's output array, when the task fixes it.
    pub(crate) fn rank(self) -> Option<usize> {
        match self {
            Task::MultiClass | Task::MultiLabel => Some(2),
            Task::Binary => Some(1),
            Task::Sequence => Some(3),
            Task::Regression | Task::Ranking => None,
        }
    }

    /// The output's shape in words.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Task::MultiClass => "[N, C] logits",
            Task::MultiLabel => "[N, L] logits",
            Task::Binary => "[N] logits",
            Task::Sequence => "[N, T, C] logits",
            Task::Regression => "predictions of any shape",
            Task::Ranking => "embeddings",
        }
    }

    /// Whether label statistics apply (classification heads).
    pub(crate) fn has_classes(self) -> bool {
        matches!(
            self,
            Task::MultiClass | Task::MultiLabel | Task::Binary | Task::Sequence
        )
    }

    /// The losses that fit, for messages.
    pub(crate) fn fitting(self) -> Vec<&'static str> {
        LOSSES
            .iter()
            .filter(|l| l.tasks.contains(&self))
            .map(|l| l.name)
            .collect()
    }
}

/// What the head's numbers are, as the loss expects them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Logits,
    Probabilities,
    LogProbabilities,
    Predictions,
}

impl Input {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Input::Logits => "logits",
            Input::Probabilities => "probabilities",
            Input::LogProbabilities => "log_probabilities",
            Input::Predictions => "predictions",
        }
    }

    /// The typed-layer wrapper.
    pub(crate) fn wrapper(self) -> &'static str {
        match self {
            Input::Logits => "Logits",
            Input::Probabilities => "Probabilities",
            Input::LogProbabilities => "LogProbabilities",
            Input::Predictions => "Predictions",
        }
    }
}

/// How a loss can compensate for imbalanced classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Balancing {
    /// `weight = ...` (class weights).
    ClassWeights,
    /// `pos_weight = ...`.
    PosWeight,
    /// Its focal term already does.
    Focal,
    /// It cannot; on imbalanced labels use another loss.
    None,
}

/// A loss the derive knows.
pub(crate) struct LossSpec {
    pub(crate) name: &'static str,
    pub(crate) tasks: &'static [Task],
    pub(crate) input: Input,
    pub(crate) balancing: Balancing,
    /// Keys beyond the common ones.
    pub(crate) keys: &'static [&'static str],
}

/// Keys every head accepts.
pub(crate) const COMMON_KEYS: &[&str] = &[
    "task",
    "loss",
    "reduction",
    "scale",
    "labels",
    "column",
    "classes",
    "allow_imbalance",
    "max_imbalance",
    "input",
];

pub(crate) const LOSSES: &[LossSpec] = &[
    LossSpec {
        name: "CrossEntropy",
        tasks: &[Task::MultiClass, Task::Sequence],
        input: Input::Logits,
        balancing: Balancing::ClassWeights,
        keys: &["weight", "label_smoothing", "target"],
    },
    LossSpec {
        name: "SoftmaxFocal",
        tasks: &[Task::MultiClass],
        input: Input::Logits,
        balancing: Balancing::Focal,
        keys: &["weight", "gamma"],
    },
    LossSpec {
        name: "MultiMargin",
        tasks: &[Task::MultiClass],
        input: Input::Logits,
        balancing: Balancing::ClassWeights,
        keys: &["weight", "margin", "p"],
    },
    LossSpec {
        name: "Nll",
        tasks: &[Task::MultiClass],
        input: Input::LogProbabilities,
        balancing: Balancing::ClassWeights,
        keys: &["weight"],
    },
    LossSpec {
        name: "KlDiv",
        tasks: &[Task::MultiClass],
        input: Input::LogProbabilities,
        balancing: Balancing::None,
        keys: &[],
    },
    LossSpec {
        name: "BceWithLogits",
        tasks: &[Task::MultiLabel, Task::Binary],
        input: Input::Logits,
        balancing: Balancing::PosWeight,
        keys: &["pos_weight"],
    },
    LossSpec {
        name: "SigmoidFocal",
        tasks: &[Task::MultiLabel, Task::Binary],
        input: Input::Logits,
        balancing: Balancing::Focal,
        keys: &["alpha", "gamma"],
    },
    LossSpec {
        name: "MultiLabelSoftMargin",
        tasks: &[Task::MultiLabel],
        input: Input::Logits,
        balancing: Balancing::ClassWeights,
        keys: &["weight"],
    },
    LossSpec {
        name: "SoftMargin",
        tasks: &[Task::Binary],
        input: Input::Logits,
        balancing: Balancing::None,
        keys: &[],
    },
    LossSpec {
        name: "Bce",
        tasks: &[Task::MultiLabel, Task::Binary],
        input: Input::Probabilities,
        balancing: Balancing::None,
        keys: &[],
    },
    LossSpec {
        name: "Mse",
        tasks: &[Task::Regression],
        input: Input::Predictions,
        balancing: Balancing::None,
        keys: &[],
    },
    LossSpec {
        name: "L1",
        tasks: &[Task::Regression],
        input: Input::Predictions,
        balancing: Balancing::None,
        keys: &[],
    },
    LossSpec {
        name: "SmoothL1",
        tasks: &[Task::Regression],
        input: Input::Predictions,
        balancing: Balancing::None,
        keys: &["beta"],
    },
    LossSpec {
        name: "Huber",
        tasks: &[Task::Regression],
        input: Input::Predictions,
        balancing: Balancing::None,
        keys: &["delta"],
    },
    LossSpec {
        name: "PoissonNll",
        tasks: &[Task::Regression],
        input: Input::Predictions,
        balancing: Balancing::None,
        keys: &["log_input", "full"],
    },
];

/// Losses of the typed layer the derive does not cover yet, with the reason.
pub(crate) const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "GaussianNll",
        "its head predicts a mean and a variance (two fields); compute it with `lossfit::GaussianNll` directly",
    ),
    (
        "TripletMargin",
        "ranking heads are not supported by the derive yet",
    ),
    (
        "Contrastive",
        "ranking heads are not supported by the derive yet",
    ),
    (
        "CosineEmbedding",
        "ranking heads are not supported by the derive yet",
    ),
    (
        "InfoNce",
        "ranking heads are not supported by the derive yet",
    ),
    (
        "MarginRanking",
        "ranking heads are not supported by the derive yet",
    ),
    (
        "HingeEmbedding",
        "ranking heads are not supported by the derive yet",
    ),
];

pub(crate) fn loss(name: &str) -> Option<&'static LossSpec> {
    LOSSES.iter().find(|l| l.name == name)
}

/// Every key any loss accepts, for "did you mean".
pub(crate) fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = COMMON_KEYS.to_vec();
    for spec in LOSSES {
        keys.extend_from_slice(spec.keys);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The closest candidate to `word`, if close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
