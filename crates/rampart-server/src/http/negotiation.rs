//! Content negotiation as Elasticsearch does it: which request bodies are accepted
//! (`Content-Type`), which media type the response carries (`Accept`), and REST API
//! compatibility (`compatible-with=N`).

use axum::http::HeaderMap;
use serde_json::json;

use crate::error::ApiError;

/// Compatible-with versions this server answers to. ES accepts its own major and the
/// previous one; Rampart also keeps 7 because 7.x clients are still common against it.
pub const COMPATIBLE_VERSIONS: [u8; 3] = [9, 8, 7];

/// What a request's headers say about formats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// The `compatible-with` version the client asked for (on `Accept` or `Content-Type`).
    pub compatible_with: Option<u8>,
    /// The body is newline-delimited JSON.
    pub ndjson: bool,
}

impl Negotiated {
    /// The `Content-Type` of the response.
    pub fn response_content_type(&self) -> String {
        match self.compatible_with {
            Some(v) => format!("application/vnd.elasticsearch+json;compatible-with={v}"),
            None => "application/json".to_string(),
        }
    }
}

/// A parsed media type: `type/subtype` (lower case) and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MediaType {
    essence: String,
    params: Vec<(String, String)>,
}

fn parse_media_type(raw: &str) -> Option<MediaType> {
    let mut parts = raw.split(';');
    let essence = parts.next()?.trim().to_ascii_lowercase();
    let (ty, sub) = essence.split_once('/')?;
    if ty.is_empty() || sub.is_empty() || ty.contains(char::is_whitespace) {
        return None;
    }
    let mut params = Vec::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        let (k, v) = p.split_once('=')?;
        params.push((
            k.trim().to_ascii_lowercase(),
            v.trim().trim_matches('"').to_string(),
        ));
    }
    Some(MediaType { essence, params })
}

impl MediaType {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Body formats Rampart reads, and whether each is a compatible (vendor) type.
fn body_format(essence: &str) -> Option<BodyFormat> {
    Some(match essence {
        "application/json" | "text/plain" => BodyFormat::Json { vendor: false },
        "application/vnd.elasticsearch+json" => BodyFormat::Json { vendor: true },
        "application/x-ndjson" => BodyFormat::Ndjson { vendor: false },
        "application/vnd.elasticsearch+x-ndjson" => BodyFormat::Ndjson { vendor: true },
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy)]
enum BodyFormat {
    Json { vendor: bool },
    Ndjson { vendor: bool },
}

/// ES's answer to a body it cannot read: a 406 with the plain `{"error": "...", "status"}`
/// shape (ES does not build an exception for it).
fn not_acceptable(message: String) -> ApiError {
    ApiError::bare(406, json!({"error": message, "status": 406}))
}

fn unsupported_content_type(raw: &str) -> ApiError {
    not_acceptable(format!("Content-Type header [{raw}] is not supported"))
}

fn status_exception(reason: String) -> ApiError {
    ApiError::new(400, "status_exception", reason)
}

fn versions_text() -> String {
    let v: Vec<String> = COMPATIBLE_VERSIONS.iter().map(u8::to_string).collect();
    match v.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => v.join(""),
    }
}

/// The `compatible-with` of a vendor media type, validated.
fn compatible_version(
    mt: &MediaType,
    header: &str,
    raw: &str,
    vendor: bool,
) -> Result<Option<u8>, ApiError> {
    // A vendor type without a version means the current one.
    let Some(v) = mt.param("compatible-with").filter(|_| vendor) else {
        return Ok(None);
    };
    match v.parse::<u8>() {
        Ok(n) if COMPATIBLE_VERSIONS.contains(&n) => Ok(Some(n)),
        _ => Err(status_exception(format!(
            "{header} version must be either version {}, but found {v}. {header}={raw}",
            versions_text()
        ))),
    }
}

/// Check the request's `Content-Type` (when it has a body) and `Accept` headers.
pub fn negotiate(headers: &HeaderMap, has_body: bool) -> Result<Negotiated, ApiError> {
    // Most requests: no Accept, and a body (if any) of plain `application/json`. Nothing to
    // parse; the general path below gives the same answer for them.
    if !headers.contains_key("accept")
        && (!has_body
            || headers
                .get("content-type")
                .is_none_or(|v| v.as_bytes() == b"application/json"))
    {
        return Ok(Negotiated::default());
    }
    let mut out = Negotiated::default();
    let mut content_version = None;
    let mut content_raw = String::new();
    if has_body {
        if let Some(value) = headers.get("content-type") {
            let raw = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let mt = parse_media_type(&raw).ok_or_else(|| unsupported_content_type(&raw))?;
            let format = body_format(&mt.essence).ok_or_else(|| unsupported_content_type(&raw))?;
            let vendor = match format {
                BodyFormat::Json { vendor } => vendor,
                BodyFormat::Ndjson { vendor } => {
                    out.ndjson = true;
                    vendor
                }
            };
            if !vendor && mt.param("compatible-with").is_some() {
                return Err(unsupported_content_type(&raw));
            }
            content_version = compatible_version(&mt, "Content-Type", &raw, vendor)?;
            content_raw = raw;
        }
        // A body without Content-Type is read as JSON: ES insists on the header, but every
        // body Rampart reads is JSON, so refusing would only break simple clients.
    }
    let mut accept_version = None;
    let mut accept_raw = String::new();
    if let Some(value) = headers.get("accept") {
        let raw = String::from_utf8_lossy(value.as_bytes()).into_owned();
        // Accept may list several types; the compatible one (if any) decides the version.
        for candidate in raw.split(',') {
            if let Some(mt) = parse_media_type(candidate) {
                let vendor = mt.essence.starts_with("application/vnd.elasticsearch+");
                if vendor {
                    accept_version = compatible_version(&mt, "Accept", &raw, true)?;
                    break;
                }
            }
        }
        accept_raw = raw;
    }
    // With a body, ES wants both headers versioned alike once either asks for a version
    // (a missing or wildcard Accept simply follows the body's version).
    let accept_follows = accept_raw.is_empty() || accept_raw.trim() == "*/*";
    let mismatched = match (accept_version, content_version) {
        (Some(a), Some(c)) => a != c,
        (Some(_), None) => has_body && !content_raw.is_empty(),
        (None, Some(_)) => !accept_follows,
        (None, None) => false,
    };
    if mismatched {
        return Err(mismatch(&accept_raw, &content_raw));
    }
    out.compatible_with = accept_version.or(content_version);
    Ok(out)
}

fn mismatch(accept: &str, content: &str) -> ApiError {
    status_exception(format!(
        "A compatible version is required on both Content-Type and Accept headers if either one \
         has requested a compatible version and the compatible versions must match. \
         Accept={accept}, Content-Type={content}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_common_case_answers_as_the_general_path() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(&h, true).unwrap(), Negotiated::default());
        h.insert("content-type", HeaderValue::from_static("application/json"));
        assert_eq!(negotiate(&h, true).unwrap(), Negotiated::default());
        assert_eq!(negotiate(&h, false).unwrap(), Negotiated::default());
        // Anything else still goes through the parser.
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-ndjson"),
        );
        assert!(negotiate(&h, true).unwrap().ndjson);
        h.insert("content-type", HeaderValue::from_static("application/xml"));
        assert!(negotiate(&h, true).is_err());
        assert_eq!(negotiate(&h, false).unwrap(), Negotiated::default());
        h.insert(
            "accept",
            HeaderValue::from_static("application/vnd.elasticsearch+json; compatible-with=8"),
        );
        assert_eq!(negotiate(&h, false).unwrap().compatible_with, Some(8));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn json_types_are_accepted() {
        for ct in [
            "application/json",
            "application/json; charset=UTF-8",
            "text/plain",
            "application/x-ndjson",
            "application/vnd.elasticsearch+json; compatible-with=8",
            "application/vnd.elasticsearch+x-ndjson;compatible-with=7",
        ] {
            assert!(
                negotiate(&headers(&[("content-type", ct)]), true).is_ok(),
                "{ct}"
            );
        }
    }

    #[test]
    fn unsupported_types_are_406() {
        for ct in [
            "text/html",
            "application/x-www-form-urlencoded",
            "garbage",
            "",
        ] {
            let e = negotiate(&headers(&[("content-type", ct)]), true).unwrap_err();
            assert_eq!(e.status, 406, "{ct}");
            assert_eq!(
                e.body()["error"],
                format!("Content-Type header [{ct}] is not supported")
            );
        }
        // Without a body the Content-Type does not matter.
        assert!(negotiate(&headers(&[("content-type", "text/html")]), false).is_ok());
    }

    #[test]
    fn compatible_with_versions() {
        let n = negotiate(
            &headers(&[(
                "accept",
                "application/vnd.elasticsearch+json;compatible-with=8",
            )]),
            false,
        )
        .unwrap();
        assert_eq!(n.compatible_with, Some(8));
        assert_eq!(
            n.response_content_type(),
            "application/vnd.elasticsearch+json;compatible-with=8"
        );
        let e = negotiate(
            &headers(&[(
                "accept",
                "application/vnd.elasticsearch+json;compatible-with=6",
            )]),
            false,
        )
        .unwrap_err();
        assert_eq!((e.status, e.es_type.as_str()), (400, "status_exception"));
        assert!(
            e.reason
                .starts_with("Accept version must be either version 9, 8 or 7, but found 6")
        );
        let e = negotiate(
            &headers(&[
                (
                    "accept",
                    "application/vnd.elasticsearch+json;compatible-with=8",
                ),
                (
                    "content-type",
                    "application/vnd.elasticsearch+json;compatible-with=9",
                ),
            ]),
            true,
        )
        .unwrap_err();
        assert!(e.reason.starts_with("A compatible version is required"));
        assert_eq!(
            negotiate(&headers(&[("accept", "application/json")]), false)
                .unwrap()
                .response_content_type(),
            "application/json"
        );
    }
}
