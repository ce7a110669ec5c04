//! Reading an answer from an identity provider's server (its key set, its
//! discovery document, its token endpoint) with a bound on its size: a
//! hostile or broken server cannot make logic hold more than that.

/// The body of `res`, or `None` once it passes `max` bytes (read no
/// further).
pub(super) async fn read_bounded(
    mut res: reqwest::Response,
    max: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await? {
        if body.len() + chunk.len() > max {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
