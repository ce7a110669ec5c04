//! The machine-readable contract as a client gets it: the OpenAPI
//! document and the WebSocket frames' schema from a real server, and every
//! route the document names answered by that server.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::spawn_app;

pub(crate) async fn get_json(base: &str, path: &str, content_type: &str) -> Value {
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
    let group = &doc["components"]["schemas"]["GroupDto"]["properties"];
    assert_eq!(group["join_policy"]["enum"], json!(["open", "invite"]));
    assert_eq!(
        group["my_role"]["enum"],
        json!(["owner", "admin", "member", null])
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

/// `value` has every property `def` requires and none it does not name,
/// down through the properties and array items that refer to other
/// definitions.
fn conforms(defs: &Value, def: &Value, value: &Value, at: &str) {
    let def = match def["$ref"].as_str() {
        Some(r) => &defs[r.trim_start_matches("#/$defs/")],
        None => def,
    };
    if let Some(items) = def.get("items") {
        for (i, v) in value.as_array().into_iter().flatten().enumerate() {
            conforms(defs, items, v, &format!("{at}[{i}]"));
        }
        return;
    }
    let Some(props) = def["properties"].as_object() else {
        return;
    };
    let obj = value
        .as_object()
        .unwrap_or_else(|| panic!("{at}: not an object: {value}"));
    for required in def["required"].as_array().into_iter().flatten() {
        let name = required.as_str().unwrap();
        assert!(obj.contains_key(name), "{at}: {name} missing from {value}");
    }
    for (name, v) in obj {
        let prop = props
            .get(name)
            .unwrap_or_else(|| panic!("{at}.{name}: not in the schema ({def})"));
        if !v.is_null() {
            conforms(defs, prop, v, &format!("{at}.{name}"));
        }
    }
}

/// The schema against a real socket: every client frame type it lists is
/// decoded (none is "unknown frame type", as a made-up one is), and the
/// frames the server sends back have the shape it gives them.
#[tokio::test]
async fn the_frames_schema_matches_a_real_socket() {
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
    let defs = &schema["$defs"];
    assert!(defs["MessageDto"]["properties"]["seq"].is_object());
    let branch = |def: &str, kind: &str| -> Value {
        defs[def]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["title"] == kind)
            .unwrap_or_else(|| panic!("{kind} not in {def}"))
            .clone()
    };
    let check = |frame: &Value| {
        let kind = frame["type"].as_str().unwrap();
        let b = branch("ServerFrame", kind);
        conforms(defs, &b["properties"]["data"], &frame["data"], kind);
    };
    let user = app.new_user("frames").await;
    let mut ws = app.ws_connect(&user.access).await;

    let unknown = ws.request("no-such-frame", json!({})).await;
    assert_eq!(unknown["type"], "error", "{unknown}");
    assert!(unknown["data"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown frame type"));
    check(&unknown);

    let mut names = Vec::new();
    for b in defs["ClientFrame"]["oneOf"].as_array().unwrap() {
        let t = &b["properties"]["type"];
        match t.get("const") {
            Some(one) => names.push(one.as_str().unwrap().to_owned()),
            None => names.extend(
                t["enum"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap().to_owned()),
            ),
        }
    }
    assert!(names.len() >= 15, "{names:?}");
    for name in &names {
        // `{}` is bad data for most: an error that names a field, not the type.
        let reply = ws.request(name, json!({})).await;
        let message = reply["data"]["message"].as_str().unwrap_or("");
        assert!(!message.contains("unknown frame type"), "{name}: {reply}");
        check(&reply);
    }

    let ack = ws
        .send_ok(json!({"conversation_id": "world", "client_msg_id": "schema-1", "content": "hi"}))
        .await;
    check(&json!({"type": "send-ack", "data": ack}));
    let sync = ws.request("sync", json!({"cursors": {"world": 0}})).await;
    assert!(
        !sync["data"]["conversations"].as_array().unwrap().is_empty(),
        "{sync}"
    );
    check(&sync);
    let pong = ws.request("ping", json!({})).await;
    check(&pong);
}
