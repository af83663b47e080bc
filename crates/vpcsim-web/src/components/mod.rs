//! One component per file.

pub mod app;
pub mod canvas;
pub mod composer;
pub mod embed_dialog;
pub mod explain;
pub mod inspector;
pub mod palette;
pub mod reach;
pub mod scenario_panel;
pub mod topbar;
pub mod why;
