//! What a count's name says it counts (LL010's divisors): samples (`n_samples`,
//! `train_size`, `len(dataset)`) or batches (`num_batches`, `len(loader)`). Shared by the
//! frontends: the names are the same in every language.

use crate::facts::Divisor;

/// What a variable or field name says it counts.
pub(crate) fn by_name(name: &str) -> Divisor {
    let name = name.to_ascii_lowercase();
    if name.contains("sample")
        || name.contains("example")
        || name == "seen"
        || name.contains("dataset_size")
        || name.contains("dataset_len")
        || name.contains("num_images")
        || name.contains("n_images")
        || name.contains("num_items")
        || name.contains("n_items")
        || names_split_size(&name)
    {
        Divisor::Samples
    } else if (name.contains("batch") && !name.contains("size") && !name.contains("len"))
        || name.contains("step")
        || name.contains("iteration")
    {
        Divisor::Batches
    } else {
        Divisor::Unknown
    }
}

/// `n_train`, `num_test`, `train_size`, `valid_len`, `n_val`: the size of a data split.
fn names_split_size(name: &str) -> bool {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let split = words.iter().any(|w| {
        matches!(
            *w,
            "train" | "test" | "val" | "valid" | "validation" | "eval" | "dev"
        )
    });
    let count = words.iter().any(|w| {
        matches!(
            *w,
            "n" | "num" | "size" | "len" | "count" | "total" | "items" | "rows" | "images"
        )
    });
    // `n_train_batches`, `num_train_steps` count batches or updates, not samples.
    let per_batch = words.iter().any(|w| {
        matches!(
            *w,
            "batch"
                | "batches"
                | "step"
                | "steps"
                | "iter"
                | "iters"
                | "iteration"
                | "iterations"
                | "update"
                | "updates"
                | "epoch"
                | "epochs"
        )
    });
    split && count && !per_batch
}

/// What the length of a collection with this name counts.
pub(crate) fn collection_by_name(name: &str) -> Divisor {
    let name = name.to_ascii_lowercase();
    if name.contains("dataset") || name.contains("sample") || name.contains("example") {
        Divisor::Samples
    } else if name.contains("batch") || name.contains("loader") {
        Divisor::Batches
    } else {
        Divisor::Unknown
    }
}
