//! Dates as ISO 8601 UTC text with milliseconds (`2009-03-04T05:06:07.000Z`).

use super::error::JsonError;
use chrono::{DateTime, SecondsFormat};

/// The text of a Date of `millis` since the epoch (a fraction of a
/// millisecond is dropped, as Flash Player's Dates have none).
pub(super) fn format(millis: f64) -> Result<String, JsonError> {
    if !millis.is_finite() {
        return Err(JsonError::InvalidDate(millis));
    }
    // In range of i64 once finite and within chrono's ±262,000 years.
    #[allow(clippy::cast_possible_truncation)]
    let whole = millis.trunc() as i64;
    DateTime::from_timestamp_millis(whole)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Millis, true))
        .ok_or(JsonError::InvalidDate(millis))
}

/// The milliseconds of an RFC 3339 time (any offset; `Z` or `+01:00`).
pub(super) fn parse(text: &str) -> Result<f64, JsonError> {
    let d = DateTime::parse_from_rfc3339(text).map_err(|e| JsonError::BadTag {
        tag: super::tags::DATE,
        why: format!("'{text}' is not an RFC 3339 time: {e}"),
    })?;
    // Dates are exact in a double up to ±2^53 ms (285,000 years).
    #[allow(clippy::cast_precision_loss)]
    Ok(d.timestamp_millis() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_milliseconds() {
        let text = "2009-03-04T05:06:07.089Z";
        let ms = parse(text).expect("parses");
        assert_eq!(ms, 1_236_143_167_089.0);
        assert_eq!(format(ms).expect("formats"), text);
        assert_eq!(parse("2009-03-04T06:06:07.089+01:00"), Ok(ms));
    }

    #[test]
    fn not_a_time_is_an_error() {
        assert!(matches!(format(f64::NAN), Err(JsonError::InvalidDate(_))));
        assert!(format(1e300).is_err());
        assert!(parse("yesterday").is_err());
    }
}
