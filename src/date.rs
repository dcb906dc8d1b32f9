//! Calendar dates for suppression expiry (`until=2027-06-30`): parsing, comparing, and today's
//! date in UTC from the system clock, without a date crate.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A day of the proleptic Gregorian calendar; ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Reads `YYYY-MM-DD`; `None` unless the text is exactly that and names a real day.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }

        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let digits = text.get(range)?;
            if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;

        let is_real_day =
            (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        is_real_day.then_some(Self { year, month, day })
    }

    /// Today in UTC, from the system clock; a clock before 1970 reads as 1970-01-01.
    pub fn today() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX);
        Self::from_days_since_epoch(days)
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Self {
        // Count in 400-year eras starting on 0000-03-01, so the leap day ends each era's year
        // and every month but February has a fixed place.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);

        Self {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).expect("a month is 1 to 12"),
            day: u8::try_from(day).expect("a day is 1 to 31"),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year, self.month, self.day
        )
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn real_days_parse_and_print_back() {
        for text in ["2027-06-30", "2024-02-29", "2000-02-29", "1999-12-31"] {
            let parsed = Date::parse(text).expect("a real day");

            assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn impossible_or_malformed_days_do_not_parse() {
        for text in [
            "2027-02-29",
            "1900-02-29",
            "2027-13-01",
            "2027-00-10",
            "2027-06-31",
            "2027-6-30",
            "27-06-30",
            "2027/06/30",
            "2027-06-3x",
            "+027-06-30",
            "",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn days_since_epoch_become_civil_dates() {
        assert_eq!(Date::from_days_since_epoch(0), date(1970, 1, 1));
        assert_eq!(Date::from_days_since_epoch(-1), date(1969, 12, 31));
        assert_eq!(Date::from_days_since_epoch(11_016), date(2000, 2, 29));
        assert_eq!(Date::from_days_since_epoch(19_782), date(2024, 2, 29));
        assert_eq!(Date::from_days_since_epoch(20_634), date(2026, 6, 30));
    }

    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = Date::from_days_since_epoch(-800);
        for days in -799..150_000 {
            let current = Date::from_days_since_epoch(days);

            assert!(current > previous, "{current} after {previous}");
            assert_eq!(Date::parse(&current.to_string()), Some(current));
            previous = current;
        }
    }

    #[test]
    fn dates_compare_chronologically() {
        assert!(date(2027, 6, 30) < date(2027, 7, 1));
        assert!(date(2026, 12, 31) < date(2027, 1, 1));
    }
}
