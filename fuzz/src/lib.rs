//! What the fuzz targets (`fuzz_targets/`) check of what ferrochat's
//! decoders accept and refuse, beyond "no panic". A failed check panics,
//! which libFuzzer reports as a crash with the input that caused it.

pub mod messaging;
pub mod refusal;
pub mod revalidate;

/// Two values that must be the same, compared as `Debug` prints them (the
/// bus records have no `PartialEq`; every field they hold prints).
pub fn same<T: std::fmt::Debug>(a: &T, b: &T, what: &str) {
    let (a, b) = (format!("{a:?}"), format!("{b:?}"));
    assert!(a == b, "{what} changed:\n  {a}\n  {b}");
}
