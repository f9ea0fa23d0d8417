//! The handlers through `tower::ServiceExt::oneshot`, with a small cookie jar.

mod admin;
mod devices;
mod limits;
mod signin;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use otpkit::verifier::Policy;
use otpkit::{Algorithm, Digits, Period, Secret, Totp};
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{MfaService, SqliteStore};
use tower::ServiceExt;

use crate::admin::AdminToken;
use crate::app::{App, Config, Store, router};

/// The administrator token of the tests' servers.
const ADMIN_TOKEN: &str = "0123456789abcdef0123456789abcdef-test";

struct Client {
    app: Arc<App>,
    router: Router,
    /// Cookies set by the server: name, value, path.
    jar: Vec<(String, String, String)>,
    origin: Option<&'static str>,
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn csrf(&self) -> String {
        let start = self.body.find(r#"name="csrf" value=""#).unwrap() + 19;
        let len = self.body[start..].find('"').unwrap();
        self.body[start..start + len].to_owned()
    }

    fn text_of(&self, id: &str) -> &str {
        let open = format!(r#"id="{id}">"#);
        let start = self
            .body
            .find(&open)
            .unwrap_or_else(|| panic!("no #{id} in {}", self.body))
            + open.len();
        let len = self.body[start..].find('<').unwrap();
        &self.body[start..start + len]
    }

    fn has(&self, id: &str) -> bool {
        self.body.contains(&format!(r#"id="{id}""#))
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The server's bounds, issuer "ACME", administrator token [`ADMIN_TOKEN`].
fn test_config() -> Config {
    Config::new("ACME".into(), Some(AdminToken::new(ADMIN_TOKEN).unwrap()))
}

impl Client {
    fn new() -> Self {
        Client::with(|_| {})
    }

    /// A server with the tests' administrator token and `adjust`ed bounds.
    fn with(adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = test_config();
        adjust(&mut config);
        Client::on(Box::new(SqliteStore::in_memory().unwrap()), config)
    }

    fn on(store: Store, config: Config) -> Self {
        let keyring = Keyring::new(SealingKey::new("test", [7; 32]).unwrap());
        let mfa = MfaService::new(store, keyring, Policy::default());
        let app = Arc::new(App::new(mfa, config));
        Client {
            router: router(Arc::clone(&app)),
            app,
            jar: Vec::new(),
            origin: Some("http://127.0.0.1:8080"),
        }
    }

    /// Another browser on the same server (no cookies).
    fn other(&self) -> Self {
        Client {
            app: Arc::clone(&self.app),
            router: self.router.clone(),
            jar: Vec::new(),
            origin: self.origin,
        }
    }

    /// The value of cookie `name`, if the jar has it.
    fn cookie(&self, name: &str) -> Option<&str> {
        self.jar
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<String>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, "127.0.0.1:8080");
        // A cookie goes to the paths under its own, as a browser sends it.
        let cookies: Vec<String> = self
            .jar
            .iter()
            .filter(|(_, _, p)| {
                p == "/"
                    || path == p
                    || path.starts_with(&format!("{p}/"))
                    || path.starts_with(&format!("{p}?"))
            })
            .map(|(n, v, _)| format!("{n}={v}"))
            .collect();
        if !cookies.is_empty() {
            req = req.header(COOKIE, cookies.join("; "));
        }
        let body = match form {
            Some(f) => {
                if let Some(o) = self.origin {
                    req = req.header(ORIGIN, o);
                }
                req = req.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f)
            }
            None => Body::empty(),
        };
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        for set in res.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            assert!(set.ends_with("; HttpOnly; SameSite=Strict"), "{set}");
            let (pair, rest) = set.split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let path = rest
                .split(';')
                .find_map(|a| a.trim().strip_prefix("Path="))
                .unwrap();
            self.jar.retain(|(n, _, _)| n != name);
            // `Max-Age=0` deletes the cookie.
            if !rest.split(';').any(|a| a.trim() == "Max-Age=0") {
                self.jar.push((name.into(), value.into(), path.into()));
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = res
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            location,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    /// A request with extra headers and no body (and no cookies).
    async fn send_with(&mut self, method: &str, path: &str, extra: &[(&str, &str)]) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, "127.0.0.1:8080");
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            location: None,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// Posts `pairs` with the CSRF token of a fresh `GET /`.
    async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let csrf = self.get("/").await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.send("POST", path, Some(encode(&all))).await
    }

    /// Posts `pairs` to an administrator form with the CSRF token of a fresh
    /// `GET /admin`.
    async fn admin_post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let csrf = self.get("/admin").await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.send("POST", path, Some(encode(&all))).await
    }

    /// Signs in at `/admin` with `token`.
    async fn admin_sign_in(&mut self, token: &str) -> Reply {
        self.send("POST", "/admin/signin", Some(encode(&[("token", token)])))
            .await
    }

    /// Sign-in page 1: the user name and password.
    async fn sign_in_password(&mut self, user: &str, password: &str) -> Reply {
        self.post("/signin", &[("user", user), ("password", password)])
            .await
    }

    /// Sign-in page 2: the MFA code, with the CSRF token of page 2's form.
    async fn sign_in_code(&mut self, code: &str) -> Reply {
        let page = self.get("/signin/mfa").await;
        let csrf = page.csrf();
        self.send(
            "POST",
            "/signin/mfa",
            Some(encode(&[("csrf", &csrf), ("code", code)])),
        )
        .await
    }

    /// Signs in as a person does: page 1; then, if it leads to page 2, `code`
    /// there. The last reply.
    async fn sign_in(&mut self, user: &str, password: &str, code: &str) -> Reply {
        let first = self.sign_in_password(user, password).await;
        if first.location.as_deref() == Some("/signin/mfa") {
            self.sign_in_code(code).await
        } else {
            first
        }
    }

    /// Whether this browser is signed in, and as whom.
    async fn whoami(&mut self) -> Option<String> {
        let home = self.get("/").await;
        home.has("whoami")
            .then(|| home.text_of("whoami").to_owned())
    }
}

const PASSWORD: &str = "correct horse";

/// The name of the first device the tests assign.
const PHONE: &str = "phone";

/// Signs up `user`, names a device [`PHONE`] and reads its secret off the assign
/// page.
async fn sign_up_and_show_secret(c: &mut Client, user: &str) -> String {
    let r = c
        .post("/signup", &[("user", user), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/mfa/assign"));
    let page = c.get("/mfa/assign").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("device-name-form"), "the device name first");
    add_device_and_show_secret(c, user, PHONE).await
}

/// Adds the signed-in `user`'s device `name` and reads its secret off the assign
/// page (checking the QR code says the same).
async fn add_device_and_show_secret(c: &mut Client, user: &str, name: &str) -> String {
    let r = c.post("/mfa/add", &[("name", name)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location.unwrap();
    assert!(to.starts_with("/mfa/assign?device="), "{to}");
    let page = c.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text_of("device"), crate::html::esc(name));
    let key = page.text_of("secret-key").to_owned();
    // What a phone's camera reads: the account and the same secret as the text.
    let scanned = scan_svg(&page.body);
    let wanted = format!(
        "otpauth://totp/ACME:{user}?secret={}&issuer=ACME",
        key.replace(' ', "")
    );
    assert_eq!(scanned, wanted);
    key
}

/// Draws the page's QR code (`<path d="M{x} {y}h{s}v{s}H{x}V{y}…">`, one square per
/// module) into a bitmap and decodes it with `rqrr`, an independent QR decoder.
fn scan_svg(page: &str) -> String {
    let svg = &page[page.find("<svg").unwrap()..];
    let size: usize = svg[svg.find("width=\"").unwrap() + 7..]
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let d = svg[svg.find(" d=\"").unwrap() + 4..]
        .split('"')
        .next()
        .unwrap();
    let mut dark = vec![false; size * size];
    for square in d.split('M').filter(|s| !s.is_empty()) {
        let (x, rest) = square.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let side: usize = rest.split('v').next().unwrap().parse().unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        for row in y..y + side {
            dark[row * size + x..row * size + x + side].fill(true);
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        if dark[y * size + x] { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().unwrap().1
}

fn phone(secret: &str) -> impl Fn(i64) -> String + use<> {
    let secret = Secret::from_base32(secret).unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let t = otpkit::unix_now().unwrap();
    move |k: i64| {
        totp.code_at(t.checked_add_signed(30 * k).unwrap())
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn assign_sign_in_replay_resync_remove() {
    flow(Client::new(), "alice").await;
}

/// A user name no earlier run on a shared server has used.
#[cfg(any(feature = "postgres", feature = "redis"))]
fn fresh_name(prefix: &str) -> String {
    let mut r = [0u8; 6];
    getrandom::fill(&mut r).unwrap();
    let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// The URL in `var`, or `None` after saying why the test is skipped; with `CI` set a
/// missing URL fails (as in otpkit-store's tests).
#[cfg(any(feature = "postgres", feature = "redis"))]
fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "{var} is not set but CI is (start servers with `eval \"$(scripts/services.sh start)\"`)"
            )
        }
        _ => {
            eprintln!("SKIP: {var} is not set: the web flow did not run on that server");
            None
        }
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn the_flow_on_postgres() {
    if let Some(url) = server_url("OTPKIT_TEST_POSTGRES_URL") {
        let store = tokio::task::spawn_blocking(move || crate::open_store(&url))
            .await
            .unwrap()
            .unwrap();
        flow(Client::on(store, test_config()), &fresh_name("alice")).await;
    }
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn the_flow_on_redis() {
    if let Some(url) = server_url("OTPKIT_TEST_REDIS_URL") {
        let store = tokio::task::spawn_blocking(move || crate::open_store(&url))
            .await
            .unwrap()
            .unwrap();
        flow(Client::on(store, test_config()), &fresh_name("alice")).await;
    }
}

/// Assign (a refused pair keeps the secret), sign in, replay refused, resync, remove.
async fn flow(mut c: Client, user: &str) {
    let first = c.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        c.cookie("otpkit_sid").is_some(),
        "a first visit starts a session"
    );

    let secret = sign_up_and_show_secret(&mut c, user).await;
    assert_eq!(secret.len(), 39, "32 Base32 characters in groups of four");
    let at = phone(&secret);

    // A refused pair: the same secret again.
    let refused = c
        .post(
            "/mfa/assign",
            &[("device", PHONE), ("code1", "000000"), ("code2", "000001")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.text_of("secret-key"), secret);

    let done = c
        .post(
            "/mfa/assign",
            &[("device", PHONE), ("code1", &at(-1)), ("code2", &at(0))],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/?done=assigned"));
    // Enrolled: the secret is not shown again.
    assert_eq!(
        c.get("/mfa/assign?device=phone").await.location.as_deref(),
        Some("/")
    );

    c.post("/signout", &[]).await;
    let ok = c.sign_in(user, PASSWORD, &at(1)).await;
    assert_eq!(ok.location.as_deref(), Some("/"));
    assert!(
        c.get("/")
            .await
            .body
            .contains(&format!(r#"id="whoami">{user}<"#))
    );

    c.post("/signout", &[]).await;
    let replay = c.sign_in(user, PASSWORD, &at(1)).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.text_of("error"), crate::messages::USED_CODE);
    // The password alone leads to the code's page, signed in to nothing.
    let half = c.sign_in_password(user, PASSWORD).await;
    assert_eq!(half.location.as_deref(), Some("/signin/mfa"));
    assert_eq!(c.whoami().await, None, "an enrolled device needs a code");

    assert_eq!(
        c.sign_in(user, PASSWORD, &at(2)).await.status,
        StatusCode::SEE_OTHER
    );
    let bad = c
        .post(
            "/mfa/resync",
            &[("device", PHONE), ("code1", &at(4)), ("code2", &at(6))],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let resynced = c
        .post(
            "/mfa/resync",
            &[("device", PHONE), ("code1", &at(4)), ("code2", &at(5))],
        )
        .await;
    assert_eq!(resynced.location.as_deref(), Some("/?done=resynced"));

    let removed = c.post("/mfa/remove", &[("device", PHONE)]).await;
    assert_eq!(removed.location.as_deref(), Some("/?done=removed"));
    // Through the page: a direct (blocking) store call has no place on an async
    // thread, and the synchronous PostgreSQL client panics there.
    assert!(
        c.get("/")
            .await
            .body
            .contains(r#"id="mfa-status">No MFA device assigned."#)
    );
}

#[tokio::test]
async fn forms_without_the_token_from_another_origin_or_session_are_refused() {
    let mut c = Client::new();
    sign_up_and_show_secret(&mut c, "bob").await;
    let csrf = c.get("/").await.csrf();
    let remove = |token: &str| Some(encode(&[("csrf", token), ("device", PHONE)]));

    // Wrong token.
    let r = c.send("POST", "/mfa/remove", remove("0000")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Right token, another site's Origin.
    c.origin = Some("http://evil.example");
    let r = c.send("POST", "/mfa/remove", remove(&csrf)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Right token, no session cookie.
    c.origin = None;
    let jar = std::mem::take(&mut c.jar);
    let r = c.send("POST", "/mfa/remove", remove(&csrf)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        c.app.mfa.devices("bob").unwrap().len() == 1,
        "nothing was removed"
    );

    // The same post with the session (no Origin header: older browsers) works.
    c.jar = jar;
    let r = c.send("POST", "/mfa/remove", remove(&csrf)).await;
    assert_eq!(r.location.as_deref(), Some("/?done=removed"));
}

/// Both two-code forms (assign, resync) go through one path: the token is checked,
/// a signed-out post goes back to the home page and changes nothing, and the codes
/// are read as typed with surrounding spaces dropped.
#[tokio::test]
async fn the_two_code_forms_check_token_and_session_and_trim_the_codes() {
    let mut c = Client::new();
    for path in ["/mfa/assign", "/mfa/resync"] {
        let forged = encode(&[
            ("csrf", "0000"),
            ("device", PHONE),
            ("code1", "000000"),
            ("code2", "000001"),
        ]);
        let r = c.send("POST", path, Some(forged)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        let r = c
            .post(
                path,
                &[("device", PHONE), ("code1", "000000"), ("code2", "000001")],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/"), "{path} signed out");
    }
    let secret = sign_up_and_show_secret(&mut c, "carol").await;
    let at = phone(&secret);
    let spaced = |k: i64| format!(" {}\t", at(k));
    let form = c.get("/mfa/assign?device=phone").await.body;
    assert!(form.contains(r#"id="assign-form""#) && form.contains(r#"name="code2""#));
    let done = c
        .post(
            "/mfa/assign",
            &[
                ("device", PHONE),
                ("code1", &spaced(-1)),
                ("code2", &spaced(0)),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/?done=assigned"));
    let form = c.get("/mfa/resync?device=phone").await.body;
    assert!(form.contains(r#"id="resync-form""#) && form.contains(r#"name="code2""#));
    let resynced = c
        .post(
            "/mfa/resync",
            &[
                ("device", PHONE),
                ("code1", &spaced(3)),
                ("code2", &spaced(4)),
            ],
        )
        .await;
    assert_eq!(resynced.location.as_deref(), Some("/?done=resynced"));
}

/// Signs up `user`, assigns the device and signs out; the phone's codes.
async fn enrolled(c: &mut Client, user: &str) -> impl Fn(i64) -> String + use<> {
    let secret = sign_up_and_show_secret(c, user).await;
    let at = phone(&secret);
    let done = c
        .post(
            "/mfa/assign",
            &[("device", PHONE), ("code1", &at(-1)), ("code2", &at(0))],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/?done=assigned"));
    c.post("/signout", &[]).await;
    at
}

#[tokio::test]
async fn a_wrong_password_spends_no_code_attempt() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    for _ in 0..8 {
        let r = c.sign_in("carol", "wrong password", "000000").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.text_of("error"), "Wrong user name or password.");
    }
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, 0);
    let unknown = c.sign_in("nobody", PASSWORD, "").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text_of("error"), "Wrong user name or password.");
    let ok = c.sign_in("carol", PASSWORD, &at(1)).await;
    assert_eq!(ok.location.as_deref(), Some("/"));
}
