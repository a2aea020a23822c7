//! What the bench reads about a server process (`/proc/<pid>/…`) and the
//! one limit it changes on itself (open files).

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// VmRSS of a process, in KiB.
pub(crate) fn rss_kib(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
}

/// CPU time a process has used so far, user and system.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuTime {
    /// utime.
    pub(crate) user: Duration,
    /// stime.
    pub(crate) system: Duration,
}

impl CpuTime {
    /// Reads fields 14 (utime) and 15 (stime) of `/proc/<pid>/stat`.
    pub(crate) fn of(pid: u32) -> Result<CpuTime, BoxError> {
        CpuTime::parse(
            &std::fs::read_to_string(format!("/proc/{pid}/stat"))?,
            rustix::param::clock_ticks_per_second(),
        )
    }

    /// Fields 14 and 15 of a `stat` line, in ticks of `1 / hz` s.
    fn parse(stat: &str, hz: u64) -> Result<CpuTime, BoxError> {
        // The command name (field 2) may hold spaces and parentheses: the
        // fields counted from 3 start after its last ')'.
        let rest = &stat[stat.rfind(')').ok_or("bad stat")? + 1..];
        let mut fields = rest.split_whitespace().skip(14 - 3);
        let mut ticks =
            || -> Result<u64, BoxError> { Ok(fields.next().ok_or("short stat")?.parse::<u64>()?) };
        let (user, system) = (ticks()?, ticks()?);
        let hz = hz.max(1);
        let time = |t: u64| Duration::from_secs_f64(t as f64 / hz as f64);
        Ok(CpuTime {
            user: time(user),
            system: time(system),
        })
    }

    /// "CPU per request X µs (user U + system S)" for `requests` answered
    /// between `self` and `later`.
    pub(crate) fn per_request(self, later: CpuTime, requests: usize) -> String {
        let us = |d: Duration| d.as_secs_f64() * 1e6 / requests.max(1) as f64;
        let (user, system) = (
            later.user.saturating_sub(self.user),
            later.system.saturating_sub(self.system),
        );
        format!(
            "server CPU per request {:.2} µs (user {:.2} + system {:.2}; {} ms in all, 10 ms ticks)",
            us(user + system),
            us(user),
            us(system),
            (user + system).as_millis()
        )
    }
}

/// The soft "Max open files" limit of a process (`/proc/<pid>/limits`);
/// `None` when unlimited or unreadable.
pub(crate) fn open_files_limit(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Raises this process's open-files limit to at least `want` if it may
/// (the hard limit too, which needs CAP_SYS_RESOURCE), else the soft limit
/// to the hard one. Returns the soft limit now in force.
pub(crate) fn raise_open_files(want: u64) -> u64 {
    let now = getrlimit(Resource::Nofile);
    let hard = now.maximum.unwrap_or(u64::MAX);
    if want > hard {
        let raised = Rlimit {
            current: Some(want),
            maximum: Some(want),
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            return want;
        }
    }
    let soft = Rlimit {
        current: Some(hard),
        maximum: now.maximum,
    };
    match setrlimit(Resource::Nofile, soft) {
        Ok(()) => hard,
        Err(_) => now.current.unwrap_or(u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 1234";
        let t = CpuTime::parse(stat, 100).unwrap();
        assert_eq!(t.user, Duration::from_millis(2_500));
        assert_eq!(t.system, Duration::from_millis(750));
        assert!(CpuTime::parse("42 (x) S 1 2", 100).is_err());
    }

    #[test]
    fn this_process_has_a_cpu_time_and_an_rss() {
        let pid = std::process::id();
        assert!(CpuTime::of(pid).is_ok());
        assert!(rss_kib(pid).unwrap() > 0);
    }
}
