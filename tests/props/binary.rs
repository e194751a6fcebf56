//! Properties of the binary losses.
