//! Compiles the .proto files with protox (pure Rust), so building ferrochat
//! needs no system `protoc`.

use std::error::Error;

const PROTOS: &[&str] = &[
    "proto/ferrochat/v1/bus.proto",
    "proto/ferrochat/v1/logic.proto",
    "proto/ferrochat/v1/repo.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    for p in PROTOS {
        println!("cargo:rerun-if-changed={p}");
    }
    let fds = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
