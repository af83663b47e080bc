//! Hooks over the app context: components call domain methods (`app.send()`,
//! `app.select(..)`, `app.edit(..)`) rather than building actions by hand. Everything
//! still goes through the one reducer.

use crate::components::app::{AppContext, Derived};
use crate::doc::Edit;
use crate::state::{Action, AppState, Notice, Tab};
use std::ops::Deref;
use vpcsim_core::Scenario;
use yew::prelude::*;

/// The playground's state and its verbs.
#[derive(Clone, PartialEq)]
pub struct App(AppContext);

impl Deref for App {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl App {
    /// Dispatches any action.
    pub fn dispatch(&self, a: Action) {
        self.0.dispatch(a);
    }
    /// A callback that dispatches `a` whatever the event.
    pub fn on<E>(&self, a: Action) -> Callback<E> {
        let h = self.0.clone();
        Callback::from(move |_: E| h.dispatch(a.clone()))
    }
    /// Sends the composer's packet.
    pub fn send(&self) {
        self.dispatch(Action::Send);
    }
    /// Sends probe `i` of the scenario.
    pub fn send_probe(&self, i: usize) {
        self.dispatch(Action::SendScenarioProbe(i));
    }
    /// Selects exactly these references.
    pub fn select(&self, refs: Vec<String>) {
        self.dispatch(Action::Select(refs));
    }
    /// Changes the document (one undo step; typing in one field coalesces).
    pub fn edit(&self, e: Edit) {
        self.dispatch(Action::Edit(e));
    }
    /// Replaces the document (undoable).
    pub fn load(&self, s: Scenario) {
        self.dispatch(Action::Load(Box::new(s)));
    }
    /// Undo.
    pub fn undo(&self) {
        self.dispatch(Action::Undo);
    }
    /// Redo.
    pub fn redo(&self) {
        self.dispatch(Action::Redo);
    }
    /// Shows a tab of the side pane.
    pub fn show(&self, t: Tab) {
        self.dispatch(Action::SetTab(t));
    }
    /// Shows a banner.
    pub fn notify(&self, n: Notice) {
        self.dispatch(Action::Notify(Some(n)));
    }
    /// The raw handle, for components that dispatch from closures.
    pub fn handle(&self) -> AppContext {
        self.0.clone()
    }
}

/// The app, from the context the root provides; `None` outside it.
#[hook]
pub fn use_app() -> Option<App> {
    use_context::<AppContext>().map(App)
}

/// The derived data (scene, traces, diagnostics, frames), from the root's context.
#[hook]
pub fn use_derived() -> Option<Derived> {
    use_context::<Derived>()
}
