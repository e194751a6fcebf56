//! Properties of the ranking losses.
