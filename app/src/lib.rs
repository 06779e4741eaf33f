//! The `sesame` application crate as a library: the desktop application's state and
//! views, so that they are tested without a window.

pub mod gui;
pub mod plot;
