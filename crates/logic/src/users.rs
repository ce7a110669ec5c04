//! Looking users up, for rules that name another user.

use ferrochat_domain::UserId;
use ferrochat_ports::{ApiError, Store};

use crate::error::store as store_err;

/// Whether `id` names a registered user.
pub(crate) async fn exists(store: &dyn Store, id: &UserId) -> Result<bool, ApiError> {
    Ok(store
        .user(id)
        .await
        .map_err(|e| store_err("reading a user", e))?
        .is_some())
}
