//! `avtale serve` over HTTP, as a browser and as an attacker would talk to it: the token,
//! Host and Origin checks, paths out of the directory, size limits, saving over a change made
//! on disk, and a downloaded PDF byte for byte the one `avtale build` writes.

mod common;

use common::avtale;
use common::served::{Answer, Served};

/// The editor over two examples and a copy of one with a comment to keep.
fn serve() -> Served {
    let s = common::served::serve(&["fjordvik-kommune.toml", "nordlys-sparebank.toml"]);
    std::fs::write(
        s.dir.path().join("kommentert.toml"),
        std::fs::read_to_string(s.dir.path().join("fjordvik-kommune.toml"))
            .unwrap()
            .replacen("[virksomhet]", "# Kommentar som skal bli stående\n[virksomhet]", 1),
    )
    .unwrap();
    s
}

impl Served {
    /// A POST of JSON as the editor's own page makes it.
    fn post(&self, target: &str, body: &serde_json::Value) -> Answer {
        let headers = [
            ("Cookie", self.cookie()),
            ("Origin", self.origin()),
            ("Content-Type", "application/json".to_string()),
        ];
        self.raw("POST", target, &headers, body.to_string().as_bytes())
    }

    /// The state the editor page starts from: the file's text and its SHA-256.
    fn open(&self, file: &str) -> serde_json::Value {
        let page = self.get(&format!("/edit?file={file}"));
        assert_eq!(page.status, 200, "{}", page.text());
        let html = page.text();
        let start = html.find("data-state=\"").unwrap() + "data-state=\"".len();
        let end = start + html[start..].find('"').unwrap();
        serde_json::from_str(&unescape(&html[start..end])).unwrap()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_token_opens_the_pages_once_and_a_cookie_keeps_them_open() {
    let s = serve();
    let bare = s.raw("GET", "/", &[], b"");
    assert_eq!(bare.status, 403);
    let wrong = s.raw("GET", "/?token=0000", &[], b"");
    assert_eq!(wrong.status, 403);
    let first = s.raw("GET", &format!("/?token={}", s.token), &[], b"");
    assert_eq!(first.status, 303);
    assert_eq!(first.header("Location").as_deref(), Some("/"));
    let cookie = first.header("Set-Cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // The redirect that drops the token never leads to another site.
    for away in ["//evil.example/", "/\\evil.example/"] {
        let r = s.raw("GET", &format!("{away}?token={}", s.token), &[], b"");
        assert_eq!(r.status, 303);
        assert_eq!(r.header("Location").as_deref(), Some("/"), "{away}");
    }
    let start = s.get("/");
    assert_eq!(start.status, 200);
    let html = start.text();
    for file in ["fjordvik-kommune.toml", "nordlys-sparebank.toml", "kommentert.toml"] {
        assert!(html.contains(&format!("data-file=\"{file}\"")), "{file} not listed");
    }
    assert!(
        start
            .header("Content-Security-Policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    // The token in the URL opens pages but never makes a change.
    let body = serde_json::json!({ "file": "nordlys-sparebank.toml", "text": "" });
    let via_query = s.raw(
        "POST",
        &format!("/api/check?token={}", s.token),
        &[("Origin", s.origin())],
        body.to_string().as_bytes(),
    );
    assert_eq!(via_query.status, 403);
}

#[test]
fn another_host_or_another_origin_is_refused() {
    let s = serve();
    // DNS rebinding: a foreign name that resolves to 127.0.0.1 carries its own Host.
    let rebound = s.raw(
        "GET",
        "/",
        &[("Host", format!("evil.example:{}", s.port)), ("Cookie", s.cookie())],
        b"",
    );
    assert_eq!(rebound.status, 421);
    let other_port = s.raw(
        "GET",
        "/",
        &[("Host", "127.0.0.1:1".to_string()), ("Cookie", s.cookie())],
        b"",
    );
    assert_eq!(other_port.status, 421);
    let text = std::fs::read_to_string(s.dir.path().join("nordlys-sparebank.toml")).unwrap();
    let open = s.open("nordlys-sparebank.toml");
    let body = serde_json::json!({ "file": "nordlys-sparebank.toml", "text": "x = 1", "base": open["base"] });
    for origin in [Some("http://evil.example"), Some("null"), None] {
        let mut headers = vec![("Cookie", s.cookie())];
        if let Some(o) = origin {
            headers.push(("Origin", o.to_string()));
        }
        let a = s.raw("POST", "/api/save", &headers, body.to_string().as_bytes());
        assert_eq!(a.status, 403, "origin {origin:?}");
    }
    assert_eq!(
        std::fs::read_to_string(s.dir.path().join("nordlys-sparebank.toml")).unwrap(),
        text
    );
}

#[test]
fn files_outside_the_directory_are_out_of_reach() {
    let s = serve();
    let outside = s.dir.path().parent().unwrap().join("utenfor-avtale-serve.toml");
    let mut names = vec![
        "../utenfor-avtale-serve.toml".to_string(),
        "pdf/../../utenfor-avtale-serve.toml".to_string(),
        outside.display().to_string(),
    ];
    #[cfg(unix)]
    {
        let target = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        std::fs::write(&target, "[avtale]\n").unwrap();
        std::os::unix::fs::symlink(&target, s.dir.path().join("lenke.toml")).unwrap();
        names.push("lenke.toml".to_string());
        std::mem::forget(target);
    }
    for name in &names {
        let check = s.post("/api/check", &serde_json::json!({ "file": name, "text": "" }));
        assert_eq!(check.status, 403, "{name}: {}", check.text());
        let save = s.post(
            "/api/save",
            &serde_json::json!({ "file": name, "text": "x = 1", "base": "" }),
        );
        assert_eq!(save.status, 403, "{name}: {}", save.text());
        let page = s.get(&format!("/edit?file={}", urlencode(name)));
        assert_ne!(page.status, 200, "{name}");
    }
    assert!(!outside.exists());
    let not_toml = s.post("/api/check", &serde_json::json!({ "file": "x.txt", "text": "" }));
    assert_eq!(not_toml.status, 400);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn oversized_and_malformed_requests_are_refused_without_harm() {
    let s = serve();
    let big = vec![b'a'; 9 * 1024 * 1024];
    let headers = [("Cookie", s.cookie()), ("Origin", s.origin())];
    let a = s.raw("POST", "/api/check", &headers, &big);
    assert_eq!(a.status, 413);
    let a = s.raw("POST", "/api/check", &headers, b"{not json");
    assert_eq!(a.status, 400);
    // Broken TOML is a diagnostic, not a server error.
    let a = s.post(
        "/api/form",
        &serde_json::json!({ "file": "ny.toml", "text": "[avtale\nid = " }),
    );
    assert_eq!(a.status, 200);
    let json = a.json();
    assert!(!json["diagnostics"].as_array().unwrap().is_empty(), "{json}");
    assert!(json["form"].is_null());
    // Every kind of change on a hostile path gives an answer, never a crash.
    let text = std::fs::read_to_string(s.dir.path().join("nordlys-sparebank.toml")).unwrap();
    // A path ten thousand tables deep once overflowed the stack while the text was written.
    let deep = format!("avtale{}", ".a".repeat(10_000));
    for path in [
        "",
        "[",
        "tjeneste[99].id",
        "avtale.id.x",
        "kontakt[-1]",
        "a..b",
        "tjeneste[0]",
        deep.as_str(),
    ] {
        for op in ["set", "remove", "add", "move"] {
            let change =
                serde_json::json!({ "op": op, "path": path, "to": 0, "value": { "kind": "text", "value": "x" } });
            let a = s.post(
                "/api/edit",
                &serde_json::json!({ "file": "nordlys-sparebank.toml", "text": text, "change": change }),
            );
            assert!(
                matches!(a.status, 200 | 400 | 422),
                "{op} {}: {}",
                &path[..path.len().min(40)],
                a.status
            );
        }
    }
    assert_eq!(s.get("/").status, 200, "the server still answers");
}

#[test]
fn diagnostics_are_those_of_check_with_their_paths() {
    let s = serve();
    let text = std::fs::read_to_string(s.dir.path().join("nordlys-sparebank.toml")).unwrap();
    let broken = text.replacen("organisasjonsnummer = \"", "organisasjonsnummer = \"1", 1);
    let a = s.post(
        "/api/check",
        &serde_json::json!({ "file": "nordlys-sparebank.toml", "text": broken }),
    );
    assert_eq!(a.status, 200);
    let web: Vec<(String, String)> = a.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(!web.is_empty());
    let file = s.dir.path().join("broken.toml");
    std::fs::write(&file, &broken).unwrap();
    let out = avtale()
        .args(["check", "--lang", "nb", "--diagnostic-format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let cli: Vec<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(web, cli);
}

#[test]
fn an_edit_keeps_comments_and_saving_refuses_to_overwrite_a_change_on_disk() {
    let s = serve();
    let open = s.open("kommentert.toml");
    let text = open["text"].as_str().unwrap();
    let change = serde_json::json!({ "op": "set", "path": "virksomhet.navn", "value": { "kind": "text", "value": "Nytt Navn AS" } });
    let edited = s.post(
        "/api/edit",
        &serde_json::json!({ "file": "kommentert.toml", "text": text, "change": change }),
    );
    assert_eq!(edited.status, 200, "{}", edited.text());
    let new_text = edited.json()["text"].as_str().unwrap().to_string();
    assert!(new_text.contains("# Kommentar som skal bli stående\n[virksomhet]"));
    assert!(new_text.contains("navn = \"Nytt Navn AS\""));
    let changed_lines = similar_lines(text, &new_text);
    assert_eq!(changed_lines, 1, "only the changed line differs");

    let changes = s.post(
        "/api/changes",
        &serde_json::json!({ "file": "kommentert.toml", "text": new_text }),
    );
    let words = changes.json()["changes"].to_string();
    assert!(
        words.contains("Konsumentens navn er endret fra") && words.contains("«Nytt Navn AS»"),
        "{words}"
    );

    let save = |base: &serde_json::Value| {
        s.post(
            "/api/save",
            &serde_json::json!({ "file": "kommentert.toml", "text": new_text, "base": base }),
        )
    };
    let saved = save(&open["base"]);
    assert_eq!(saved.status, 200, "{}", saved.text());
    let path = s.dir.path().join("kommentert.toml");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), new_text);
    let check = avtale().arg("check").arg(&path).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));

    // Someone else changes the file; a save from the old base must not overwrite it.
    std::fs::write(&path, "# endret av en annen\n").unwrap();
    let again = save(&saved.json()["sha256"]);
    assert_eq!(again.status, 409);
    assert!(again.json()["error"].as_str().unwrap().contains("endret på disken"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# endret av en annen\n");
}

fn similar_lines(a: &str, b: &str) -> usize {
    a.lines().zip(b.lines()).filter(|(x, y)| x != y).count() + a.lines().count().abs_diff(b.lines().count())
}

#[test]
fn the_downloaded_pdf_is_byte_for_byte_the_built_one() {
    let s = serve();
    let open = s.open("fjordvik-kommune.toml");
    let pdf = s.post(
        "/api/pdf",
        &serde_json::json!({ "file": "fjordvik-kommune.toml", "text": open["text"] }),
    );
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(pdf.header("Content-Type").as_deref(), Some("application/pdf"));
    let out = s.dir.path().join("bygget");
    let built = avtale()
        .arg("build")
        .arg(s.dir.path().join("fjordvik-kommune.toml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(pdf.body == bytes, "the downloaded PDF differs from the built one");
    let doc: toml::Table = toml::from_str(open["text"].as_str().unwrap()).unwrap();
    let name = doc["virksomhet"]["navn"].as_str().unwrap();
    assert!(common::text_of(&pdf.body).contains(name));
}

#[test]
fn the_preview_draws_pages_and_sends_only_those_the_page_lacks() {
    let s = serve();
    let open = s.open("fjordvik-kommune.toml");
    let body =
        |known: &[String]| serde_json::json!({ "file": "fjordvik-kommune.toml", "text": open["text"], "known": known });
    let first = s.post("/api/preview", &body(&[])).json();
    let pages = first["pages"].as_array().unwrap();
    assert!(pages.len() > 1);
    let png = pages[0]["png"].as_str().unwrap();
    assert!(png.starts_with("iVBORw0KGgo"), "a PNG in base64");
    let hashes: Vec<String> = pages.iter().map(|p| p["hash"].as_str().unwrap().to_string()).collect();
    let second = s.post("/api/preview", &body(&hashes)).json();
    assert!(second["pages"].as_array().unwrap().iter().all(|p| p["png"].is_null()));
}

#[test]
fn a_new_agreement_is_created_as_avtale_new_does_and_never_over_another() {
    let s = serve();
    let form = "file=ny-avtale.toml&navn=Ny+Bedrift+AS&orgnr=974760673&tjeneste=&segment=";
    let headers = [
        ("Cookie", s.cookie()),
        ("Origin", s.origin()),
        ("Content-Type", "application/x-www-form-urlencoded".to_string()),
    ];
    let a = s.raw("POST", "/new", &headers, form.as_bytes());
    assert_eq!(a.status, 303, "{}", a.text());
    assert!(a.header("Location").unwrap().starts_with("/edit?file=ny-avtale.toml"));
    let text = std::fs::read_to_string(s.dir.path().join("ny-avtale.toml")).unwrap();
    assert!(text.contains("Ny Bedrift AS") && text.contains("974760673"));
    let again = s.raw("POST", "/new", &headers, form.as_bytes());
    assert_ne!(again.status, 303);
    assert_eq!(
        std::fs::read_to_string(s.dir.path().join("ny-avtale.toml")).unwrap(),
        text
    );
    let escape = "file=..%2Fut.toml&navn=X&orgnr=974760673&tjeneste=&segment=";
    let out = s.raw("POST", "/new", &headers, escape.as_bytes());
    assert_ne!(out.status, 303);
    assert!(!s.dir.path().parent().unwrap().join("ut.toml").exists());
}

/// The `value`s of the options the select with id `id` offers in a form's HTML (a current
/// value that is not a valid choice stays listed, marked as such, and is left out here).
fn options_of(html: &str, id: &str) -> Vec<String> {
    let start = html
        .find(&format!("<select id=\"{id}\""))
        .unwrap_or_else(|| panic!("no select {id}"));
    let end = start + html[start..].find("</select>").unwrap();
    html[start..end]
        .split("<option value=\"")
        .skip(1)
        .filter(|o| !o.contains("(ikke gyldig her)</option>"))
        .map(|o| o[..o.find('"').unwrap()].to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

#[test]
fn the_form_offers_the_chosen_services_packages_and_the_packages_bases() {
    let s = serve();
    let cat = common::catalogue();
    let open = s.open("nordlys-sparebank.toml");
    let mut text = open["text"].as_str().unwrap().to_string();
    let mut seen_consent = false;
    for service in cat.tjenester.iter().filter(|s| !s.pakker.is_empty()) {
        for package in &service.pakker {
            for (path, value) in [
                ("tjeneste[0].id", &service.id),
                ("tjeneste[0].rettighetspakke", &package.id),
            ] {
                let change =
                    serde_json::json!({ "op": "set", "path": path, "value": { "kind": "text", "value": value } });
                let a = s.post(
                    "/api/edit",
                    &serde_json::json!({ "file": "nordlys-sparebank.toml", "text": text, "change": change }),
                );
                assert_eq!(a.status, 200, "{}", a.text());
                text = a.json()["text"].as_str().unwrap().to_string();
            }
            let form = s.post(
                "/api/form",
                &serde_json::json!({ "file": "nordlys-sparebank.toml", "text": text }),
            );
            let html = form.json()["form"].as_str().unwrap().to_string();
            let packages: Vec<String> = service.pakker.iter().map(|p| p.id.clone()).collect();
            assert_eq!(
                options_of(&html, "f-tjeneste-0-rettighetspakke"),
                packages,
                "{}",
                service.id
            );
            assert_eq!(
                options_of(&html, "f-tjeneste-0-utleveringsgrunnlag-type"),
                package.grunnlag,
                "{}/{}",
                service.id,
                package.id
            );
            if let Some(code) = &package.samtykkekode {
                assert!(html.contains(&format!("Samtykkekode: {code}")), "{}", package.id);
                seen_consent = true;
            }
        }
    }
    assert!(seen_consent, "the catalogue has a package with a consent code");
}

/// Each start-page row's file and the state of its PDF.
fn pdf_states(html: &str) -> Vec<(String, String)> {
    html.split("<tr data-file=\"")
        .skip(1)
        .map(|row| {
            let file = row[..row.find('"').unwrap()].to_string();
            let at = row.find("class=\"pdf pdf-").unwrap() + "class=\"pdf pdf-".len();
            let state = row[at..at + row[at..].find('"').unwrap()].to_string();
            (file, state)
        })
        .collect()
}

#[test]
fn the_start_page_says_whether_each_pdf_is_missing_current_stale_or_signed() {
    let s = serve();
    let out = s.dir.path().join("pdf");
    for file in ["fjordvik-kommune.toml", "nordlys-sparebank.toml"] {
        let built = avtale()
            .arg("build")
            .arg(s.dir.path().join(file))
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    }
    std::fs::write(s.dir.path().join("ny.toml"), "[avtale]\nid = \"KA-2099-0001\"\n").unwrap();
    let state = |file: &str| {
        let states = pdf_states(&s.get("/").text());
        states.into_iter().find(|(f, _)| f == file).map(|(_, st)| st).unwrap()
    };
    assert_eq!(state("nordlys-sparebank.toml"), "oppdatert");
    assert_eq!(state("ny.toml"), "mangler");
    // A change on disk that the PDF does not have.
    let path = s.dir.path().join("nordlys-sparebank.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("status = \"utkast\"", "status = \"til_signering\"", 1),
    )
    .unwrap();
    assert_eq!(state("nordlys-sparebank.toml"), "utdatert");
    // A signed PDF in the place of the built one.
    let pdf = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "pdf")
                && common::text_of(&std::fs::read(p).unwrap()).contains("Fjordvik")
        })
        .unwrap();
    let signed = s.dir.path().join("signert.pdf");
    common::sign(&pdf, "signatar-1", &signed).success();
    assert_eq!(state("fjordvik-kommune.toml"), "oppdatert");
    std::fs::rename(&signed, &pdf).unwrap();
    assert_eq!(state("fjordvik-kommune.toml"), "signert");
}
