//! Kibana's security model as a pure library: the feature registry, the `kibana-.kibana`
//! application privileges, Kibana role format ↔ ES role transforms, spaces, capabilities and
//! accessible spaces, the privilege summary and the ML setup check.
//!
//! No IO: the HTTP layer (a later task) calls these functions with stored data and answers.
//! Facts: `shared/spec/kibana.md`; the target is Kibana 8.17 plus the 9.x deltas of its §H.

pub mod features;
pub mod privileges;

pub use features::{Feature, FeatureRegistry, RegistryError};
pub use privileges::{APPLICATION, KibanaPrivileges, RESERVED_APPLICATION};
pub mod error;
pub mod role;

pub use error::KibanaError;
pub mod spaces;

pub use spaces::{Solution, Space};
pub mod access;
pub mod ml;
pub mod summary;
