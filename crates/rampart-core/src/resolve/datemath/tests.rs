use super::*;
use crate::error::EsError;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 22, 30, 15).unwrap()
}

fn r(expr: &str) -> String {
    resolve_date_math(expr, now()).unwrap().into_owned()
}

fn err(expr: &str) -> ResolveError {
    resolve_date_math(expr, now()).unwrap_err()
}

#[test]
fn plain_names_pass_through_borrowed() {
    assert!(matches!(
        resolve_date_math("logs-a", now()).unwrap(),
        Cow::Borrowed("logs-a")
    ));
    assert_eq!(r("<logs"), "<logs");
    assert_eq!(r("logs>"), "logs>");
}

#[test]
fn default_format_is_year_month_day() {
    assert_eq!(r("<logs-{now/d}>"), "logs-2024.05.01");
    assert_eq!(r("<logs-{now}>"), "logs-2024.05.01");
    assert_eq!(r("<logs-{now/M}>"), "logs-2024.05.01");
    assert_eq!(r("<logs-{now/y}>"), "logs-2024.01.01");
}

#[test]
fn arithmetic_and_rounding() {
    assert_eq!(r("<logs-{now/d-1d}>"), "logs-2024.04.30");
    assert_eq!(r("<logs-{now-1M/M}>"), "logs-2024.04.01");
    assert_eq!(r("<logs-{now+2h{yyyy.MM.dd.HH}}>"), "logs-2024.05.02.00");
    assert_eq!(r("<logs-{now/w}>"), "logs-2024.04.29");
    assert_eq!(r("<logs-{now/h{HH:mm:ss}}>"), "logs-22:00:00");
    assert_eq!(r("<logs-{now-10m/m{HH:mm:ss}}>"), "logs-22:20:00");
    assert_eq!(r("<logs-{now+d}>"), "logs-2024.05.02");
    assert_eq!(r("<logs-{now-1y}>"), "logs-2023.05.01");
}

#[test]
fn custom_format_and_time_zone() {
    assert_eq!(r("<logs-{now/M{yyyy.MM}}>"), "logs-2024.05");
    assert_eq!(r("<logs-{now/M{YYYY.MM}}>"), "logs-2024.05");
    assert_eq!(r("<logs-{now/d{yyyy.MM.dd|+12:00}}>"), "logs-2024.05.02");
    assert_eq!(r("<logs-{now/d{yyyy.MM.dd|-05:00}}>"), "logs-2024.05.01");
    assert_eq!(r("<a-{now/d}-b-{now/M{MM}}>"), "a-2024.05.01-b-05");
}

#[test]
fn escapes_make_braces_literal() {
    assert_eq!(r("<logs-\\{x\\}-{now/d}>"), "logs-{x}-2024.05.01");
    assert_eq!(r("<logs-\\\\-{now/d}>"), "logs-\\-2024.05.01");
}

#[test]
fn malformed_names_use_es_messages() {
    assert_eq!(
        err("<logs-}>").to_string(),
        "invalid dynamic name expression [logs-}>]. invalid character at position [6]. `{` and `}` are reserved \
         characters and should be escaped when used as part of the index name using `\\` (e.g. `\\{text\\}`)"
    );
    assert_eq!(
        err("<logs-{now/d>").to_string(),
        "invalid dynamic name expression [logs-{now/d>]. date math placeholder is open ended"
    );
    assert_eq!(
        err("<logs-{now/d{yyyy{}}>").to_string(),
        "invalid dynamic name expression [logs-{now/d{yyyy{}}>]. invalid character in placeholder at position [17]"
    );
    assert_eq!(
        err("<logs-{now/d{}}>").to_string(),
        "invalid dynamic name expression [now/d{}]. missing date format"
    );
    assert_eq!(r("<{now/d}>"), "2024.05.01");
    let e = err("<>");
    assert_eq!(
        (e.to_string().as_str(), e.es_type(), e.status()),
        ("nothing captured", "parse_exception", 400)
    );
}

#[test]
fn bad_math_uses_es_messages() {
    assert_eq!(
        err("<l-{now/2d}>").to_string(),
        "rounding `/` can only be used on single unit types [/2d]"
    );
    assert_eq!(err("<l-{now+1}>").to_string(), "truncated date math [+1]");
    assert_eq!(err("<l-{now-}>").to_string(), "truncated date math [-]");
    assert_eq!(
        err("<l-{now*1d}>").to_string(),
        "operator not supported for date math [*1d]"
    );
    assert_eq!(
        err("<l-{now+1x}>").to_string(),
        "unit [x] not supported for date math [+1x]"
    );
    assert_eq!(
        err("<l-{2024||+1d}>").to_string(),
        "failed to parse date field [2024||+1d] with format [uuuu.MM.dd]"
    );
}

#[test]
fn bad_format_or_zone_is_an_illegal_argument() {
    let e = err("<l-{now/d{yyyy.qq}}>");
    assert_eq!(
        e.to_string(),
        "Invalid format: [yyyy.qq]: Unknown pattern letter: q"
    );
    assert_eq!(e.es_type(), "illegal_argument_exception");
    assert_eq!(
        err("<l-{now/d{yyyy|Mars/Base}}>").to_string(),
        "Unknown time-zone ID: Mars/Base"
    );
}
