//! Conversions between Unix seconds, PDF date strings and RFC 3339 strings (UTC only).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch of a `SystemTime` (negative before 1970).
pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map(|s| -s).unwrap_or(i64::MIN),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Proleptic Gregorian date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Broken-down UTC time: (year, month, day, hour, minute, second).
fn broken_down(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// `2024-05-01T12:00:00Z`.
pub(crate) fn rfc3339(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = broken_down(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A PDF date string in UTC: `D:20240501120000+00'00'`.
pub(crate) fn pdf_date(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = broken_down(secs);
    format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}+00'00'")
}

/// Reads `len` ASCII digits at `pos`, if present.
fn digits(text: &[u8], pos: usize, len: usize) -> Option<i64> {
    let part = text.get(pos..pos.checked_add(len)?)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(part).ok()?.parse().ok()
}

/// Parses a PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional) into Unix seconds.
pub(crate) fn parse_pdf_date(text: &[u8]) -> Option<i64> {
    let text = text.strip_prefix(b"D:").unwrap_or(text);
    let year = digits(text, 0, 4)?;
    let field = |pos: usize, default: i64| digits(text, pos, 2).unwrap_or(default);
    let (month, day) = (field(4, 1), field(6, 1));
    let (hour, minute, second) = (field(8, 0), field(10, 0), field(12, 0));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    let tz_pos = text.iter().position(|c| matches!(c, b'Z' | b'+' | b'-'));
    if let Some(pos) = tz_pos.filter(|&p| p >= 14 || digits(text, p.saturating_sub(2), 2).is_some()) {
        let sign = match text.get(pos) {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => 0,
        };
        let off_h = digits(text, pos + 1, 2).unwrap_or(0);
        let off_m = digits(text, pos + 4, 2).unwrap_or(0);
        secs -= sign * (off_h * 3600 + off_m * 60);
    }
    Some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_714_564_800), "2024-05-01T12:00:00Z");
        assert_eq!(pdf_date(1_714_564_800), "D:20240501120000+00'00'");
        assert_eq!(parse_pdf_date(b"D:20240501120000+00'00'"), Some(1_714_564_800));
        assert_eq!(parse_pdf_date(b"D:20240501140000+02'00'"), Some(1_714_564_800));
        assert_eq!(parse_pdf_date(b"D:20240501120000Z"), Some(1_714_564_800));
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }
}
