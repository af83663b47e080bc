//! The vpcsim playground (Yew). State lives in one reducer ([`state`]); what is drawn
//! and animated is derived from it ([`layout`]); components only render and dispatch.
//! Packets are evaluated by `vpcsim-core`, never here.

pub mod components;
pub mod doc;
pub mod embed;
pub mod gallery;
pub mod hooks;
pub mod importer;
pub mod layout;
pub mod matrix;
pub mod rules;
pub mod state;
pub mod storage;
