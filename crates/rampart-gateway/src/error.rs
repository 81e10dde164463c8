//! The gateway's one error type, every variant rendered as Elasticsearch's error envelope.

use rampart_core::error::EsError;
use rampart_query::QueryError;

use crate::rewrite::{Refusal, ScrollError};
use crate::upstream::UpstreamError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Scroll(#[from] ScrollError),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
}

impl EsError for GatewayError {
    fn es_type(&self) -> &'static str {
        match self {
            Self::Refused(e) => e.es_type(),
            Self::Query(e) => e.es_type(),
            Self::Scroll(e) => e.es_type(),
            Self::Upstream(e) => e.es_type(),
        }
    }

    fn status(&self) -> u16 {
        match self {
            Self::Refused(e) => e.status(),
            Self::Query(e) => e.status(),
            Self::Scroll(e) => e.status(),
            Self::Upstream(e) => e.status(),
        }
    }

    fn reason(&self) -> String {
        match self {
            Self::Refused(e) => e.reason(),
            Self::Query(e) => e.reason(),
            Self::Scroll(e) => e.reason(),
            Self::Upstream(e) => e.reason(),
        }
    }

    fn caused_by(&self) -> Option<(&'static str, String)> {
        match self {
            Self::Query(e) => e.caused_by(),
            _ => None,
        }
    }
}
