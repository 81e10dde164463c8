//! Errors of role parsing and validation, shaped like the ones Elasticsearch returns.

use thiserror::Error;

use crate::error::EsError;

/// Why a role descriptor was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RoleError {
    /// 400 `parse_exception`: the descriptor's structure is wrong.
    #[error("{reason}")]
    Parse {
        reason: String,
        /// The nested cause (ES type, reason), e.g. the DLS query problem.
        caused_by: Option<(&'static str, String)>,
    },
    /// 400 `x_content_parse_exception`: malformed JSON, or a `global` section of the wrong shape.
    #[error("{0}")]
    XContent(String),
    /// 400 `illegal_argument_exception`: a structurally valid entry that cannot be built.
    #[error("{0}")]
    IllegalArgument(String),
    /// 400 `action_request_validation_exception`: every problem found, in order.
    #[error("{}", validation_reason(.0))]
    Validation(Vec<String>),
}

fn validation_reason(problems: &[String]) -> String {
    let mut reason = String::from("Validation Failed: ");
    for (i, problem) in problems.iter().enumerate() {
        reason.push_str(&format!("{}: {};", i + 1, problem));
    }
    reason
}

impl RoleError {
    /// A parse error without a cause.
    pub fn parse(reason: impl Into<String>) -> Self {
        RoleError::Parse {
            reason: reason.into(),
            caused_by: None,
        }
    }

    /// A parse error with a nested cause.
    pub fn parse_caused_by(
        reason: impl Into<String>,
        cause_type: &'static str,
        cause: impl Into<String>,
    ) -> Self {
        RoleError::Parse {
            reason: reason.into(),
            caused_by: Some((cause_type, cause.into())),
        }
    }
}

impl EsError for RoleError {
    fn es_type(&self) -> &'static str {
        match self {
            RoleError::Parse { .. } => "parse_exception",
            RoleError::XContent(_) => "x_content_parse_exception",
            RoleError::IllegalArgument(_) => "illegal_argument_exception",
            RoleError::Validation(_) => "action_request_validation_exception",
        }
    }

    fn status(&self) -> u16 {
        400
    }

    fn caused_by(&self) -> Option<(&'static str, String)> {
        match self {
            RoleError::Parse { caused_by, .. } => caused_by.clone(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_reason_numbers_every_problem() {
        let e = RoleError::Validation(vec!["a".into(), "b".into()]);
        assert_eq!(e.reason(), "Validation Failed: 1: a;2: b;");
        assert_eq!(e.es_type(), "action_request_validation_exception");
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn parse_error_carries_its_cause() {
        let e = RoleError::parse_caused_by("outer", "illegal_argument_exception", "inner");
        assert_eq!(e.es_type(), "parse_exception");
        assert_eq!(
            e.caused_by(),
            Some(("illegal_argument_exception", "inner".to_string()))
        );
        assert_eq!(RoleError::parse("x").caused_by(), None);
    }
}
