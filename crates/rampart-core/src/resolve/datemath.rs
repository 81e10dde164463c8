//! Date-math index names: `<static{now/d-1d{yyyy.MM.dd|+12:00}}static>`.
//!
//! Only expressions wrapped in `<…>` are date math. Inside, `{…}` is a placeholder holding a
//! date-math expression with an optional `{format|time_zone}`; `\` escapes `{`, `}` and itself.
//! Error texts (and their quirks, e.g. quoting the name with the trailing `>`) follow ES.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDateTime, NaiveTime, Utc};

use super::error::ResolveError;
use super::java_time::{JavaPattern, parse_zone};

const DEFAULT_FORMAT: &str = "uuuu.MM.dd";

/// Resolve a date-math name; any other expression is returned unchanged (borrowed).
pub fn resolve_date_math(
    expression: &str,
    now: DateTime<Utc>,
) -> Result<Cow<'_, str>, ResolveError> {
    let Some(inner) = expression
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
    else {
        return Ok(Cow::Borrowed(expression));
    };
    // ES quotes "the text after `<`", which still ends with `>`.
    let quoted = expression.get(1..).unwrap_or_default();
    let parse_err =
        |msg: String| ResolveError::DateMath(format!("invalid dynamic name expression [{msg}"));

    let mut out = String::new();
    let mut placeholder = String::new();
    let mut in_placeholder = false;
    let mut in_format = false;
    let mut escape = false;
    for (offset, c) in inner.chars().enumerate() {
        let position = offset + 1; // positions count from the `<`
        let escaped = std::mem::take(&mut escape);
        if c == '\\' {
            if escaped {
                out.push(c);
            } else {
                escape = true;
            }
            continue;
        }
        if in_placeholder {
            match c {
                '{' if in_format && escaped => placeholder.push(c),
                '{' if !in_format => {
                    in_format = true;
                    placeholder.push(c);
                }
                '{' => {
                    return Err(parse_err(format!(
                        "{quoted}]. invalid character in placeholder at position [{position}]"
                    )));
                }
                '}' if in_format && escaped => placeholder.push(c),
                '}' if in_format => {
                    in_format = false;
                    placeholder.push(c);
                }
                '}' => {
                    out.push_str(&evaluate_placeholder(&placeholder, now)?);
                    placeholder.clear();
                    in_placeholder = false;
                }
                _ => placeholder.push(c),
            }
        } else {
            match c {
                '{' if escaped => out.push(c),
                '{' => in_placeholder = true,
                '}' if !escaped => {
                    return Err(parse_err(format!(
                        "{quoted}]. invalid character at position [{position}]. `{{` and `}}` are reserved characters and should be escaped when used as part of the index name using `\\` (e.g. `\\{{text\\}}`)"
                    )));
                }
                _ => out.push(c),
            }
        }
    }
    if in_placeholder {
        return Err(parse_err(format!(
            "{quoted}]. date math placeholder is open ended"
        )));
    }
    if out.is_empty() {
        return Err(ResolveError::DateMath("nothing captured".to_owned()));
    }
    Ok(Cow::Owned(out))
}

/// Evaluate `math` or `math{format}` or `math{format|zone}`.
fn evaluate_placeholder(placeholder: &str, now: DateTime<Utc>) -> Result<String, ResolveError> {
    let (math, format, zone) = match placeholder.find('{') {
        None => (placeholder, DEFAULT_FORMAT, None),
        Some(open) => {
            if placeholder.rfind('}') != Some(placeholder.len().saturating_sub(1)) {
                return Err(ResolveError::DateMath(format!(
                    "invalid dynamic name expression [{placeholder}]. missing closing `}}` for date math format"
                )));
            }
            if open + 2 == placeholder.len() {
                return Err(ResolveError::DateMath(format!(
                    "invalid dynamic name expression [{placeholder}]. missing date format"
                )));
            }
            let math = placeholder.get(..open).unwrap_or_default();
            let spec = placeholder
                .get(open + 1..placeholder.len() - 1)
                .unwrap_or_default();
            match spec.split_once('|') {
                Some((format, zone)) => (math, format, Some(zone)),
                None => (math, spec, None),
            }
        }
    };
    let pattern = JavaPattern::parse(format)?;
    let zone = match zone {
        Some(id) => parse_zone(id)?,
        None => FixedOffset::east_opt(0)
            .ok_or_else(|| ResolveError::DateFormat("bad UTC offset".to_owned()))?,
    };
    let Some(ops) = math.strip_prefix("now") else {
        return Err(ResolveError::DateMath(format!(
            "failed to parse date field [{math}] with format [{format}]"
        )));
    };
    let local = now.with_timezone(&zone).naive_local();
    Ok(pattern.format(&apply_math(ops, local)?))
}

/// Apply `+1d`, `-2h`, `/M`… left to right, in local time.
fn apply_math(ops: &str, mut time: NaiveDateTime) -> Result<NaiveDateTime, ResolveError> {
    let err = |msg: &str| ResolveError::DateMath(format!("{msg} [{ops}]"));
    let chars: Vec<char> = ops.chars().collect();
    let mut i = 0;
    while let Some(&op) = chars.get(i) {
        i += 1;
        let (round, sign) = match op {
            '/' => (true, 1i64),
            '+' => (false, 1),
            '-' => (false, -1),
            _ => return Err(err("operator not supported for date math")),
        };
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        let digits: String = chars.get(start..i).unwrap_or_default().iter().collect();
        let num: i64 = if digits.is_empty() {
            1
        } else {
            digits.parse().map_err(|_| err("truncated date math"))?
        };
        let Some(&unit) = chars.get(i) else {
            return Err(err("truncated date math"));
        };
        i += 1;
        if round && num != 1 {
            return Err(err("rounding `/` can only be used on single unit types"));
        }
        time = if round {
            round_down(time, unit)
        } else {
            add(time, unit, sign * num)
        }
        .ok_or_else(|| match unit {
            'y' | 'M' | 'w' | 'd' | 'h' | 'H' | 'm' | 's' => err("date math out of range"),
            _ => {
                ResolveError::DateMath(format!("unit [{unit}] not supported for date math [{ops}]"))
            }
        })?;
    }
    Ok(time)
}

fn round_down(time: NaiveDateTime, unit: char) -> Option<NaiveDateTime> {
    let date = time.date();
    let midnight = NaiveTime::MIN;
    match unit {
        'y' => Some(date.with_ordinal(1)?.and_time(midnight)),
        'M' => Some(date.with_day(1)?.and_time(midnight)),
        'w' => {
            let back = i64::from(date.weekday().num_days_from_monday());
            Some((date - Duration::days(back)).and_time(midnight))
        }
        'd' => Some(date.and_time(midnight)),
        'h' | 'H' => date.and_hms_opt(chrono::Timelike::hour(&time), 0, 0),
        'm' => date.and_hms_opt(
            chrono::Timelike::hour(&time),
            chrono::Timelike::minute(&time),
            0,
        ),
        's' => date.and_hms_opt(
            chrono::Timelike::hour(&time),
            chrono::Timelike::minute(&time),
            chrono::Timelike::second(&time),
        ),
        _ => None,
    }
}

fn add(time: NaiveDateTime, unit: char, amount: i64) -> Option<NaiveDateTime> {
    let months = |n: i64| {
        let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n >= 0 {
            time.checked_add_months(m)
        } else {
            time.checked_sub_months(m)
        }
    };
    match unit {
        'y' => months(amount.checked_mul(12)?),
        'M' => months(amount),
        'w' => time.checked_add_signed(Duration::try_weeks(amount)?),
        'd' => time.checked_add_signed(Duration::try_days(amount)?),
        'h' | 'H' => time.checked_add_signed(Duration::try_hours(amount)?),
        'm' => time.checked_add_signed(Duration::try_minutes(amount)?),
        's' => time.checked_add_signed(Duration::try_seconds(amount)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
