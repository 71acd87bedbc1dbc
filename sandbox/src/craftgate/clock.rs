//! The simulator's clock: Istanbul local time (UTC+3, as Craftgate's dates are), shiftable
//! by tests so that a payment can reach the next day and be refunded instead of cancelled.

// Dates derived from the clock decide settlement and refunds; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Mutex;

use time::macros::{format_description, offset};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// A wall clock with a test-controlled offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// Moves the clock forward (or back, with a negative duration).
    pub(crate) fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        // Saturating: a test shifting the clock by centuries gets the last instant.
        *offset = offset.saturating_add(by);
    }

    /// Now, in Istanbul local time.
    pub(crate) fn now(&self) -> PrimitiveDateTime {
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        let local = OffsetDateTime::now_utc()
            .saturating_add(offset)
            .to_offset(offset!(+3));
        PrimitiveDateTime::new(local.date(), local.time())
    }

    /// Unix seconds of [`Clock::now`].
    pub(crate) fn unix_now(&self) -> i64 {
        self.now().assume_offset(offset!(+3)).unix_timestamp()
    }
}

/// Craftgate's date format: `2020-09-11T10:00:00`, no zone.
pub(crate) fn format(at: PrimitiveDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_the_date() {
        let clock = Clock::default();
        let today = clock.now().date();
        clock.advance(Duration::days(1));
        assert_eq!(clock.now().date(), today.next_day().unwrap());
        assert_eq!(format(clock.now()).len(), 19);
    }
}
