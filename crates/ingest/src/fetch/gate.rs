//! Politeness: one request at a time per host, a minimum delay between the
//! end of one request and the start of the next to the same host, and a
//! small global limit on requests in flight.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Hosts not used for this long are forgotten (the map stays small).
const FORGET_AFTER: Duration = Duration::from_secs(600);

/// The state of one host.
struct Host {
    /// A request to the host is in flight.
    busy: bool,
    /// The earliest start of the next request.
    ready_at: Instant,
}

struct State {
    hosts: HashMap<String, Host>,
    /// Longer delays asked by hosts (robots.txt `Crawl-delay`).
    delays: HashMap<String, Duration>,
    in_flight: usize,
}

/// The shared gate every request passes through. `Sync`: the fetcher's
/// worker threads share one.
pub(crate) struct Gate {
    delay: Duration,
    max_in_flight: usize,
    state: Mutex<State>,
    changed: Condvar,
}

/// The right to send one request to a host; dropping it frees the host
/// (which becomes ready again after the delay) and a global slot.
pub(crate) struct Permit<'a> {
    gate: &'a Gate,
    host: String,
}

impl Gate {
    /// A gate with `delay` between requests to one host and at most
    /// `max_in_flight` requests at once (at least 1).
    pub(crate) fn new(delay: Duration, max_in_flight: usize) -> Gate {
        Gate {
            delay,
            max_in_flight: max_in_flight.max(1),
            state: Mutex::new(State {
                hosts: HashMap::new(),
                delays: HashMap::new(),
                in_flight: 0,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (plain
        // assignments only): carry on.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until `host` is free and ready and a global slot is free, then
    /// takes both.
    pub(crate) fn acquire(&self, host: &str) -> Permit<'_> {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            let in_flight = state.in_flight;
            let entry = state.hosts.entry(host.to_string()).or_insert(Host {
                busy: false,
                ready_at: now,
            });
            if !entry.busy && entry.ready_at <= now && in_flight < self.max_in_flight {
                entry.busy = true;
                state.in_flight += 1;
                return Permit {
                    gate: self,
                    host: host.to_string(),
                };
            }
            let wait = (!entry.busy && in_flight < self.max_in_flight)
                .then(|| entry.ready_at.saturating_duration_since(now));
            state = match wait {
                Some(wait) => {
                    self.changed
                        .wait_timeout(state, wait)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0
                }
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            };
        }
    }

    /// Sets a host's own delay (its robots.txt `Crawl-delay`); the gate's
    /// delay still applies when it is longer.
    pub(crate) fn set_host_delay(&self, host: &str, delay: Duration) {
        self.lock().delays.insert(host.to_string(), delay);
    }

    fn release(&self, host: &str) {
        let mut state = self.lock();
        let now = Instant::now();
        state.in_flight = state.in_flight.saturating_sub(1);
        let delay = state
            .delays
            .get(host)
            .map_or(self.delay, |d| (*d).max(self.delay));
        if let Some(entry) = state.hosts.get_mut(host) {
            entry.busy = false;
            entry.ready_at = now + delay;
        }
        if state.hosts.len() > 1024 {
            state
                .hosts
                .retain(|_, h| h.busy || h.ready_at + FORGET_AFTER > now);
        }
        drop(state);
        self.changed.notify_all();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.gate.release(&self.host);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn one_host_waits_for_the_delay_other_hosts_do_not() {
        let gate = Arc::new(Gate::new(Duration::from_millis(150), 4));
        let first = Instant::now();
        drop(gate.acquire("a.example"));
        let other = gate.acquire("b.example");
        // A different host is not delayed by a's pause (no assertion on
        // speed: only on what the gate makes wait).
        drop(other);
        drop(gate.acquire("a.example"));
        assert!(first.elapsed() >= Duration::from_millis(150));
    }

    #[test]
    fn global_limit_blocks_until_a_slot_frees() {
        let gate = Arc::new(Gate::new(Duration::ZERO, 1));
        let held = gate.acquire("a.example");
        let started = Arc::new(Mutex::new(None));
        let thread = {
            let gate = Arc::clone(&gate);
            let started = Arc::clone(&started);
            std::thread::spawn(move || {
                let _permit = gate.acquire("b.example");
                *started.lock().unwrap() = Some(Instant::now());
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(started.lock().unwrap().is_none(), "the slot was taken");
        let released = Instant::now();
        drop(held);
        thread.join().unwrap();
        assert!(started.lock().unwrap().unwrap() >= released);
    }
}
