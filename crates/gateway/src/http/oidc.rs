//! Logging in through an OpenID provider (`[auth.oidc]`), the browser's
//! half: `start` makes the login's state, nonce and PKCE verifier, keeps
//! them in a cookie only the callback gets back, and sends the browser to
//! the provider; `callback` checks the provider's answer against the
//! cookie and has the accounts service redeem the code, then sends the
//! browser to the web client with the session's tokens in the URL's
//! fragment (never sent to any server; the web client takes them out of
//! its address bar at once). Nothing is kept on the server between the
//! two, so any gateway may answer either.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ferrochat_domain::oidc::{OidcCode, OidcFinish, OidcSecret, OidcStart};
use ferrochat_domain::{DeviceId, ErrorKind, LoginOutcome};
use ferrochat_wire::accounts::OidcProviderDto;
use ferrochat_wire::error_code;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{ClientIp, QueryParams};
use crate::openapi::{Envelope, E1001, E1003, E1004, E1007, E1009};
use crate::reply::Reply;
use crate::state::AppState;

/// The cookie that carries a login from `start` to `callback`.
const COOKIE: &str = "ferrochat_oidc";
/// How long a login at the provider may take.
const COOKIE_SECONDS: u32 = 600;
/// Where the browser goes after the callback: the web client.
const WEB_CLIENT: &str = "/";

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(provider))
        .routes(routes!(start))
        .routes(routes!(callback))
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc",
    tag = "accounts",
    summary = "The OpenID provider users may log in with",
    description = "Its name, for a \"Log in with …\" button; 1003 when the server has no \
        `[auth.oidc]`.",
    responses(
        (status = 200, description = "The provider", body = Envelope<OidcProviderDto>),
        E1003, E1004, E1007, E1009,
    )
)]
async fn provider(State(state): State<AppState>) -> Result<Reply<OidcProviderDto>, HttpError> {
    let name = state.deps.accounts.oidc_provider().await?;
    Ok(Reply::ok(OidcProviderDto { name }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StartParams {
    /// The browser's name for itself, as at a password login
    /// (`device_id`: 1-64 printable ASCII characters).
    device_id: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc/start",
    tag = "accounts",
    summary = "Start logging in at the OpenID provider",
    description = "For a browser to navigate to (not to fetch): answers 302 to the provider's \
        authorization endpoint (authorization code flow, PKCE S256) and sets an HttpOnly \
        cookie, good for 10 minutes, that only the callback gets back. `device_id`? names the \
        session as at a password login. 1003 when the server has no `[auth.oidc]`, 1009 while \
        the provider cannot be reached. Limited per address (`gateway.auth_rate_limit`).",
    params(StartParams),
    responses(
        (status = 302, description = "To the provider's login page"),
        E1001, E1003, E1004, E1007, E1009,
    )
)]
async fn start(
    State(state): State<AppState>,
    ip: ClientIp,
    QueryParams(params): QueryParams<StartParams>,
) -> Result<Response, HttpError> {
    super::auth::limit(&state, &ip)?;
    let device_id = params.device_id.map(DeviceId::parse).transpose()?;
    let login = Login::new(device_id);
    let url = state
        .deps
        .accounts
        .oidc_authorization(login.start()?)
        .await?;
    let to_callback = CookieScope::of_redirect(&url);
    let mut response = redirect(StatusCode::FOUND, &url);
    set_cookie(
        &mut response,
        &to_callback.cookie(&login.cookie_value(&to_callback), COOKIE_SECONDS),
    );
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CallbackParams {
    /// The provider's authorization code.
    code: Option<String>,
    /// The value `start` sent, returned by the provider.
    state: Option<String>,
    /// Set by the provider instead of `code` when the login failed
    /// (`access_denied`, ...).
    error: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc/callback",
    tag = "accounts",
    summary = "Where the OpenID provider sends the browser back",
    description = "The provider's `redirect_uri` (set `auth.oidc.redirect_url` to it). Answers \
        303 to the web client (`/`, or the prefix `auth.oidc.redirect_url` is under), with the \
        outcome in the fragment: \
        `#access_token=…&refresh_token=…&token_type=Bearer&expires_in=…` (a session as a \
        password login opens, of the account linked to the provider's subject, made on first \
        sight), or `#oidc_error=<code>&oidc_message=<words>`: 1002 when the provider refused \
        or its ID token does not hold, or the login was not started in this browser or took \
        over 10 minutes; 1005 for a disabled account; 1009 while the provider cannot be \
        reached. The cookie `start` set is cleared either way. Limited per address \
        (`gateway.auth_rate_limit`).",
    params(CallbackParams),
    responses(
        (status = 303, description = "To the web client, with the tokens or the error in the fragment"),
        E1004, E1007, E1009,
    )
)]
async fn callback(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    QueryParams(params): QueryParams<CallbackParams>,
) -> Result<Response, HttpError> {
    super::auth::limit(&state, &ip)?;
    let started = cookie(&headers).and_then(|raw| Login::from_cookie_value(&raw));
    // The cookie's scope as `start` set it, which is this route's as the
    // browser reaches it (behind a proxy, maybe under a prefix).
    let scope = started
        .as_ref()
        .map_or_else(CookieScope::here, |(_, scope)| scope.clone());
    let outcome = finish(&state, started.map(|(login, _)| login), params).await;
    let fragment = match outcome {
        Ok(o) => tokens_fragment(&o),
        Err(e) => error_fragment(e.kind(), e.message()),
    };
    let mut response = redirect(
        StatusCode::SEE_OTHER,
        &format!("{}#{fragment}", scope.web_client()),
    );
    // Cleared where it was set: a browser matches a clearing cookie by
    // name and path.
    set_cookie(&mut response, &scope.cookie("", 0));
    Ok(response)
}

async fn finish(
    state: &AppState,
    login: Option<Login>,
    params: CallbackParams,
) -> Result<LoginOutcome, HttpError> {
    const NOT_STARTED: &str =
        "this login was not started in this browser, or took too long: try again";
    let login = login.ok_or_else(|| HttpError::new(ErrorKind::Unauthorized, NOT_STARTED))?;
    // The state binds the provider's answer to the browser that started
    // the login, so no one can log a victim in to the attacker's account.
    if params.state.as_deref() != Some(login.state.as_str()) {
        return Err(HttpError::new(ErrorKind::Unauthorized, NOT_STARTED));
    }
    if let Some(error) = params.error {
        tracing::info!(%error, "OpenID login: the provider answered an error");
        return Err(HttpError::new(
            ErrorKind::Unauthorized,
            "the identity provider did not log you in",
        ));
    }
    let code = OidcCode::parse(params.code.unwrap_or_default())?;
    let outcome = state
        .deps
        .accounts
        .oidc_login(OidcFinish {
            code,
            code_verifier: login.verifier,
            nonce: login.nonce,
            device_id: login.device_id,
        })
        .await?;
    Ok(outcome)
}

/// One login's values, as the cookie keeps them.
struct Login {
    state: OidcSecret,
    nonce: OidcSecret,
    verifier: OidcSecret,
    device_id: Option<DeviceId>,
}

/// 32 random bytes, base64url: 43 characters, a valid `OidcSecret`.
fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

impl Login {
    fn new(device_id: Option<DeviceId>) -> Self {
        let secret = |field| {
            OidcSecret::parse(field, random_secret())
                .unwrap_or_else(|_| unreachable!("43 base64url characters are a valid secret"))
        };
        Self {
            state: secret("state"),
            nonce: secret("nonce"),
            verifier: secret("code_verifier"),
            device_id,
        }
    }

    fn start(&self) -> Result<OidcStart, HttpError> {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.as_str().as_bytes()));
        Ok(OidcStart {
            state: self.state.clone(),
            nonce: self.nonce.clone(),
            code_challenge: OidcSecret::parse("code_challenge", challenge)?,
        })
    }

    /// `state.nonce.verifier.scope[.device]`: the cookie's own scope
    /// (`CookieScope::encode`), so the callback clears it where it was
    /// set, and the device id base64url-encoded (it may hold any
    /// printable character).
    fn cookie_value(&self, scope: &CookieScope) -> String {
        let mut value = format!(
            "{}.{}.{}.{}",
            self.state.as_str(),
            self.nonce.as_str(),
            self.verifier.as_str(),
            scope.encode(),
        );
        if let Some(d) = &self.device_id {
            value.push('.');
            value.push_str(&URL_SAFE_NO_PAD.encode(d.as_str()));
        }
        value
    }

    fn from_cookie_value(raw: &str) -> Option<(Self, CookieScope)> {
        let mut parts = raw.split('.');
        let secret = |field, part: Option<&str>| OidcSecret::parse(field, part?.to_owned()).ok();
        let state = secret("state", parts.next())?;
        let nonce = secret("nonce", parts.next())?;
        let verifier = secret("code_verifier", parts.next())?;
        let scope = CookieScope::decode(parts.next()?)?;
        let device_id = match parts.next() {
            None => None,
            Some(encoded) => {
                let raw = URL_SAFE_NO_PAD.decode(encoded).ok()?;
                Some(DeviceId::parse(String::from_utf8(raw).ok()?).ok()?)
            }
        };
        if parts.next().is_some() {
            return None;
        }
        Some((
            Self {
                state,
                nonce,
                verifier,
                device_id,
            },
            scope,
        ))
    }
}

/// Where the cookie is sent back: the callback's path only, and over
/// https only when the callback is on https.
#[derive(Debug, Clone, PartialEq)]
struct CookieScope {
    path: String,
    secure: bool,
}

impl CookieScope {
    /// The callback's scope, read from the `redirect_uri` the provider
    /// will send the browser to.
    fn of_redirect(authorization_url: &str) -> Self {
        let query = authorization_url.split_once('?').map_or("", |(_, q)| q);
        let redirect = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let after_scheme = redirect.split_once("://").map_or("", |(_, rest)| rest);
        let path = after_scheme
            .find('/')
            .and_then(|i| after_scheme.get(i..))
            .map(|p| p.split(['?', '#']).next().unwrap_or(p))
            .filter(|p| usable_path(p))
            .unwrap_or(CALLBACK_PATH);
        Self {
            path: path.to_owned(),
            secure: redirect.starts_with("https://"),
        }
    }

    /// `s` or `p` (https or not), then the path, base64url-encoded: one
    /// part of the cookie's value.
    fn encode(&self) -> String {
        let flag = if self.secure { 's' } else { 'p' };
        URL_SAFE_NO_PAD.encode(format!("{flag}{}", self.path))
    }

    fn decode(part: &str) -> Option<Self> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(part).ok()?).ok()?;
        let (secure, path) = match raw.split_at_checked(1)? {
            ("s", path) => (true, path),
            ("p", path) => (false, path),
            _ => return None,
        };
        usable_path(path).then(|| Self {
            path: path.to_owned(),
            secure,
        })
    }

    /// The web client, where the callback sends the browser: the root of
    /// the site the callback is under (`/chat/` for a callback at
    /// `/chat/api/v1/auth/oidc/callback`).
    fn web_client(&self) -> String {
        match self.path.strip_suffix(CALLBACK_PATH) {
            Some(prefix) => format!("{prefix}/"),
            None => WEB_CLIENT.to_owned(),
        }
    }

    /// This route's own path, as the gateway sees it: the scope when the
    /// request brought no login to read one from.
    fn here() -> Self {
        Self {
            path: CALLBACK_PATH.to_owned(),
            secure: false,
        }
    }

    fn cookie(&self, value: &str, max_age: u32) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{COOKIE}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            self.path
        )
    }
}

const CALLBACK_PATH: &str = "/api/v1/auth/oidc/callback";

/// A path fit for a cookie's `Path` and a `Location`: absolute, printable,
/// no `;`.
fn usable_path(path: &str) -> bool {
    path.starts_with('/') && path.bytes().all(|b| b.is_ascii_graphic() && b != b';')
}

/// The value of our cookie in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

fn tokens_fragment(o: &LoginOutcome) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("access_token", &o.tokens.access_token)
        .append_pair("refresh_token", &o.tokens.refresh_token)
        .append_pair("token_type", "Bearer")
        .append_pair("expires_in", &o.tokens.expires_in.to_string())
        .finish()
}

fn error_fragment(kind: ErrorKind, message: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("oidc_error", &error_code::code(kind).0.to_string())
        .append_pair("oidc_message", message)
        .finish()
}

fn redirect(status: StatusCode, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(to) => {
            let mut response = status.into_response();
            response.headers_mut().insert(header::LOCATION, to);
            // Tokens in the fragment: never kept, never told to the next site.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            response
        }
        // A URL the provider's discovery made unprintable.
        Err(_) => HttpError::new(
            ErrorKind::Unavailable,
            "the identity provider's login address is not usable",
        )
        .into_response(),
    }
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_survives_its_cookie_and_nothing_else_passes() {
        let login = Login::new(Some(
            DeviceId::parse("web-Chrome-Linux.1;x".into()).unwrap(),
        ));
        let scope = CookieScope::here();
        let (back, back_scope) = Login::from_cookie_value(&login.cookie_value(&scope)).unwrap();
        assert_eq!(back_scope, scope);
        assert_eq!(back.state, login.state);
        assert_eq!(back.nonce, login.nonce);
        assert_eq!(back.verifier, login.verifier);
        assert_eq!(back.device_id, login.device_id);
        let plain = Login::new(None);
        let plain_value = plain.cookie_value(&scope);
        assert!(Login::from_cookie_value(&plain_value)
            .unwrap()
            .0
            .device_id
            .is_none());
        let unscoped = format!(
            "{}.{}.{}",
            plain.state.as_str(),
            plain.nonce.as_str(),
            plain.verifier.as_str()
        );
        for bad in ["", "a.b.c", &format!("{plain_value}.x.y"), "...", &unscoped] {
            assert!(Login::from_cookie_value(bad).is_none(), "{bad}");
        }
        assert_ne!(login.state, plain.state);
    }

    #[test]
    fn the_cookie_goes_back_to_the_callback_only() {
        let s = CookieScope::of_redirect(
            "https://id.example/auth?client_id=c&redirect_uri=https%3A%2F%2Fchat.example%2Fchat%2Fapi%2Fv1%2Fauth%2Foidc%2Fcallback%3Fx%3D1&state=s",
        );
        assert_eq!(s.path, "/chat/api/v1/auth/oidc/callback");
        assert!(s.secure);
        assert_eq!(s.web_client(), "/chat/");
        assert_eq!(CookieScope::decode(&s.encode()), Some(s.clone()));
        assert!(s
            .cookie("v", 600)
            .ends_with("HttpOnly; SameSite=Lax; Secure"));
        let plain = CookieScope::of_redirect(
            "http://127.0.0.1:1/auth?redirect_uri=http%3A%2F%2F127.0.0.1%3A2",
        );
        assert_eq!(plain.path, CALLBACK_PATH);
        assert!(!plain.secure);
        assert_eq!(plain.web_client(), "/");
        assert_eq!(CookieScope::decode(&plain.encode()), Some(plain));
        for bad in [
            "",
            "cw",
            &URL_SAFE_NO_PAD.encode("x/a"),
            &URL_SAFE_NO_PAD.encode("sa;b"),
        ] {
            assert_eq!(CookieScope::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_our_cookie_is_read() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "a=1; ferrochat_oidcx=2".parse().unwrap());
        assert_eq!(cookie(&h), None);
        h.append(
            header::COOKIE,
            "b=3; ferrochat_oidc=v.w; c=4".parse().unwrap(),
        );
        assert_eq!(cookie(&h).as_deref(), Some("v.w"));
    }
}
