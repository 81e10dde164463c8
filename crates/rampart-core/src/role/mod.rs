//! Role descriptors: the model, JSON and roles.yml parsing, validation and rendering.

mod error;
mod file;
mod fls;
mod global;
mod indices;
mod json;
mod model;
mod parse;
mod render;
mod validate;

pub use error::RoleError;
pub(crate) use file::parse_roles_text;
pub use file::{RolesFile, parse_roles_file};
pub use model::*;
pub use parse::{RoleContext, parse_role, parse_role_bytes};
pub use validate::{
    MAX_DESCRIPTION_CHARS, MAX_FILE_ROLE_NAME_CHARS, MAX_NATIVE_ROLE_NAME_CHARS,
    validate_application_name, validate_application_privilege_name, validate_role,
};
