//! Who may talk to the editor: only this machine, only with the access token, and only from
//! the editor's own pages (a page of another site cannot drive it, even through DNS
//! rebinding).

use sha2::{Digest, Sha256};

/// The cookie the token is kept in after the first visit is named this, followed by `-` and
/// the port: a browser sends the cookies of 127.0.0.1 to every port, and two editors on two
/// ports must not take each other's cookie.
pub const COOKIE: &str = "avtale-token";

/// A new random access token: 32 bytes from the operating system, as hex.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers for the access token: {e}"))?;
    Ok(crate::base::digest::hex(&bytes))
}

/// What the guard needs to know of one request.
#[derive(Debug, Default)]
pub struct RequestFacts<'a> {
    pub method: &'a str,
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub cookie: Option<&'a str>,
    /// The `token` query parameter of the URL, if any.
    pub query_token: Option<&'a str>,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The Host header names another host: a rebinding attempt or a proxy.
    Host,
    /// A change from a page of another origin, or with no origin at all.
    Origin,
    /// No valid token.
    Token,
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Host => 421,
            Refusal::Origin | Refusal::Token => 403,
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Host => "Ukjent vertsnavn. Åpne adressen som `avtale serve` skrev ut.",
            Refusal::Origin => "Forespørselen kom ikke fra redigeringsverktøyets egne sider.",
            Refusal::Token => "Mangler tilgangsnøkkel. Åpne adressen med ?token=… som `avtale serve` skrev ut.",
        }
    }
}

/// The rules for one running server.
pub struct Guard {
    token: String,
    port: u16,
}

/// How a request that passed the guard was let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// With the cookie set earlier.
    Cookie,
    /// With the token in the URL: the response sets the cookie.
    Query,
}

impl Guard {
    pub fn new(token: String, port: u16) -> Guard {
        Guard { token, port }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The `Set-Cookie` value that keeps the token for the rest of the visit.
    pub fn cookie(&self) -> String {
        format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            self.cookie_name(),
            self.token
        )
    }

    /// Let the request in, or say why not.
    pub fn admit(&self, r: &RequestFacts<'_>) -> Result<Admission, Refusal> {
        if !r.host.is_some_and(|h| self.is_own_host(h)) {
            return Err(Refusal::Host);
        }
        let safe = matches!(r.method, "GET" | "HEAD");
        if !safe && !r.origin.is_some_and(|o| self.is_own_origin(o)) {
            return Err(Refusal::Origin);
        }
        // Every cookie of this name counts: a page on another port of 127.0.0.1 can set one of
        // its own (with a longer path, sent first), which must not hide the real one.
        let name = self.cookie_name();
        if r.cookie
            .is_some_and(|c| cookie_values(c, &name).any(|t| same(t, &self.token)))
        {
            return Ok(Admission::Cookie);
        }
        // The token in the URL only opens pages; changes need the cookie, which another
        // site's page never has.
        if safe && r.query_token.is_some_and(|t| same(t, &self.token)) {
            return Ok(Admission::Query);
        }
        Err(Refusal::Token)
    }

    /// The name of this server's cookie.
    pub fn cookie_name(&self) -> String {
        format!("{COOKIE}-{}", self.port)
    }

    fn is_own_host(&self, host: &str) -> bool {
        let port = self.port.to_string();
        ["127.0.0.1", "localhost"]
            .iter()
            .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
    }

    fn is_own_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.is_own_host(host))
    }
}

/// The values of the cookies named `name` in a `Cookie` header.
fn cookie_values<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compare two tokens without leaking, through time, how much of them matched.
fn same(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(method: &'a str, origin: Option<&'a str>, cookie: Option<&'a str>) -> RequestFacts<'a> {
        RequestFacts {
            method,
            host: Some("127.0.0.1:4000"),
            origin,
            cookie,
            query_token: None,
        }
    }

    #[test]
    fn only_own_host_origin_and_token_get_in() {
        let g = Guard::new("abc".into(), 4000);
        let own = Some("http://127.0.0.1:4000");
        assert_eq!(
            g.admit(&facts("POST", own, Some("avtale-token-4000=abc"))),
            Ok(Admission::Cookie)
        );
        assert_eq!(
            g.admit(&facts("POST", own, Some("x=1; avtale-token-4000=abd"))),
            Err(Refusal::Token)
        );
        assert_eq!(
            g.admit(&facts(
                "POST",
                Some("http://evil.example"),
                Some("avtale-token-4000=abc")
            )),
            Err(Refusal::Origin)
        );
        assert_eq!(
            g.admit(&facts("POST", None, Some("avtale-token-4000=abc"))),
            Err(Refusal::Origin)
        );
        assert_eq!(
            g.admit(&facts(
                "POST",
                own,
                Some("avtale-token-4000=planted; avtale-token-4000=abc")
            )),
            Ok(Admission::Cookie),
            "a cookie planted by another port does not hide the real one"
        );
        assert_eq!(
            g.admit(&facts("POST", own, Some("avtale-token-4001=abc"))),
            Err(Refusal::Token),
            "another editor's cookie name"
        );
        let mut rebound = facts("GET", None, Some("avtale-token-4000=abc"));
        rebound.host = Some("evil.example:4000");
        assert_eq!(g.admit(&rebound), Err(Refusal::Host));
        let mut first = facts("GET", None, None);
        first.query_token = Some("abc");
        assert_eq!(g.admit(&first), Ok(Admission::Query));
        let mut post_with_query = facts("POST", own, None);
        post_with_query.query_token = Some("abc");
        assert_eq!(g.admit(&post_with_query), Err(Refusal::Token));
    }
}
