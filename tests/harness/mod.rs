//! The golden parity harness: reads PyTorch reference cases and checks the crate against them.

pub(crate) mod case;
pub(crate) mod compare;
pub(crate) mod dispatch;
pub(crate) mod params;
