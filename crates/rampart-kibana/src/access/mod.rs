//! What a caller may see and use: feature availability, capabilities and accessible spaces
//! (section d and c.3).

mod capabilities;
mod oracle;
mod spaces;

pub use capabilities::{Capabilities, feature_available, feature_granted, resolve_capabilities};
pub use oracle::{ActionOracle, AnswerOracle, RoleOracle, space_resource};
pub use spaces::{Purpose, SpaceAccess, list_spaces};
