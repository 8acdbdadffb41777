//! Per-caller request budgets: a token bucket per key (an agent's user name, an
//! account, an address). Questions that confirm a person's number (lookups, phone
//! checks) and password guesses are worth nothing to an attacker in small numbers,
//! so a burst for the person's real work, then a slow trickle.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A budget: `burst` requests at once, then one every `every`.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub burst: u32,
    pub every: Duration,
}

/// A helpdesk agent looks up a few people per call: 30 at once, then one every 6 s
/// (600 an hour at most, against 100,000 guesses to confirm one masked phone).
pub const LOOKUPS: Budget = Budget { burst: 30, every: Duration::from_secs(6) };

/// Wrong passwords for one account: 10, then one every 30 s (a guesser gets 2,880
/// a day; the officer who mistyped waits half a minute).
pub const FAILED_LOGINS: Budget = Budget { burst: 10, every: Duration::from_secs(30) };

/// Logins from one address, right or wrong: an office's PCs behind one NAT log in
/// a few times an hour each.
pub const LOGINS_FROM: Budget = Budget { burst: 60, every: Duration::from_secs(5) };

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

/// The buckets of one budget. Kept in memory: a restarted server forgives, which
/// costs an attacker a restart they cannot cause.
#[derive(Debug)]
pub struct Throttle {
    budget: Budget,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Throttle {
    pub fn new(budget: Budget) -> Self {
        Self { budget, buckets: Mutex::new(HashMap::new()) }
    }

    /// Whether `key` has a request left, without taking it (a budget spent only on
    /// failures: a guesser cannot lock the officer out by guessing).
    pub fn allows(&self, key: &str, now: DateTime<Utc>) -> Result<(), Duration> {
        let per_second = 1.0 / self.budget.every.as_secs_f64();
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let Some(b) = buckets.get(key) else { return Ok(()) };
        let elapsed = (now - b.at).to_std().unwrap_or_default().as_secs_f64();
        let tokens = (b.tokens + elapsed * per_second).min(f64::from(self.budget.burst));
        if tokens >= 1.0 { Ok(()) } else { Err(Duration::from_secs_f64(((1.0 - tokens) / per_second).ceil().max(1.0))) }
    }

    /// Takes one request from `key`'s bucket, or says how long until one is back.
    pub fn take(&self, key: &str, now: DateTime<Utc>) -> Result<(), Duration> {
        let per_second = 1.0 / self.budget.every.as_secs_f64();
        let burst = f64::from(self.budget.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        // Full buckets say nothing: dropping them keeps the map as small as the
        // number of callers busy right now.
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| {
                let elapsed = (now - b.at).to_std().unwrap_or_default().as_secs_f64();
                b.tokens + elapsed * per_second < burst
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: burst, at: now });
        // A clock that went back refills nothing.
        let elapsed = (now - bucket.at).to_std().unwrap_or_default().as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(((1.0 - bucket.tokens) / per_second).ceil().max(1.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn a_burst_then_one_request_per_interval() {
        let t = Throttle::new(Budget { burst: 3, every: Duration::from_secs(10) });
        let start = DateTime::parse_from_rfc3339("2026-12-31T16:59:00Z").expect("time").to_utc();
        for _ in 0..3 {
            assert_eq!(t.take("hotro.07916", start), Ok(()));
        }
        assert_eq!(t.take("hotro.07916", start), Err(Duration::from_secs(10)));
        // Another caller has their own bucket.
        assert_eq!(t.take("hotro.07920", start), Ok(()));
        assert_eq!(t.take("hotro.07916", start + TimeDelta::seconds(4)), Err(Duration::from_secs(6)));
        assert_eq!(t.take("hotro.07916", start + TimeDelta::seconds(10)), Ok(()));
        assert!(t.take("hotro.07916", start + TimeDelta::seconds(11)).is_err());
        // Idle for an hour: the burst again, not 360 requests.
        let later = start + TimeDelta::hours(1);
        for _ in 0..3 {
            assert_eq!(t.take("hotro.07916", later), Ok(()));
        }
        assert!(t.take("hotro.07916", later).is_err());
        // A clock set back gives nothing back.
        assert!(t.take("hotro.07916", start).is_err());
    }
}
