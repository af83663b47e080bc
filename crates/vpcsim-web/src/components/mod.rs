//! One component per file.

pub mod app;
pub mod canvas;
pub mod composer;
pub mod explain;
