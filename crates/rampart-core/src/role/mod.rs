//! Role descriptors: the model, JSON and roles.yml parsing, validation and rendering.

mod model;

pub use model::*;
