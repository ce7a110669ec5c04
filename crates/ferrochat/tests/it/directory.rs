//! Finding people: GET /api/v1/users/search by a username or nickname
//! prefix, as the contract says: case-insensitive, paged with `next`,
//! never oneself, undiscoverable users and blocks either way left out,
//! bad queries 1001. `discoverable` is one's own setting: in one's own
//! profile, not in the public one.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp};

impl TestApp {
    async fn search(&self, token: &str, query: &str) -> crate::support::Reply {
        let path = format!("/api/v1/users/search?{query}");
        self.request(Method::GET, &path, Some(token), None).await
    }

    /// The usernames a search finds, and its `next`.
    async fn found(&self, token: &str, query: &str) -> (Vec<String>, Value) {
        let r = self.search(token, query).await;
        let data = r.ok();
        let names = data["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect();
        (names, data["next"].clone())
    }
}

#[tokio::test]
async fn people_are_found_by_name_prefix_as_they_allow() {
    let app = spawn_app().await;
    let me = app.new_user("dirme").await;
    let mut ids = Vec::new();
    for (name, nick) in [
        ("Marta", "M"),
        ("martin", "Tin"),
        ("zed", "MARtini"),
        ("other", "O"),
    ] {
        let r = app.register(name, "correct horse battery").await;
        ids.push(r.ok()["user_id"].as_str().unwrap().to_owned());
        let login = app.login(name, "correct horse battery").await;
        let token = login.ok()["access_token"].as_str().unwrap().to_owned();
        app.request(
            Method::PUT,
            "/api/v1/users/profile",
            Some(&token),
            Some(json!({"nickname": nick})),
        )
        .await
        .ok();
    }
    let (names, next) = app.found(&me.access, "q=mar").await;
    assert_eq!(
        names,
        ["Marta", "martin", "zed"],
        "username or nickname, any case"
    );
    assert_eq!(next, Value::Null, "nothing more");
    let (page, next) = app.found(&me.access, "q=MAR&limit=2").await;
    assert_eq!(page, ["Marta", "martin"]);
    let (rest, _) = app
        .found(
            &me.access,
            &format!("q=mar&limit=2&after={}", next.as_str().unwrap()),
        )
        .await;
    assert_eq!(rest, ["zed"]);
    let (none, _) = app.found(&me.access, "q=dirme").await;
    assert!(none.is_empty(), "never oneself: {none:?}");

    // martin hides; zed blocks me: neither is found any more.
    let martin = app.login("martin", "correct horse battery").await;
    let martin_token = martin.ok()["access_token"].as_str().unwrap().to_owned();
    let r = app
        .request(
            Method::PUT,
            "/api/v1/users/profile",
            Some(&martin_token),
            Some(json!({"discoverable": false})),
        )
        .await;
    assert_eq!(r.ok()["discoverable"], false);
    let own = app
        .request(
            Method::GET,
            "/api/v1/users/profile",
            Some(&martin_token),
            None,
        )
        .await;
    assert_eq!(own.ok()["discoverable"], false);
    let public = app
        .request(
            Method::GET,
            &format!("/api/v1/users/{}", ids[1]),
            Some(&me.access),
            None,
        )
        .await;
    assert!(
        public.ok().get("discoverable").is_none(),
        "a setting, not public"
    );
    let zed = app.login("zed", "correct horse battery").await;
    let zed_token = zed.ok()["access_token"].as_str().unwrap().to_owned();
    app.block(&zed_token, &me.user_id).await.ok();
    let (names, _) = app.found(&me.access, "q=mar").await;
    assert_eq!(names, ["Marta"]);
    let (names, _) = app.found(&zed_token, "q=dirme").await;
    assert!(names.is_empty(), "nor the one blocked: {names:?}");

    for bad in [
        "",
        "q=",
        "q=%20%20",
        &format!("q={}", "x".repeat(33)),
        "q=a&limit=0",
        "q=a&limit=51",
        "q=a&limit=x",
    ] {
        app.search(&me.access, bad).await.err(1001);
    }
    let r = app
        .request(Method::GET, "/api/v1/users/search?q=mar", None, None)
        .await;
    r.err(1002);
}
