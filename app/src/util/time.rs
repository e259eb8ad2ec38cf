//! Time as the console shows it: a UTC instant as protobuf stores it (seconds + nanos) in
//! RFC 3339, Unix milliseconds as a UTC date and time, the civil calendar beneath both, and
//! durations for people.
//!
//! Hand-written instead of a date crate: only UTC formatting and parsing are needed, and this
//! code also ships to the browser.

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    pub seconds: i64,
    pub nanos: u32,
}

impl Instant {
    /// None for out-of-range nanos, which only a corrupt or hostile blob can hold.
    pub fn new(seconds: i64, nanos: i32) -> Option<Instant> {
        (0..1_000_000_000).contains(&nanos).then_some(Instant {
            seconds,
            nanos: nanos as u32,
        })
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff|.fffffffff]Z`: microseconds when the instant has no finer
    /// part (as Python writes them), nanoseconds otherwise, nothing for whole seconds.
    pub fn to_rfc3339(self) -> String {
        let days = self.seconds.div_euclid(86_400);
        let secs_of_day = self.seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60);
        let frac = match self.nanos {
            0 => String::new(),
            n if n % 1000 == 0 => format!(".{:06}", n / 1000),
            n => format!(".{n:09}"),
        };
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}{frac}Z")
    }

    /// Parses RFC 3339 with a `Z` or `±HH:MM` offset and up to nine fraction digits.
    pub fn parse_rfc3339(text: &str) -> Option<Instant> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let mut rest = &text[19..];
        let mut nanos = 0u32;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            nanos = frac[..digits].parse::<u32>().ok()? * 10u32.pow(9 - digits as u32);
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let oh: i64 = rest.get(1..3)?.parse().ok()?;
                let om: i64 = rest.get(4..6)?.parse().ok()?;
                sign * (oh * 3600 + om * 60)
            }
            _ => return None,
        };
        let seconds = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
        Some(Instant { seconds, nanos })
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Instant::parse_rfc3339(&text)
            .ok_or_else(|| de::Error::custom(format!("`{text}` is not an RFC 3339 time")))
    }
}

/// `2026-11-26 16:30:05 UTC` from Unix milliseconds (no time-zone database needed).
pub fn utc_from_millis(at_ms: i64) -> String {
    let secs = at_ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// A duration as people read it: "42 s", "5 min", "3 h", "2 d" (whole units, rounded down;
/// each unit from one of the next).
pub fn human_duration(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds / 60),
        3600..=86_399 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86_400),
    }
}

// Howard Hinnant's civil-calendar algorithms (public domain), valid for every i64 day count
// a protobuf Timestamp can hold.
/// (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a (year, month, day).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The start (UTC) of the day a `YYYY-MM-DD` names, or None when it names no real day
/// (`2026-02-31` would otherwise come back as another date).
pub fn parse_date(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m as u32, d as u32)).then_some(Instant {
        seconds: days * 86_400,
        nanos: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_name_real_days() {
        assert_eq!(
            parse_date("2026-11-30").map(|i| i.to_rfc3339()).as_deref(),
            Some("2026-11-30T00:00:00Z")
        );
        for bad in [
            "2026-02-31",
            "2026-13-01",
            "26-11-30",
            "2026-1-300",
            "2026-11-3x",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_like_python_isoformat_in_utc() {
        assert_eq!(
            Instant {
                seconds: 0,
                nanos: 0
            }
            .to_rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Instant {
                seconds: 1_735_689_600,
                nanos: 0
            }
            .to_rfc3339(),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(
            Instant {
                seconds: 1_735_689_600,
                nanos: 245_654_000
            }
            .to_rfc3339(),
            "2025-01-01T00:00:00.245654Z"
        );
        assert_eq!(
            Instant {
                seconds: 1_735_689_600,
                nanos: 1
            }
            .to_rfc3339(),
            "2025-01-01T00:00:00.000000001Z"
        );
        assert_eq!(
            Instant {
                seconds: -1,
                nanos: 0
            }
            .to_rfc3339(),
            "1969-12-31T23:59:59Z"
        );
        assert_eq!(
            Instant {
                seconds: 951_782_400,
                nanos: 0
            }
            .to_rfc3339(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn parses_what_it_formats_and_offsets() {
        for secs in [-86_401_i64, 0, 951_782_400, 1_735_689_600, 4_102_444_800] {
            for nanos in [0, 5_000, 123_456_789] {
                let t = Instant {
                    seconds: secs,
                    nanos,
                };
                assert_eq!(Instant::parse_rfc3339(&t.to_rfc3339()), Some(t));
            }
        }
        assert_eq!(
            Instant::parse_rfc3339("2025-01-01T02:00:00+02:00"),
            Instant::parse_rfc3339("2025-01-01T00:00:00Z")
        );
        assert_eq!(
            Instant::parse_rfc3339("2025-01-01T00:00:00.5Z").map(|t| t.nanos),
            Some(500_000_000)
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2025",
            "2025-13-01T00:00:00Z",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00.Z",
            "x025-01-01T00:00:00Z",
            "2025-01-01T00:00:00+0200",
        ] {
            assert_eq!(Instant::parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(Instant::new(0, -1), None);
        assert_eq!(Instant::new(0, 1_000_000_000), None);
    }
}

#[cfg(test)]
mod human_tests {
    use super::*;

    #[test]
    fn units_switch_at_the_minute_hour_and_day() {
        assert_eq!(human_duration(59), "59 s");
        assert_eq!(human_duration(60), "1 min");
        assert_eq!(human_duration(3599), "59 min");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(86_399), "23 h");
        assert_eq!(human_duration(2 * 86_400), "2 d");
    }

    #[test]
    fn utc_dates_from_millis() {
        assert_eq!(utc_from_millis(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            utc_from_millis(1_795_710_605_000),
            "2026-11-26 16:30:05 UTC"
        );
        assert_eq!(
            utc_from_millis(1_795_000_000_000),
            "2026-11-18 11:06:40 UTC"
        );
        assert_eq!(utc_from_millis(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_from_millis(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn civil_round_trips() {
        for days in [-719_468, -1, 0, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }
}
