//! The HTTP API of the central service: request and response bodies, shared by the client (`bhxh-sync`) and the
//! reference server (`bhxh-central`). Only this crate and those two know the wire format.
//!
//! The wire types (`Declaration`, `DeclarationPage`, `Submission`, `LoginResponse`, `ErrorBody`, …) and the opaque
//! [`Cursor`] of change-sequence paging: clients store it and send it back, never look inside. The OpenAPI document
//! beside this crate (`openapi.json`) describes the API; it is compiled in ([`OPENAPI_JSON`]), served at `GET
//! /openapi.json`, and the reference server's route list is tested against it.

pub mod audit_head;
pub mod channel;
pub mod coverage;
pub mod cursor;
pub mod helpdesk;
pub mod types;

pub use audit_head::{AuditHeadAnswer, AuditHeadReport, AuditLink};
pub use channel::{channel_signature, channel_signature_holds};
pub use coverage::*;
pub use cursor::{Cursor, CursorError};
pub use helpdesk::*;
pub use types::*;

/// The OpenAPI 3 document of the API, served at `GET /openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// Header carrying the sha256 (lowercase hex) of a document's full content.
pub const CONTENT_SHA256_HEADER: &str = "x-content-sha256";
/// The largest document a submission may carry, and so the most a client reads of one.
pub const MAX_DOCUMENT_BYTES: u64 = 15 * 1024 * 1024;

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_lists_every_error_code() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI_JSON).expect("openapi.json is JSON");
        let listed: Vec<&str> = doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
            .as_array()
            .expect("an enum of codes")
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        assert_eq!(listed, super::error_code::ALL);
    }

    /// The answers every server of this API gives whatever the route, documented
    /// on every route: a missing token (401); for a JSON body, not JSON (400), too
    /// large (413), not sent as JSON (415), the wrong shape (422); a refused query (422).
    #[test]
    fn every_route_documents_the_answers_it_can_give() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI_JSON).expect("openapi.json is JSON");
        let open = [("get", "/health"), ("get", "/openapi.json"), ("post", "/v1/auth/login")];
        let mut missing = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("operations") {
                let responses = op["responses"].as_object().expect("responses");
                let mut wanted = Vec::new();
                if !open.contains(&(method.as_str(), path.as_str())) {
                    wanted.push("401");
                }
                if op["requestBody"]["content"].get("application/json").is_some() {
                    wanted.extend(["400", "413", "415", "422"]);
                }
                let params = op["parameters"].as_array().into_iter().flatten();
                if params.into_iter().any(|p| p["in"] == "query") {
                    wanted.push("422");
                }
                // A path segment the server cannot read is answered 404 (`ApiPath`).
                if path.contains('{') {
                    wanted.push("404");
                }
                for code in wanted {
                    if !responses.contains_key(code) {
                        missing.push(format!("{method} {path} {code}"));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "undocumented answers: {missing:?}");
    }
}
