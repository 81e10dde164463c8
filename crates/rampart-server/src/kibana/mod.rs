//! The Kibana listener: Kibana's own HTTP API (features, roles, spaces, capabilities, the
//! privilege summary, the ML setup check) over the pure `rampart-kibana` model.
//!
//! The pipeline mirrors the ES port's (authenticate with the same realms → `kbn-xsrf` on
//! writes → authorize → handler → audit) but answers in Kibana's error shape
//! `{"statusCode","error","message"}`. Every route is one entry of [`table::routes`].

mod bootstrap;
mod capabilities;
mod error;
pub mod ml;
mod pipeline;
mod roles;
mod spaces;
mod table;

use std::sync::{Arc, OnceLock};

use axum::Router;
use rampart_kibana::{FeatureRegistry, KibanaPrivileges};

pub use bootstrap::{BootstrapReport, bootstrap};
pub use error::KbnError;
pub use pipeline::{KCtx, KReply};
pub use roles::REPLACE_DEPRECATED_UNSUPPORTED;
pub use spaces::{SPACE_KIND, load_space, space_doc};
pub use table::{KAuthz, KRoute, routes};

use crate::state::SharedState;

/// The feature registry and the privileges built from it: static facts, built once.
#[derive(Debug)]
pub struct KibanaModel {
    pub registry: FeatureRegistry,
    pub privileges: KibanaPrivileges,
}

static MODEL: OnceLock<Result<Arc<KibanaModel>, String>> = OnceLock::new();

/// The process-wide model (the registry is embedded data, so it is the same for every node).
pub fn model() -> Result<Arc<KibanaModel>, KbnError> {
    let built = MODEL.get_or_init(|| {
        let registry = FeatureRegistry::builtin().map_err(|e| e.to_string())?;
        let privileges = KibanaPrivileges::build(&registry);
        Ok(Arc::new(KibanaModel {
            registry,
            privileges,
        }))
    });
    match built {
        Ok(m) => Ok(Arc::clone(m)),
        Err(e) => Err(KbnError::internal(e)),
    }
}

/// The Kibana application: one router built from the Kibana route table.
///
/// Other routers served on the Kibana port (the web page) are merged here, in this one place.
pub fn kibana_app(state: SharedState) -> Router {
    pipeline::router(Arc::clone(&state)).merge(crate::web::router(state))
}
