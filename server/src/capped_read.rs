//! Reading an answer from another server (a Feast registry server, the identity provider) with
//! a size cap: a server that answers with an endless or huge body gets a clear error once the
//! cap is crossed, instead of the console buffering it until memory runs out.

/// A Feast REST registry answer (one project's listing of one kind, or one object).
pub const REGISTRY_RESPONSE_MAX: usize = 64 << 20;
/// An identity provider answer (discovery document, JWKS, token response).
pub const PROVIDER_RESPONSE_MAX: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum CappedReadError {
    #[error("response larger than {}, the most the console reads", size_text(*.limit))]
    TooLarge { limit: usize },
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
}

/// `limit` in the unit people read: `64 MiB`, `512 KiB`, `100 bytes`.
pub fn size_text(limit: usize) -> String {
    if limit >= 1 << 20 && limit % (1 << 20) == 0 {
        format!("{} MiB", limit >> 20)
    } else if limit >= 1 << 10 && limit % (1 << 10) == 0 {
        format!("{} KiB", limit >> 10)
    } else {
        format!("{limit} bytes")
    }
}

/// The whole body of `response`, or `TooLarge` as soon as it declares or sends more than `limit`.
pub async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, CappedReadError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(CappedReadError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(CappedReadError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_are_written_in_their_unit() {
        assert_eq!(size_text(64 << 20), "64 MiB");
        assert_eq!(size_text(512 << 10), "512 KiB");
        assert_eq!(size_text(100), "100 bytes");
    }
}
