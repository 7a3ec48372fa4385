//! `web/sdk/src/wire.ts` is generated from this crate; this fails when it is stale (run with
//! `UPDATE_WIRE=1` to regenerate it).
#![cfg(feature = "typescript")]

#[test]
fn wire_ts_is_generated_from_the_rust_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/sdk/src/wire.ts");
    let wanted = tern_proto::typescript::wire_ts();
    if std::env::var_os("UPDATE_WIRE").is_some() {
        std::fs::write(path, &wanted).unwrap();
        return;
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == wanted,
        "{} is stale: run `UPDATE_WIRE=1 cargo test -p tern-proto wire`",
        tern_proto::typescript::WIRE_TS
    );
}
