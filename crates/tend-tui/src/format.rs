//! Short texts of numbers and records: ages, durations, sizes, results.

pub(crate) use tend_core::display::{result_text as result, short_age as age};
use tend_core::{Task, Timestamp};

/// A duration in at most two units: `850ms`, `12s`, `3m04s`, `1h02m`, `2d03h`.
pub(crate) fn duration(millis: u64) -> String {
    let seconds = millis / 1000;
    match seconds {
        0 => format!("{millis}ms"),
        1..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        3600..86_400 => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{}d{:02}h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

/// How long a task ran: from its start to its end (or to `now` while it runs); `-` when it
/// never started.
pub(crate) fn ran(task: &Task, now: Timestamp) -> String {
    match (task.started_at, task.finished_at) {
        (Some(start), Some(end)) => duration(end.millis_since(start)),
        (Some(start), None) if task.is_live() => duration(now.millis_since(start)),
        _ => "-".to_owned(),
    }
}

/// A byte count: `512 B`, `1.5 KiB`, `10.0 MiB`, `2.1 GiB`.
pub(crate) fn bytes(count: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if count < 1024 {
        return format!("{count} B");
    }
    let mut value = count as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(age(59_999), "59s");
        assert_eq!(age(7_200_000), "2h");
        assert_eq!(duration(850), "850ms");
        assert_eq!(duration(184_000), "3m04s");
        assert_eq!(duration(3_720_000), "1h02m");
        assert_eq!(duration(183_600_000), "2d03h");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(10 << 20), "10.0 MiB");
    }
}
