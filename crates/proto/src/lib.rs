//! ferrochat's protobuf messages and gRPC services, with the conversions
//! between them and the domain's types: bus records in [`bus`], the logic
//! role's service (`logic.proto`) in `logic/` and the repo role's
//! (`repo.proto`) in `repo/`, as methods and `From`/`TryFrom` impls on the
//! generated types.
//!
//! The `.proto` files in `proto/` are the cross-process contract. Decoding
//! is an edge (design invariant 7): `TryFrom` checks ids and required
//! fields and names what is wrong in a [`DecodeError`].

mod attachments;
pub mod bus;
mod convert;
mod logic;
mod repo;
mod uploads;

pub use convert::DecodeError;

/// The generated code of package `ferrochat.v1`.
#[allow(clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("ferrochat.v1");
}
