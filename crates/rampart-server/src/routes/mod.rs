//! The route table: every route is one entry (method, path, action, handler), and the router
//! is built from it, so no request reaches a handler without authentication and authorization.

mod dispatch;
mod table;

pub(crate) use dispatch::method_filter;
pub(crate) use dispatch::read as read_request;
pub use dispatch::{Ctx, PreAuthenticated, app};
pub use table::{Authz, Facts, Route, routes, routes_for};

use std::future::Future;
use std::pin::Pin;

use crate::error::ApiError;
use crate::http::{Reply, Req};

/// What a handler returns.
pub type HandlerResult = Result<Reply, ApiError>;
/// A boxed handler future.
pub type BoxFut = Pin<Box<dyn Future<Output = HandlerResult> + Send>>;
/// A route handler.
pub type Handler = fn(Ctx, Req) -> BoxFut;
