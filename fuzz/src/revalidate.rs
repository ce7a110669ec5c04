//! A value a decoder accepted passes its type's own check again, and comes
//! out unchanged: no decoder builds a validated value another way than
//! its `parse`, and no `parse` keeps something it would refuse.

use std::fmt::Debug;

use ferrochat_domain::InvalidField;

/// `again` (the value's own text parsed once more) is `value`.
pub fn fixed_point<T: PartialEq + Debug>(value: &T, again: Result<T, InvalidField>) {
    match again {
        Ok(v) => assert_eq!(&v, value, "parsing {value:?} again changed it"),
        Err(e) => panic!("{value:?} was accepted, and parsed again is refused: {e}"),
    }
}

/// `fixed_point` for a type whose `parse` takes its text as a `String`.
#[macro_export]
macro_rules! revalidates {
    ($value:expr, $type:ty) => {
        $crate::revalidate::fixed_point::<$type>(
            &$value,
            <$type>::parse($value.as_str().to_owned()),
        )
    };
}

/// `fixed_point` for an id (`parse` takes `&str`).
#[macro_export]
macro_rules! revalidates_id {
    ($value:expr, $type:ty) => {
        $crate::revalidate::fixed_point::<$type>(&$value, <$type>::parse($value.as_str()))
    };
}
