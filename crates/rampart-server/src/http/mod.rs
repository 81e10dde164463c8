//! HTTP plumbing shared by every route: requests, replies, filter_path.

pub mod filter_path;
pub mod negotiation;
pub mod request;
pub mod response;

pub use request::Req;
pub use response::Reply;
