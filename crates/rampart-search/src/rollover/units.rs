//! Elasticsearch's time values (`7d`, `90m`) and byte sizes (`50gb`, `1.5mb`): parsed with its
//! rules and error messages, rendered as its `toString` renders them in condition labels
//! (the largest unit with at most one truncated decimal: `90m` → `1.5h`, `1536kb` → `1.5mb`).

use super::ParseFailure;

const ILLEGAL: &str = "illegal_argument_exception";
const PARSE: &str = "parse_exception";

/// A duration as written: an amount of a unit (in nanoseconds per unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeValue {
    duration: i64,
    unit_nanos: i64,
}

const NANOS_PER_MILLI: i128 = 1_000_000;

impl TimeValue {
    /// ES's `TimeValue.parseTimeValue(value, setting)`.
    pub fn parse(value: &str, setting: &str) -> Result<Self, ParseFailure> {
        let normalized = value.to_lowercase();
        let normalized = normalized.trim();
        const UNITS: [(&str, i64); 4] = [
            ("nanos", 1),
            ("micros", 1_000),
            ("ms", 1_000_000),
            ("s", 1_000_000_000),
        ];
        for (suffix, unit_nanos) in UNITS {
            if normalized.ends_with(suffix) {
                return Self::amount(value, normalized, suffix, setting, unit_nanos);
            }
        }
        // Minutes are case-sensitive: `M` would be months.
        if value.ends_with('m') {
            return Self::amount(value, normalized, "m", setting, 60_000_000_000);
        }
        if normalized.ends_with('h') {
            return Self::amount(value, normalized, "h", setting, 3_600_000_000_000);
        }
        if normalized.ends_with('d') {
            return Self::amount(value, normalized, "d", setting, 86_400_000_000_000);
        }
        let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b == b'0');
        if let Some(zeros) = normalized
            .strip_prefix('-')
            .and_then(|rest| rest.strip_suffix('1'))
            && digits(zeros, 0)
        {
            return Ok(TimeValue {
                duration: -1,
                unit_nanos: 1_000_000,
            });
        }
        if digits(normalized, 1) {
            return Ok(TimeValue {
                duration: 0,
                unit_nanos: 1_000_000,
            });
        }
        Err(ParseFailure::new(
            ILLEGAL,
            format!(
                "failed to parse setting [{setting}] with value [{value}] as a time value: unit is missing or unrecognized"
            ),
        ))
    }

    fn amount(
        value: &str,
        normalized: &str,
        suffix: &str,
        setting: &str,
        unit_nanos: i64,
    ) -> Result<Self, ParseFailure> {
        let number = normalized
            .get(..normalized.len() - suffix.len())
            .unwrap_or_default()
            .trim();
        match number.parse::<i64>() {
            Ok(duration) if duration < -1 => Err(ParseFailure::new(
                ILLEGAL,
                format!(
                    "failed to parse setting [{setting}] with value [{value}] as a time value: negative durations are not supported"
                ),
            )),
            Ok(duration) => Ok(TimeValue {
                duration,
                unit_nanos,
            }),
            Err(_) if number.parse::<f64>().is_ok() => Err(ParseFailure::new(
                ILLEGAL,
                format!("failed to parse [{value}], fractional time values are not supported"),
            )),
            Err(_) => Err(ParseFailure::new(
                ILLEGAL,
                format!("failed to parse [{value}]"),
            )),
        }
    }

    fn nanos(&self) -> i128 {
        i128::from(self.duration) * i128::from(self.unit_nanos)
    }

    /// Whole milliseconds (sub-millisecond parts truncated, as `getMillis`).
    pub fn millis(&self) -> i128 {
        self.nanos() / NANOS_PER_MILLI
    }
}

impl std::fmt::Display for TimeValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.duration < 0 {
            return write!(f, "{}", self.duration);
        }
        let nanos = self.nanos();
        if nanos == 0 {
            return f.write_str("0s");
        }
        const STEPS: [(i128, &str); 6] = [
            (86_400_000_000_000, "d"),
            (3_600_000_000_000, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "micros"),
        ];
        let (per, suffix) = STEPS
            .iter()
            .find(|(per, _)| nanos >= *per)
            .copied()
            .unwrap_or((1, "nanos"));
        write!(f, "{}{suffix}", one_decimal(nanos as f64 / per as f64))
    }
}

/// A size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub i64);

const KB: i64 = 1 << 10;
const BYTE_UNITS: [(&str, i64); 10] = [
    ("k", KB),
    ("kb", KB),
    ("m", KB << 10),
    ("mb", KB << 10),
    ("g", KB << 20),
    ("gb", KB << 20),
    ("t", KB << 30),
    ("tb", KB << 30),
    ("p", KB << 40),
    ("pb", KB << 40),
];

impl ByteSize {
    /// ES's `ByteSizeValue.parseBytesSizeValue(value, setting)`.
    pub fn parse(value: &str, setting: &str) -> Result<Self, ParseFailure> {
        match value {
            "0" | "0b" | "0B" => return Ok(ByteSize(0)),
            "1b" | "1B" => return Ok(ByteSize(1)),
            "-1" | "-1b" | "-1B" => return Ok(ByteSize(-1)),
            _ => {}
        }
        let lower = value.to_lowercase();
        let lower = lower.trim();
        let failed = |detail: &str| {
            ParseFailure::new(
                PARSE,
                format!("failed to parse setting [{setting}] with value [{value}]{detail}"),
            )
        };
        for (suffix, unit) in BYTE_UNITS {
            if !lower.ends_with(suffix) {
                continue;
            }
            let number = lower
                .get(..lower.len() - suffix.len())
                .unwrap_or_default()
                .trim();
            let unit_suffix = if suffix.len() == 1 {
                format!("{suffix}b")
            } else {
                suffix.to_string()
            };
            if let Ok(size) = number.parse::<i64>() {
                return Self::of(size, unit, &unit_suffix).map_err(|cause| {
                    cause.wrapped(PARSE, failed(" as a size in bytes").reason_text())
                });
            }
            return Self::decimal(number, unit).map_err(|problem| match problem {
                Decimal::Invalid => failed(""),
                Decimal::Negative => failed(""),
                Decimal::TooPrecise => ParseFailure::new(
                    PARSE,
                    format!(
                        "failed to parse setting [{setting}] with more than two decimals in value [{value}]"
                    ),
                ),
                Decimal::TooLarge => failed(" as a size in bytes"),
            });
        }
        if let Some(number) = lower.strip_suffix('b') {
            return match number.trim().parse::<i64>() {
                Ok(size) => Self::of(size, 1, "b").map_err(|cause| {
                    cause.wrapped(PARSE, failed(" as a size in bytes").reason_text())
                }),
                Err(_) => Err(failed("")),
            };
        }
        Err(ParseFailure::new(
            PARSE,
            format!(
                "failed to parse setting [{setting}] with value [{value}] as a size in bytes: unit is missing or unrecognized"
            ),
        ))
    }

    fn of(size: i64, unit: i64, suffix: &str) -> Result<Self, ParseFailure> {
        if size < -1 || (size == -1 && unit != 1) {
            return Err(ParseFailure::new(
                ILLEGAL,
                format!("Values less than -1 bytes are not supported: {size}{suffix}"),
            ));
        }
        size.checked_mul(unit).map(ByteSize).ok_or_else(|| {
            ParseFailure::new(
                ILLEGAL,
                format!(
                    "Values greater than {} bytes are not supported: {size}{suffix}",
                    i64::MAX
                ),
            )
        })
    }

    /// A decimal amount (at most two decimals) of `unit`, rounded up to whole bytes.
    fn decimal(number: &str, unit: i64) -> Result<Self, Decimal> {
        let unsigned = number.strip_prefix('+').unwrap_or(number);
        if let Some(magnitude) = unsigned.strip_prefix('-') {
            return if plain_decimal(magnitude) {
                Err(Decimal::Negative)
            } else {
                Err(Decimal::Invalid)
            };
        }
        if !plain_decimal(unsigned) {
            return Err(Decimal::Invalid);
        }
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        if fraction.len() > 2 {
            return Err(Decimal::TooPrecise);
        }
        let scale = 10u128.pow(u32::try_from(fraction.len()).unwrap_or(0));
        let digits: u128 = format!("{whole}{fraction}")
            .parse()
            .map_err(|_| Decimal::TooLarge)?;
        let bytes = (digits * u128::try_from(unit).unwrap_or(0)).div_ceil(scale);
        i64::try_from(bytes)
            .map(ByteSize)
            .map_err(|_| Decimal::TooLarge)
    }

    pub fn bytes(&self) -> i64 {
        self.0
    }
}

enum Decimal {
    Invalid,
    Negative,
    TooPrecise,
    TooLarge,
}

/// Digits with at most one `.` and at least one digit.
fn plain_decimal(s: &str) -> bool {
    let mut dots = 0;
    let mut digits = 0;
    for b in s.bytes() {
        match b {
            b'.' => dots += 1,
            b'0'..=b'9' => digits += 1,
            _ => return false,
        }
    }
    dots <= 1 && digits > 0
}

impl std::fmt::Display for ByteSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const STEPS: [(i64, &str); 5] = [
            (KB << 40, "pb"),
            (KB << 30, "tb"),
            (KB << 20, "gb"),
            (KB << 10, "mb"),
            (KB, "kb"),
        ];
        let (per, suffix) = STEPS
            .iter()
            .find(|(per, _)| self.0 >= *per)
            .copied()
            .unwrap_or((1, "b"));
        write!(f, "{}{suffix}", one_decimal(self.0 as f64 / per as f64))
    }
}

/// The shortest decimal form of `value` cut after its first decimal, which is dropped when
/// it is `0` (as ES's `format1Decimals` and `toHumanReadableString(1)`).
fn one_decimal(value: f64) -> String {
    let text = format!("{value}");
    match text.split_once('.') {
        Some((whole, fraction)) => match fraction.chars().next() {
            Some(d) if d != '0' => format!("{whole}.{d}"),
            _ => whole.to_string(),
        },
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_values_parse_and_render_like_elasticsearch() {
        let shown = |v: &str| TimeValue::parse(v, "max_age").unwrap().to_string();
        assert_eq!(shown("7d"), "7d");
        assert_eq!(shown("90m"), "1.5h");
        assert_eq!(shown("1000ms"), "1s");
        assert_eq!(shown("100ms"), "100ms");
        assert_eq!(shown("0"), "0s");
        assert_eq!(shown("-1"), "-1");
        assert_eq!(shown("36H"), "1.5d");
        assert_eq!(TimeValue::parse("2h", "x").unwrap().millis(), 7_200_000);
        let err = |v: &str| {
            TimeValue::parse(v, "max_age").unwrap_err().chain[0]
                .1
                .clone()
        };
        assert_eq!(
            err("5x"),
            "failed to parse setting [max_age] with value [5x] as a time value: unit is missing or unrecognized"
        );
        assert_eq!(
            err("5M"),
            "failed to parse setting [max_age] with value [5M] as a time value: unit is missing or unrecognized"
        );
        assert_eq!(
            err("1.5h"),
            "failed to parse [1.5h], fractional time values are not supported"
        );
        assert_eq!(
            err("-2d"),
            "failed to parse setting [max_age] with value [-2d] as a time value: negative durations are not supported"
        );
        assert_eq!(err("xd"), "failed to parse [xd]");
    }

    #[test]
    fn byte_sizes_parse_and_render_like_elasticsearch() {
        let parse = |v: &str| ByteSize::parse(v, "max_size").unwrap();
        assert_eq!(parse("5gb").bytes(), 5 << 30);
        assert_eq!(parse("5G").bytes(), 5 << 30);
        assert_eq!(parse("100b").bytes(), 100);
        assert_eq!(parse("1.5kb").bytes(), 1536);
        assert_eq!(parse("1.01kb").bytes(), 1035, "rounded up");
        assert_eq!(parse("5gb").to_string(), "5gb");
        assert_eq!(parse("1536kb").to_string(), "1.5mb");
        assert_eq!(parse("1500kb").to_string(), "1.4mb", "truncated");
        assert_eq!(parse("100b").to_string(), "100b");
        assert_eq!(parse("0").to_string(), "0b");
        let err = |v: &str| ByteSize::parse(v, "max_size").unwrap_err();
        assert_eq!(
            err("5").chain,
            vec![(
                PARSE,
                "failed to parse setting [max_size] with value [5] as a size in bytes: unit is missing or unrecognized".to_string()
            )]
        );
        assert_eq!(
            err("1.234kb").chain[0].1,
            "failed to parse setting [max_size] with more than two decimals in value [1.234kb]"
        );
        assert_eq!(
            err("abckb").chain[0].1,
            "failed to parse setting [max_size] with value [abckb]"
        );
        let negative = err("-5kb");
        assert_eq!(
            negative.chain[0].1,
            "failed to parse setting [max_size] with value [-5kb] as a size in bytes"
        );
        assert_eq!(
            negative.chain[1].1,
            "Values less than -1 bytes are not supported: -5kb"
        );
        assert_eq!(err("99999999999pb").chain[0].0, PARSE);
    }
}
