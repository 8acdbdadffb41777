//! The memory of the running app, read from `/proc`: the Rust process (Tauri's
//! main process, which also hosts GTK and WebKit's UI side) and the web view's
//! processes (WebKit's web and network processes, its children), reported apart.
//! RSS counts every page mapped (shared libraries too: WebKit, GTK, the GL driver),
//! PSS divides shared pages among their users, anonymous is what the process
//! itself allocated (heaps, stacks): the number a leak moves.

use std::path::Path;

#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    pub rss_kb: u64,
    pub pss_kb: u64,
    pub anon_kb: u64,
}

impl Memory {
    pub fn read(pid: u32) -> Option<Self> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
        let field = |name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Some(Self { rss_kb: field("Rss:"), pss_kb: field("Pss:"), anon_kb: field("Anonymous:") })
    }

    pub fn plus(self, o: Self) -> Self {
        Self { rss_kb: self.rss_kb + o.rss_kb, pss_kb: self.pss_kb + o.pss_kb, anon_kb: self.anon_kb + o.anon_kb }
    }
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |kb: u64| kb as f64 / 1024.0;
        write!(f, "RSS {:.0} MB, PSS {:.0} MB, anonymous {:.0} MB", mb(self.rss_kb), mb(self.pss_kb), mb(self.anon_kb))
    }
}

/// The app started on `data` (its command line names the folder) and its web view's processes.
pub struct AppProcesses {
    pub app: u32,
    pub web: Vec<(u32, String)>,
}

impl AppProcesses {
    pub fn find(desk: &Path, data: &Path) -> Option<Self> {
        let data = data.display().to_string();
        let desk_name = desk.file_name()?.to_string_lossy().into_owned();
        let mut app = None;
        let mut parents = Vec::new();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
            let args: Vec<String> = cmd.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            if args.first().is_some_and(|a| a.ends_with(&desk_name)) && args.iter().any(|a| a == &data) {
                app = Some(pid);
            }
            let ppid = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| s.rsplit(')').next().and_then(|r| r.split_whitespace().nth(1)?.parse::<u32>().ok()));
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
            if let Some(ppid) = ppid {
                parents.push((pid, ppid, comm));
            }
        }
        let app = app?;
        let web = parents.into_iter().filter(|(_, ppid, _)| *ppid == app).map(|(pid, _, comm)| (pid, comm)).collect();
        Some(Self { app, web })
    }

    /// The Rust process and the web view's processes together.
    pub fn sample(&self) -> (Memory, Memory) {
        let app = Memory::read(self.app).unwrap_or_default();
        let web = self.web.iter().filter_map(|(pid, _)| Memory::read(*pid)).fold(Memory::default(), Memory::plus);
        (app, web)
    }

    /// Seconds since the app's process started (10 ms resolution).
    pub fn age_secs(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.app)).ok()?;
        let start_ticks: f64 = stat.rsplit(')').next()?.split_whitespace().nth(19)?.parse().ok()?;
        let uptime: f64 = std::fs::read_to_string("/proc/uptime").ok()?.split_whitespace().next()?.parse().ok()?;
        // USER_HZ is 100 on Linux.
        Some(uptime - start_ticks / 100.0)
    }
}
