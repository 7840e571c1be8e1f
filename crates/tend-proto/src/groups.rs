//! Group routes: the list and the limit.

use serde::{Deserialize, Serialize};
use tend_core::GroupStatus;

/// The answer of `GET /v1/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupsResponse {
    /// Every known group, by name.
    pub groups: Vec<GroupStatus>,
}

/// The body of `PUT /v1/groups/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupLimitParams {
    /// Tasks of the group that may run at once; 0 = unlimited.
    #[cfg_attr(feature = "schema", schemars(range(max = 100_000)))]
    pub limit: u32,
}
