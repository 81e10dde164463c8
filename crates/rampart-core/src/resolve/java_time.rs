//! The subset of Java `DateTimeFormatter` patterns used in date-math index names
//! (`{now/M{yyyy.MM}}`), plus fixed-offset time zones (`|+12:00`).
//!
//! Elasticsearch formats with Java's formatter and the ROOT locale; we support the letters that
//! make sense in index names and reject unknown letters with ES's message.

use chrono::{Datelike, FixedOffset, NaiveDateTime, Timelike};

use super::error::ResolveError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Field(char, usize),
}

/// A parsed pattern, validated up front so errors surface before any date math runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JavaPattern {
    tokens: Vec<Token>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Most letters each field accepts (Java rejects longer runs).
fn max_width(letter: char) -> Option<usize> {
    match letter {
        'y' | 'u' | 'Y' => Some(19),
        'M' | 'L' => Some(5),
        'd' | 'H' | 'h' | 'm' | 's' | 'w' => Some(2),
        'D' => Some(3),
        'S' => Some(9),
        'E' => Some(5),
        'a' => Some(1),
        _ => None,
    }
}

fn invalid(pattern: &str, detail: String) -> ResolveError {
    ResolveError::DateFormat(format!("Invalid format: [{pattern}]: {detail}"))
}

impl JavaPattern {
    /// Parse a pattern such as `uuuu.MM.dd` or `yyyy-'w'ww`.
    pub(super) fn parse(pattern: &str) -> Result<Self, ResolveError> {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    literal.push('\'');
                    continue;
                }
                let mut closed = false;
                while let Some(q) = chars.next() {
                    if q == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                            literal.push('\'');
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        literal.push(q);
                    }
                }
                if !closed {
                    return Err(invalid(
                        pattern,
                        format!("Pattern ends with an incomplete string literal: {pattern}"),
                    ));
                }
            } else if c.is_ascii_alphabetic() {
                let mut count = 1;
                while chars.peek() == Some(&c) {
                    chars.next();
                    count += 1;
                }
                let max = max_width(c)
                    .ok_or_else(|| invalid(pattern, format!("Unknown pattern letter: {c}")))?;
                if count > max {
                    return Err(invalid(pattern, format!("Too many pattern letters: {c}")));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                tokens.push(Token::Field(c, count));
            } else if matches!(c, '{' | '}' | '#') {
                return Err(invalid(
                    pattern,
                    format!("Pattern includes reserved character: '{c}'"),
                ));
            } else if matches!(c, '[' | ']') {
                // Optional sections: everything we format is always present, so print them.
            } else {
                literal.push(c);
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(JavaPattern { tokens })
    }

    /// Format a local date-time.
    pub(super) fn format(&self, dt: &NaiveDateTime) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(text) => out.push_str(text),
                Token::Field(letter, count) => push_field(&mut out, *letter, *count, dt),
            }
        }
        out
    }
}

fn push_number(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", value.unsigned_abs(), width = width));
}

fn push_year(out: &mut String, year: i64, count: usize) {
    if count == 2 {
        push_number(out, year.rem_euclid(100), 2);
    } else {
        push_number(out, year, count);
    }
}

fn push_text(out: &mut String, full: &str, count: usize) {
    match count {
        4 => out.push_str(full),
        5 => out.push_str(full.get(..1).unwrap_or(full)),
        _ => out.push_str(full.get(..3).unwrap_or(full)),
    }
}

fn push_field(out: &mut String, letter: char, count: usize, dt: &NaiveDateTime) {
    match letter {
        'y' | 'u' => push_year(out, i64::from(dt.year()), count),
        'Y' => push_year(out, i64::from(dt.iso_week().year()), count),
        'M' | 'L' if count >= 3 => {
            let name = MONTHS.get(dt.month0() as usize).copied().unwrap_or("");
            push_text(out, name, count);
        }
        'M' | 'L' => push_number(out, i64::from(dt.month()), count),
        'd' => push_number(out, i64::from(dt.day()), count),
        'D' => push_number(out, i64::from(dt.ordinal()), count),
        'H' => push_number(out, i64::from(dt.hour()), count),
        'h' => push_number(out, i64::from(dt.hour12().1), count),
        'm' => push_number(out, i64::from(dt.minute()), count),
        's' => push_number(out, i64::from(dt.second()), count),
        'w' => push_number(out, i64::from(dt.iso_week().week()), count),
        'S' => {
            let nanos = format!("{:09}", dt.nanosecond() % 1_000_000_000);
            out.push_str(nanos.get(..count).unwrap_or(&nanos));
        }
        'E' => {
            let name = DAYS
                .get(dt.weekday().num_days_from_monday() as usize)
                .copied()
                .unwrap_or("");
            push_text(out, name, if count <= 3 { 3 } else { count });
        }
        'a' => out.push_str(if dt.hour12().0 { "PM" } else { "AM" }),
        _ => {}
    }
}

/// Parse a time zone id. Only fixed offsets are supported (`Z`, `UTC`, `+01:00`, `-0530`,
/// `UTC+2`…): region ids need a tz database, which the engine does not embed.
pub(super) fn parse_zone(id: &str) -> Result<FixedOffset, ResolveError> {
    let unknown = || ResolveError::DateFormat(format!("Unknown time-zone ID: {id}"));
    let offset = ["UTC", "GMT", "UT"]
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .unwrap_or(id);
    if offset.is_empty() || (offset == "Z" && id == "Z") {
        return FixedOffset::east_opt(0).ok_or_else(unknown);
    }
    let (sign, digits) = match offset.split_at_checked(1) {
        Some(("+", rest)) => (1, rest),
        Some(("-", rest)) => (-1, rest),
        _ => return Err(unknown()),
    };
    let parts: Vec<&str> = if digits.contains(':') {
        digits.split(':').collect()
    } else {
        // `+h`, `+hh`, `+hhmm`, `+hhmmss`
        let mut v = Vec::new();
        let mut rest = digits;
        let first = if rest.len() % 2 == 1 {
            1
        } else {
            2.min(rest.len())
        };
        let (h, r) = rest.split_at_checked(first).ok_or_else(unknown)?;
        v.push(h);
        rest = r;
        while let Some((chunk, r)) = rest
            .split_at_checked(2.min(rest.len()))
            .filter(|(c, _)| !c.is_empty())
        {
            v.push(chunk);
            rest = r;
        }
        v
    };
    let mut seconds = 0i32;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) || i > 2 {
            return Err(unknown());
        }
        let value: i32 = part.parse().map_err(|_| unknown())?;
        let limit = if i == 0 { 18 } else { 59 };
        if value > limit {
            return Err(unknown());
        }
        seconds += value * [3600, 60, 1].get(i).copied().unwrap_or(0);
    }
    FixedOffset::east_opt(sign * seconds).ok_or_else(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn dt() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 5, 1)
            .unwrap()
            .and_hms_milli_opt(7, 8, 9, 123)
            .unwrap()
    }

    fn fmt(p: &str) -> String {
        JavaPattern::parse(p).unwrap().format(&dt())
    }

    #[test]
    fn common_letters_format_like_java() {
        assert_eq!(fmt("uuuu.MM.dd"), "2024.05.01");
        assert_eq!(fmt("yyyy.MM"), "2024.05");
        assert_eq!(fmt("yy-M-d"), "24-5-1");
        assert_eq!(fmt("HH:mm:ss.SSS"), "07:08:09.123");
        assert_eq!(fmt("yyyy-'w'ww"), "2024-w18");
        assert_eq!(fmt("MMM MMMM EEE"), "May May Wed");
        assert_eq!(fmt("'it''s' D"), "it's 122");
    }

    #[test]
    fn unknown_letters_and_reserved_chars_are_rejected() {
        let err = JavaPattern::parse("yyyy.qq").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid format: [yyyy.qq]: Unknown pattern letter: q"
        );
        assert_eq!(
            JavaPattern::parse("ddd").unwrap_err().to_string(),
            "Invalid format: [ddd]: Too many pattern letters: d"
        );
        assert!(JavaPattern::parse("'open").is_err());
        assert!(JavaPattern::parse("yyyy{").is_err());
    }

    #[test]
    fn fixed_offsets_parse_and_region_ids_do_not() {
        assert_eq!(parse_zone("+12:00").unwrap().local_minus_utc(), 12 * 3600);
        assert_eq!(
            parse_zone("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 30 * 60)
        );
        assert_eq!(
            parse_zone("+0530").unwrap().local_minus_utc(),
            5 * 3600 + 30 * 60
        );
        assert_eq!(parse_zone("+2").unwrap().local_minus_utc(), 7200);
        assert_eq!(parse_zone("UTC+01:00").unwrap().local_minus_utc(), 3600);
        assert_eq!(parse_zone("Z").unwrap().local_minus_utc(), 0);
        assert_eq!(parse_zone("UTC").unwrap().local_minus_utc(), 0);
        assert_eq!(
            parse_zone("Europe/Paris").unwrap_err().to_string(),
            "Unknown time-zone ID: Europe/Paris"
        );
        assert!(parse_zone("+25:00").is_err());
        assert!(parse_zone("+").is_err());
    }
}
