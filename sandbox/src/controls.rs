//! Test controls shared by every simulator: fault injection and the request log.

// Fault counts and log sizes are counted here; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::ledger::Ledger;

/// A failure the simulator can play instead of (or on top of) a normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long before handling the request; if the client is still there, the
    /// request is then handled normally. Longer than the client's time-out, this is a
    /// time-out in which the request may never have been processed.
    Delay(Duration),
    /// Waits this long, then cuts the connection without handling the request: longer
    /// than the client's time-out, a time-out in which the request was certainly never
    /// processed (a request lost before the provider's application saw it).
    TimeoutBeforeProcessing(Duration),
    /// Handles the request normally (state changes and ledger entries happen), then waits
    /// this long before answering: a time-out after the effect.
    DelayAfterProcessing(Duration),
    /// Handles the request normally, then cuts the connection without a complete answer.
    DropAfterProcessing,
    /// Answers with this 5xx status and an HTML page, as a failing proxy does, without
    /// handling the request.
    HtmlServerError(u16),
    /// Handles the request, then answers with this 5xx status and an HTML page.
    HtmlServerErrorAfterProcessing(u16),
    /// Handles the request, then answers 200 with a body that is not JSON.
    MalformedJson,
    /// Handles the request, then answers with the first half of the real body.
    TruncatedJson,
    /// Handles the request, then replaces the provider's status field in the otherwise
    /// valid JSON answer by this word, which no provider documents. The fields replaced
    /// are whichever exist of: top-level `status` (Paytrek, PayTR; Paytrek's `succeeded`
    /// where an answer has no `status`), `data.paymentStatus` and `data.status` (Craftgate).
    UndocumentedStatus(String),
    /// Handles the request, then replaces the same status field by a JSON number (`7`).
    WrongTypedStatus,
    /// Handles the request, then answers 302 with a `Location` to another loopback path.
    Redirect,
}

impl Fault {
    /// Whether the request is handled (its effects happen) under this fault.
    pub fn processes_request(&self) -> bool {
        !matches!(
            self,
            Fault::Delay(_) | Fault::TimeoutBeforeProcessing(_) | Fault::HtmlServerError(_)
        )
    }
}

/// A fault with the requests it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Applies only to requests whose path starts with this (all requests when `None`).
    pub path_prefix: Option<String>,
    /// Applies only to this HTTP method, upper case (all methods when `None`).
    pub method: Option<String>,
    /// What to do.
    pub fault: Fault,
    /// How many matching requests it applies to before it is used up.
    pub times: usize,
}

/// The queue of injected faults. The first rule that matches a request is applied.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<VecDeque<FaultRule>>>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, VecDeque<FaultRule>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `fault` to the next request, whatever it is.
    pub fn inject(&self, fault: Fault) {
        self.add(FaultRule {
            path_prefix: None,
            method: None,
            fault,
            times: 1,
        });
    }

    /// Applies `fault` to the next request whose path starts with `path_prefix`.
    pub fn inject_on(&self, path_prefix: &str, fault: Fault) {
        self.add(FaultRule {
            path_prefix: Some(path_prefix.to_owned()),
            method: None,
            fault,
            times: 1,
        });
    }

    /// Adds a rule.
    pub fn add(&self, rule: FaultRule) {
        if rule.times > 0 {
            self.lock().push_back(rule);
        }
    }

    /// Removes every pending rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many rules are still pending.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    /// Takes the fault for a request, if a rule matches, using up one of its times.
    pub fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.lock();
        let index = rules.iter().position(|r| {
            r.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let rule = rules.get_mut(index)?;
        // Rules with no times left are never kept (see `add` and below).
        rule.times = rule.times.saturating_sub(1);
        let fault = rule.fault.clone();
        if rule.times == 0 {
            rules.remove(index);
        }
        Some(fault)
    }
}

/// One request as the simulator saw it. Bodies are never kept: they carry card numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
}

/// Every request that reached a simulator.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl RequestLog {
    fn lock(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a request.
    pub fn record(&self, request: RecordedRequest) {
        self.lock().push(request);
    }

    /// A copy of every request, oldest first.
    pub fn all(&self) -> Vec<RecordedRequest> {
        self.lock().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// How many requests arrived whose path starts with `prefix`.
    pub fn count_path(&self, prefix: &str) -> usize {
        self.lock()
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .count()
    }

    /// Forgets every request.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// The controls of one simulator.
#[derive(Debug, Clone, Default)]
pub struct Controls {
    /// Money-moving effects.
    pub ledger: Ledger,
    /// Injected faults.
    pub faults: Faults,
    /// Requests received.
    pub requests: RequestLog,
    /// Approval probabilities by card-number prefix.
    pub approval: crate::approval::ApprovalRules,
}
