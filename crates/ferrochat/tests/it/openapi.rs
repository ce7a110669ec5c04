//! The machine-readable contract as a client gets it: the OpenAPI
//! document and the WebSocket frames' schema from a real server, and every
//! route the document names answered by that server.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::spawn_app;

async fn get_json(base: &str, path: &str, content_type: &str) -> Value {
    let res = reqwest::get(format!("{base}{path}")).await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], content_type, "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_openapi_document_describes_the_routes() {
    let app = spawn_app().await;
    let doc = get_json(&app.base, "/api/openapi.json", "application/json").await;
    assert_eq!(doc["openapi"], "3.1.0");

    let login = &doc["paths"]["/api/v1/auth/login"]["post"];
    assert_eq!(
        login["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/LoginBody"
    );
    let ok = &login["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
    let envelope = doc
        .pointer(ok.as_str().unwrap().trim_start_matches('#'))
        .unwrap();
    // LoginDto flattens the tokens beside `user`.
    let data = &envelope["properties"]["data"]["allOf"];
    assert_eq!(
        data[0]["$ref"], "#/components/schemas/TokensDto",
        "{envelope}"
    );
    assert_eq!(
        data[1]["properties"]["user"]["$ref"],
        "#/components/schemas/ProfileDto"
    );
    let body = &doc["components"]["schemas"]["LoginBody"];
    assert_eq!(body["required"], json!(["username", "password"]), "{body}");
    assert_eq!(envelope["properties"]["code"]["maximum"], 0);
    assert_eq!(
        login["responses"]["401"]["$ref"],
        "#/components/responses/E1002"
    );
    assert!(login.get("security").is_none(), "login takes no token");

    let user = &doc["paths"]["/api/v1/users/{id}"]["get"];
    assert_eq!(user["security"], json!([{"bearer": []}]));
    assert_eq!(user["parameters"][0]["name"], "id");
    assert_eq!(user["parameters"][0]["in"], "path");
    assert_eq!(
        user["responses"]["404"]["$ref"],
        "#/components/responses/E1003"
    );

    let history = &doc["paths"]["/api/v1/messages/history"]["get"];
    let names: Vec<&str> = history["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["conversation_id", "after_seq", "before_seq", "limit"]
    );

    let e1007 = &doc["components"]["responses"]["E1007"];
    assert_eq!(
        e1007["content"]["application/json"]["schema"]["allOf"][1]["properties"]["code"]["enum"],
        json!([1007])
    );
    // Served from the same bytes each time.
    let again = get_json(&app.base, "/api/openapi.json", "application/json").await;
    assert_eq!(doc, again);
}

/// Every method and path of the document reaches a handler of the real
/// server: none is "no such endpoint" (the answer to an unknown path or
/// method). Path parameters are a well-formed id; bodies are `{}`.
#[tokio::test]
async fn every_documented_route_is_served() {
    let app = spawn_app().await;
    let doc = get_json(&app.base, "/api/openapi.json", "application/json").await;
    let user = app.new_user("openapi").await;
    let id = "01a2090a-6906-717e-8a2c-8311fbcfdb13";
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        // The token stays valid: logout goes last.
        let mut methods: Vec<_> = item.as_object().unwrap().keys().cloned().collect();
        methods.sort();
        for method in methods {
            let concrete = path.replace("{id}", id).replace("{user_id}", id);
            let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            let body = (m == Method::POST || m == Method::PUT).then(|| json!({}));
            if path == "/api/v1/auth/logout" {
                continue;
            }
            let mut req = app
                .client
                .request(m.clone(), format!("{}{concrete}", app.base))
                .bearer_auth(&user.access);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert!(
                !text.contains("no such endpoint"),
                "{m} {path}: {status} {text}"
            );
            checked += 1;
        }
    }
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&user.access),
            None,
        )
        .await;
    assert_eq!(r.code(), 0);
    assert!(checked > 45, "{checked}");
}

#[tokio::test]
async fn the_frames_schema_lists_each_frame_type() {
    let app = spawn_app().await;
    let schema = get_json(
        &app.base,
        "/api/ws-frames.schema.json",
        "application/schema+json",
    )
    .await;
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let types = |def: &str| -> Vec<String> {
        schema["$defs"][def]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let client = types("ClientFrame");
    for t in ["send-message", "sync", "ping", "auth", "forward-messages"] {
        assert!(client.iter().any(|c| c == t), "{t} in {client:?}");
    }
    let server = types("ServerFrame");
    for t in ["send-ack", "new-message", "error", "pong", "presence"] {
        assert!(server.iter().any(|c| c == t), "{t} in {server:?}");
    }
    assert!(schema["$defs"]["MessageDto"]["properties"]["seq"].is_object());
}
