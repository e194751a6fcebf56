//! losslint: reads training code and label statistics and reports loss misuse.
//!
//! Data flow: a [`frontend`] parses one source file into language-neutral [`facts`] (loss
//! constructions and calls, their arguments as written, where their inputs come from); the
//! [`rules`] judge facts and return [`diagnostic::Diagnostic`] values; renderers print them.
//! Rules never see syntax trees and never do I/O, so a Python frontend reuses them unchanged.

pub mod args;
pub mod atomic;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod facts;
pub mod fix;
mod flow;
pub mod frontend;
mod notebook;
pub mod render;
pub mod rules;
pub mod server;
pub mod settings;
pub mod stats_cmd;
pub mod suppress;
pub mod walk;
