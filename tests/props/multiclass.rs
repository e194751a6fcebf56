//! Properties of the multiclass losses.
