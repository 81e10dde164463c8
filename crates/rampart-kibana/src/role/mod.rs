//! Kibana's role format and its transforms to and from ES roles (sections a and b.4–b.5).

mod from_es;
mod model;
mod parse;
mod render;
mod to_es;
mod validation;

pub use from_es::{FromEsError, TransformReason, from_es, kibana_entries};
pub use model::{ALL_SPACES, EsPrivileges, KibanaEntry, KibanaRole};
pub use parse::parse_put_body;
pub use render::sort_roles;
pub use to_es::{
    is_valid_space_id, kibana_applications, to_es, validate_features, validate_schema,
};
pub use validation::{ValidationError, feature_errors_message, validation_response};

#[cfg(test)]
mod tests;
