//! An endpoint URL (`http://{server.name}:{server.port}/{context.root}/messagebroker/amf`)
//! → the channel path flexgate serves it on: the URL's path, with the
//! context-root token replaced.

/// The two spellings BlazeDS accepts.
const CONTEXT_ROOT_TOKENS: [&str; 2] = ["{context.root}", "{context-root}"];

/// The path of `url` with `{context.root}` replaced by `context_root`;
/// and whether the token was there. `Err` says why the URL has no usable
/// path.
pub(crate) fn channel_path(url: &str, context_root: &str) -> Result<(String, bool), String> {
    // Scheme and authority go: flexgate answers on whatever host and port
    // it listens on.
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let root = context_root.trim_matches('/');
    let mut replaced = false;
    let mut path = path.to_owned();
    for token in CONTEXT_ROOT_TOKENS {
        if path.contains(token) {
            replaced = true;
            path = path.replace(token, root);
        }
    }
    // An empty context root leaves `//`; a relative URL has no leading `/`.
    let mut clean = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(segment);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if clean.contains('{') {
        return Err(format!(
            "the path {clean} holds a token flexgate cannot fill in"
        ));
    }
    Ok((clean, replaced))
}

#[cfg(test)]
mod tests {
    use super::channel_path;

    #[test]
    fn keeps_the_path_and_replaces_the_context_root() {
        let url = "http://{server.name}:{server.port}/{context.root}/messagebroker/amf";
        assert_eq!(
            channel_path(url, ""),
            Ok(("/messagebroker/amf".into(), true))
        );
        assert_eq!(
            channel_path(url, "/shop/"),
            Ok(("/shop/messagebroker/amf".into(), true))
        );
        assert_eq!(
            channel_path("https://h:8443/app/{context-root}/a?x=1", "r"),
            Ok(("/app/r/a".into(), true))
        );
        assert_eq!(
            channel_path("http://h:8400/flex/amf", ""),
            Ok(("/flex/amf".into(), false))
        );
        assert_eq!(channel_path("http://h", ""), Ok(("/".into(), false)));
        assert_eq!(
            channel_path("messagebroker/amf", ""),
            Ok(("/messagebroker/amf".into(), false))
        );
        assert!(channel_path("http://h/{other}/amf", "").is_err());
    }
}
