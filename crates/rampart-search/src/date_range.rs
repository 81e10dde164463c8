//! The dates this engine can index and compare exactly.
//!
//! tantivy keeps a date as signed nanoseconds since the epoch, so it reaches only from 1677 to
//! 2262, while an Elasticsearch `date` (milliseconds) reaches far beyond. A document date
//! outside that window is accepted, as Elasticsearch accepts it: `_source` keeps it exactly
//! and the index holds it saturated at the nearest edge (multiplying it into nanoseconds
//! would overflow and land anywhere). A saturated value still compares correctly with every
//! bound strictly inside the window, so queries must only use such bounds: a bound on or
//! beyond an edge is refused with a 400 instead of answering wrongly. That also covers role
//! queries, which then fail closed rather than admit a saturated document they would not
//! admit at its true date.

use tantivy::DateTime;

use crate::error::{Result, SearchError};

/// The earliest indexable date, in whole seconds so that no index precision rounds past it
/// (1677-09-21T00:12:44Z).
pub const MIN_MILLIS: i64 = -9_223_372_036_000;
/// The latest indexable date, in whole seconds (2262-04-11T23:47:16Z).
pub const MAX_MILLIS: i64 = 9_223_372_036_000;

/// The indexed form of a document date: saturated at the window's edges.
pub fn indexed(millis: i64) -> DateTime {
    DateTime::from_timestamp_millis(millis.clamp(MIN_MILLIS, MAX_MILLIS))
}

/// The indexed form of a query bound on `field`; a bound on or beyond an edge cannot be
/// compared exactly with saturated documents and is refused.
pub fn query_bound(field: &str, millis: i64) -> Result<DateTime> {
    if millis <= MIN_MILLIS || millis >= MAX_MILLIS {
        return Err(SearchError::IllegalArgument(format!(
            "date [{millis}] on field [{field}] is outside the range this server compares exactly \
             (epoch milliseconds strictly between [{MIN_MILLIS}] and [{MAX_MILLIS}], \
             1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z)"
        )));
    }
    Ok(DateTime::from_timestamp_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_dates_saturate_instead_of_overflowing() {
        // 2555-12-12, which overflows nanoseconds.
        let far = 18_645_667_200_000;
        assert_eq!(indexed(far).into_timestamp_millis(), MAX_MILLIS);
        assert_eq!(indexed(-far).into_timestamp_millis(), MIN_MILLIS);
        assert_eq!(indexed(0).into_timestamp_millis(), 0);
        assert_eq!(indexed(MAX_MILLIS).into_timestamp_millis(), MAX_MILLIS);
    }

    #[test]
    fn bounds_inside_the_window_compare_saturated_values_as_their_true_dates() {
        let bound = query_bound("at", MAX_MILLIS - 1).unwrap();
        // A 2555 document is after every accepted bound, as it truly is.
        assert!(indexed(18_645_667_200_000) > bound);
        let low = query_bound("at", MIN_MILLIS + 1).unwrap();
        assert!(indexed(-18_645_667_200_000) < low);
    }

    #[test]
    fn bounds_on_or_beyond_an_edge_are_refused() {
        for ms in [MAX_MILLIS, MAX_MILLIS + 1, MIN_MILLIS, i64::MIN, i64::MAX] {
            let err = query_bound("at", ms).unwrap_err();
            assert!(err.to_string().contains("[at]"), "{err}");
        }
    }
}
