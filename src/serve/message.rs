//! A request as the handlers see it and a response before the common headers are added.

/// `s` encoded for a URL's query.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A request as the handlers see it.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// A response before the common headers are added.
pub struct Resp {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Resp {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    pub fn html(body: String) -> Resp {
        Resp::new(200, "text/html; charset=utf-8", body)
    }

    pub fn json(status: u16, value: &impl serde::Serialize) -> Resp {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Resp::new(status, "application/json", body)
    }

    /// A JSON error the page shows as it is: `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Resp {
        Resp::json(status, &serde_json::json!({ "error": message.into() }))
    }

    pub fn text(status: u16, message: &str) -> Resp {
        Resp::new(status, "text/plain; charset=utf-8", message)
    }

    pub fn redirect(to: &str) -> Resp {
        let mut r = Resp::new(303, "text/plain; charset=utf-8", "");
        r.headers.push(("Location", to.to_string()));
        r
    }

    pub fn with(mut self, name: &'static str, value: String) -> Resp {
        self.headers.push((name, value));
        self
    }
}
