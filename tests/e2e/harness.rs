//! Processes the end-to-end test needs, each on a free port or display, each
//! stopped when dropped; and waiting helpers that poll a condition (no fixed sleeps).

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Binaries {
    pub desk: PathBuf,
    pub central: PathBuf,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

impl Binaries {
    pub fn locate() -> Self {
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
        let target = if target.is_absolute() { target } else { workspace_root().join(target) };
        // The benchmark may drive the release build, as an office PC runs it.
        let profile = std::env::var("BHXH_E2E_PROFILE").unwrap_or_else(|_| "debug".to_owned());
        let find = |name: &str| {
            let p = target.join(&profile).join(name);
            assert!(p.is_file(), "{} not built: run `cargo build -p bhxh-desk -p bhxh-central` first", p.display());
            p
        };
        Self { desk: find("bhxh-desk"), central: find("bhxh-central") }
    }
}

pub fn tempdir(prefix: &str) -> PathBuf {
    let base = workspace_root().join("target").join("e2e-tmp");
    let dir = base.join(format!("{prefix}-{}-{}", std::process::id(), Instant::now().elapsed().as_nanos()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

pub fn artifacts_dir() -> PathBuf {
    let d = workspace_root().join("tests").join("artifacts").join("e2e");
    std::fs::create_dir_all(&d).expect("artifacts dir");
    d
}

/// `N` distinct free ports: all listeners are held until every port is known,
/// so two calls in a row cannot hand out the same one.
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N).map(|_| TcpListener::bind("127.0.0.1:0").expect("bind")).collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("addr").port())
}

/// The generator seed `Central::start` gives `bhxh-central --demo`: tests can
/// regenerate the demo's people with it.
pub const DEMO_SEED: u64 = 5;

pub struct Central {
    child: Option<Child>,
    pub url: String,
    pub port: u16,
    data: PathBuf,
}

impl Central {
    /// Starts `bhxh-central serve` on `port` (or a free one) and waits for its
    /// `listening on` line.
    pub async fn start(bin: &Path, data: &Path, port: Option<u16>, demo: u64) -> Self {
        Self::start_with(bin, data, port, &["--demo", &demo.to_string(), "--seed", &DEMO_SEED.to_string()]).await
    }

    /// `bhxh-central serve` with extra arguments (`--bulk N`, `--fault-percent …`).
    pub async fn start_with(bin: &Path, data: &Path, port: Option<u16>, extra: &[&str]) -> Self {
        let listen = format!("127.0.0.1:{}", port.unwrap_or(0));
        let mut child = Command::new(bin)
            .args(["serve", "--listen", &listen, "--data"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start bhxh-central");
        let stdout = child.stdout.take().expect("stdout");
        let line = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            reader.read_line(&mut line).map(|_| line).inspect(|_l| {
                // Keep draining so the server never blocks on a full pipe.
                std::thread::spawn(move || {
                    let mut sink = Vec::new();
                    let _ = reader.read_to_end(&mut sink);
                });
            })
        })
        .await
        .expect("join")
        .expect("read first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let port = url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port in url");
        Self { child: Some(child), url, port, data: data.to_path_buf() }
    }

    /// A demo account's session (password `demo`).
    async fn login(&self, http: &reqwest::Client, user: &str) -> bhxh_protocol::LoginResponse {
        http.post(format!("{}/v1/auth/login", self.url))
            .json(&serde_json::json!({"username": user, "password": "demo"}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login json")
    }

    /// How many declarations of `office` the server holds, read over its API.
    pub async fn count_for(&self, user: &str, office: &str) -> usize {
        self.declarations_of(user, office).await.len()
    }

    /// The declarations of `office` as the server holds them, read over its API.
    pub async fn declarations_of(&self, user: &str, office: &str) -> Vec<bhxh_protocol::Declaration> {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let page: bhxh_protocol::DeclarationPage = http
                .get(format!("{}/v1/offices/{office}/declarations?limit=500&cursor={cursor}", self.url))
                .bearer_auth(&login.token)
                .send()
                .await
                .expect("page")
                .json()
                .await
                .expect("page json");
            out.extend(page.items);
            cursor = page.next_cursor;
            if !page.has_more {
                return out;
            }
        }
    }

    /// A document's bytes as the server holds them (what the citizen sent).
    #[allow(dead_code, reason = "the peer benchmark's files; the window tests see documents through the app")]
    pub async fn document_bytes(&self, user: &str, id: &str) -> Vec<u8> {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        let r = http
            .get(format!("{}/v1/documents/{id}", self.url))
            .bearer_auth(&login.token)
            .send()
            .await
            .expect("document");
        assert!(r.status().is_success(), "document {id}: {}", r.status());
        r.bytes().await.expect("document bytes").to_vec()
    }

    /// Sets `office`'s paper-form rule over the API as its supervisor `user`.
    pub async fn set_paper_rule(&self, user: &str, office: &str, rule: &bhxh_domain::PaperRule) {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        let r = http
            .put(format!("{}/v1/offices/{office}/paper-rule", self.url))
            .bearer_auth(&login.token)
            .json(rule)
            .send()
            .await
            .expect("paper rule");
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }

    /// A declaration's status as the server holds it, read over the API as `user`.
    pub async fn status_of(&self, user: &str, id: &str) -> bhxh_domain::DeclarationStatus {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        http.get(format!("{}/v1/declarations/{id}", self.url))
            .bearer_auth(&login.token)
            .send()
            .await
            .expect("declaration")
            .json::<bhxh_protocol::Declaration>()
            .await
            .expect("declaration json")
            .status
    }

    /// A person as the helpdesk's `user` reads them over the API (masked).
    pub async fn citizen(&self, user: &str, ma_so: &str) -> bhxh_protocol::CitizenEntry {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        http.get(format!("{}/v1/citizens/{ma_so}", self.url))
            .bearer_auth(&login.token)
            .send()
            .await
            .expect("citizen")
            .json()
            .await
            .expect("citizen json")
    }

    /// Whether `phone` is the one the register holds for `ma_so`, asked as the helpdesk's `user`.
    pub async fn phone_check(&self, user: &str, ma_so: &str, phone: &str) -> bhxh_domain::helpdesk::PhoneCheck {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        http.post(format!("{}/v1/citizens/{ma_so}/phone-check", self.url))
            .bearer_auth(&login.token)
            .json(&serde_json::json!({ "phone": phone }))
            .send()
            .await
            .expect("phone check")
            .json::<bhxh_protocol::PhoneCheckAnswer>()
            .await
            .expect("phone check json")
            .result
    }

    /// The calls noted about a person, read over the API as `user`.
    pub async fn calls_of(&self, user: &str, ma_so: &str) -> Vec<bhxh_protocol::CallRecord> {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        let list: bhxh_protocol::CallList = http
            .get(format!("{}/v1/citizens/{ma_so}/calls", self.url))
            .bearer_auth(&login.token)
            .send()
            .await
            .expect("calls")
            .json()
            .await
            .expect("calls json");
        list.items
    }

    /// Takes the review lease on a declaration as `user` (another officer's PC).
    pub async fn take_as(&self, user: &str, declaration: &str) {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        let r = http
            .post(format!("{}/v1/declarations/{declaration}/assignment", self.url))
            .bearer_auth(&login.token)
            .send()
            .await
            .expect("take");
        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    }

    /// Changes `user`'s password as the central portal would (the server runs with `--admin`).
    pub async fn set_password(&self, user: &str, password: &str) {
        let token = std::fs::read_to_string(self.data.join(bhxh_central::ADMIN_TOKEN_FILE)).expect("admin.token");
        let r = reqwest::Client::new()
            .put(format!("{}/admin/users/{user}/password", self.url))
            .bearer_auth(token.trim())
            .json(&serde_json::json!({ "password": password }))
            .send()
            .await
            .expect("set password");
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap_or_default());
    }

    /// Records a decision as `user` straight through the API (another officer's PC).
    pub async fn decide_as(&self, user: &str, declaration: &str, outcome: &str) {
        self.decide_with(user, declaration, outcome, &[]).await;
    }

    /// A decision with reason codes (re-submit and reject need them).
    pub async fn decide_with(&self, user: &str, declaration: &str, outcome: &str, reasons: &[&str]) {
        let http = reqwest::Client::new();
        let login = self.login(&http, user).await;
        let key = format!(
            "0190{:028x}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1)
        );
        let key = format!("{}-{}-{}-{}-{}", &key[0..8], &key[8..12], &key[12..16], &key[16..20], &key[20..32]);
        let r = http
            .post(format!("{}/v1/decisions", self.url))
            .bearer_auth(&login.token)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"declaration_id": declaration, "outcome": outcome, "reasons": reasons,
                "decided_at": test_clock().now(), "paper_seen": true}))
            .send()
            .await
            .expect("decide");
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Central {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    /// Xvfb picks a free display itself and tells us which (`-displayfd`).
    pub fn start() -> Self {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (apt-get install xvfb)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("display number");
        let n: u32 = line.trim().parse().unwrap_or_else(|_| panic!("Xvfb said {line:?}"));
        Self { child, display: format!(":{n}") }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A D-Bus session bus of the test's own, as a desktop session has one: the app's single-instance lock lives on it.
pub struct SessionBus {
    child: Child,
    pub address: String,
}

impl SessionBus {
    pub fn start() -> Self {
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon (apt-get install dbus)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("bus address");
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "dbus-daemon said {line:?}");
        Self { child, address }
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct TauriDriver {
    child: Child,
    port: u16,
    /// The app's log folder: read for personal data when the window closes.
    pub logs: PathBuf,
}

impl TauriDriver {
    /// The app it starts writes its log files to `logs` and reads no configuration file of the person running the
    /// tests (its user configuration folder is `config_home`, empty).
    pub fn start(display: &Xvfb, logs: &Path, config_home: &Path, env: &[(&str, &str)]) -> Self {
        Self::spawn(display, logs, |cmd| {
            cmd.env("BHXH_LOG_DIR", logs)
                .env("XDG_CONFIG_HOME", config_home)
                // Not the PC's own /etc file (an IT-installed app may have one): a file that is never there.
                .env("BHXH_MACHINE_CONFIG", config_home.join("machine-config-absent.toml"))
                // The app's own crates at their most talkative: the log check reads more.
                .env(
                    "RUST_LOG",
                    "info,bhxh_desk=debug,bhxh_desk_core=debug,bhxh_sync=debug,bhxh_cache=debug,bhxh_documents=debug",
                )
                .envs(env.iter().copied());
        })
    }

    /// As an office PC starts the installed app: from `cwd` (an empty folder), with `home` (empty) and nothing
    /// of the build's environment (no BHXH_ variable, no cargo, no checkout path); its logs go where the platform
    /// puts them under that home.
    #[allow(dead_code, reason = "the installed-app test's alone")]
    pub fn start_clean(display: &Xvfb, cwd: &Path, home: &Path) -> Self {
        let logs = home.join(".local/share/vn.bhxh.desk/logs");
        Self::spawn(display, &logs, |cmd| {
            cmd.env_clear()
                .env("PATH", "/usr/local/bin:/usr/bin:/bin")
                .env("HOME", home)
                .env("LANG", "C.UTF-8")
                .current_dir(cwd);
        })
    }

    fn spawn(display: &Xvfb, logs: &Path, configure: impl FnOnce(&mut Command)) -> Self {
        let [port, native] = free_ports::<2>();
        let bin = std::env::var_os("TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
            let p = home.join("bin").join("tauri-driver");
            if p.is_file() { p } else { PathBuf::from("tauri-driver") }
        });
        let log = std::fs::File::create(artifacts_dir().join("tauri-driver.log")).expect("driver log");
        let mut cmd = Command::new(bin);
        configure(&mut cmd);
        // Its own process group: WebKitWebDriver and the app are its children, and
        // killing only tauri-driver would leave them running.
        let child = cmd
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", &display.display)
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver)");
        // Both must listen before a session is asked for: tauri-driver's port, and
        // the WebKitWebDriver it starts behind it.
        let deadline = Instant::now() + Duration::from_secs(20);
        for p in [port, native] {
            while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
                assert!(Instant::now() < deadline, "tauri-driver did not open port {p} (see tauri-driver.log)");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Self { child, port, logs: logs.to_path_buf() }
    }

    pub async fn session(&self, app: &Path, args: &[String]) -> Client {
        // Two TLS back ends are linked in (reqwest's and fantoccini's): name one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.display().to_string(), "args": args }),
        );
        ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("WebDriver session: {e}"))
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app window on its own virtual display, `user` prefilled, the cache in
/// `data`, the central service at `central_url`. Drop the driver before the display.
/// `bhxh-desk sync` for `user` (password "demo") into `data`, without a window: pulls the
/// office's declarations and, the benchmarks starting from a PC that has them all, every
/// waiting declaration's documents (up to `documents_ahead`'s 1,000), and analyses them.
/// Returns what it printed.
#[allow(dead_code, reason = "the benchmarks' preparation; the window tests sync through the window")]
pub fn sync_headless(desk: &Path, central_url: &str, user: &str, data: &Path) -> String {
    let out = Command::new(desk)
        .args(["--documents-ahead", "1000", "sync", "--central", central_url, "--user", user, "--password", "demo"])
        .arg("--data-dir")
        .arg(data)
        .env_remove("DISPLAY")
        .output()
        .expect("bhxh-desk sync");
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub async fn open_window(desk: &Path, data: &Path, central_url: &str, user: &str) -> (Xvfb, TauriDriver, Client) {
    open_window_with(desk, data, central_url, user, &[]).await
}

/// As [`open_window`], with more of the app's arguments (`--idle-lock-minutes 1`).
pub async fn open_window_with(
    desk: &Path,
    data: &Path,
    central_url: &str,
    user: &str,
    extra: &[&str],
) -> (Xvfb, TauriDriver, Client) {
    open_window_env(desk, data, central_url, user, extra, &[]).await
}

/// As [`open_window_with`], the app's environment given `env` too.
pub async fn open_window_env(
    desk: &Path,
    data: &Path,
    central_url: &str,
    user: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Xvfb, TauriDriver, Client) {
    let display = Xvfb::start();
    let name = data.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let logs = data.with_file_name(format!("{name}-logs"));
    let config_home = data.with_file_name(format!("{name}-config"));
    std::fs::create_dir_all(&config_home).expect("config home");
    let driver = TauriDriver::start(&display, &logs, &config_home, env);
    let mut args = vec![
        "--data-dir".to_owned(),
        data.display().to_string(),
        "--central-url".to_owned(),
        central_url.to_owned(),
        "--user-name".to_owned(),
        user.to_owned(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let client = driver.session(desk, &args).await;
    (display, driver, client)
}

/// Closes the app window, then its driver and display, whatever the scenario's
/// outcome: killing tauri-driver alone leaves the app running.
pub async fn close_window(client: Client, driver: TauriDriver, display: Xvfb) {
    let _ = client.close().await;
    drop(driver);
    drop(display);
}

/// Lines of the log files in `dir` naming a demo citizen (its name, mã số BHXH, ID
/// number, old CMND, phone or e-mail), as `file:line: which`. The people are the
/// generator's for [`DEMO_SEED`], well past the largest demo a test starts.
pub fn personal_data_in_logs(dir: &Path) -> Vec<String> {
    let needles = demo_identifiers();
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    let mut lines_read = 0usize;
    for path in entries.flatten().map(|e| e.path()) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            lines_read += 1;
            for (what, needle) in needles {
                if line.contains(needle.as_str()) {
                    found.push(format!("{}:{}: {what}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(lines_read > 0, "the app wrote no log lines in {}", dir.display());
    found
}

fn demo_identifiers() -> &'static [(&'static str, String)] {
    static IDS: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let g = bhxh_fixtures::Generator::new(DEMO_SEED).expect("generator");
        let now = test_clock().now();
        let mut ids = Vec::new();
        for i in 0..200 {
            let Ok(p) = g.declared_person(i, now) else { continue };
            let f = &p.fields;
            ids.push(("name", f.full_name.clone()));
            ids.push(("name on the card", p.name_on_card.clone()));
            ids.push(("mã số BHXH", f.ma_so_bhxh.to_string()));
            ids.push(("phone", f.phone.clone()));
            ids.extend(f.id_number.clone().map(|n| ("ID number", n)));
            ids.extend(f.email.clone().map(|e| ("e-mail", e)));
            ids.extend(p.old_cmnd.clone().map(|n| ("old CMND", n)));
        }
        // Short values would match times and counts, not people.
        ids.retain(|(_, v)| v.chars().count() >= 8);
        ids
    })
}

/// Fails the scenario, saying where its screenshots and data are kept; then reads every
/// line the apps of the scenario logged (each window's log folder under `work`): no demo
/// citizen's identifier may be in any. When all is well, removes its data.
pub fn conclude(scenario: &str, outcome: anyhow::Result<()>, shots: &Path, work: &Path) {
    if let Err(e) = outcome {
        panic!("{scenario} failed: {e:?}\nscreenshots in {}; data in {}", shots.display(), work.display());
    }
    assert_logs_clean(work);
    let _ = std::fs::remove_dir_all(work);
}

/// Every line the apps of a passed scenario logged (each log folder under `work`) is
/// free of the demo citizens' identifiers.
pub fn assert_logs_clean(work: &Path) {
    for logs in log_dirs(work) {
        let found = personal_data_in_logs(&logs);
        assert!(found.is_empty(), "personal data in the app's log ({}):\n{}", logs.display(), found.join("\n"));
    }
}

/// The apps' log folders under `work`: `<data>-logs` beside each window's data, and an
/// installed app's `…/vn.bhxh.desk/logs` under its home.
fn log_dirs(work: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![(work.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with("-logs") || (name == "logs" && dir.ends_with("vn.bhxh.desk")) {
                found.push(e.path());
            } else if depth < 5 {
                stack.push((e.path(), depth + 1));
            }
        }
    }
    found
}

/// The clock every process of a test reads: the machine's, or the office at another
/// hour when `BHXH_CLOCK_START` says so (`scripts/test` runs the date-dependent window
/// test at 23:59 on 31 December and at 00:01 on 1 January, office time, with the
/// machine on UTC). The server and the app inherit the variable and read the same clock.
pub fn test_clock() -> bhxh_domain::Clock {
    let raw = std::env::var(bhxh_domain::clock::CLOCK_START_VAR).ok();
    bhxh_domain::Clock::from_start_var(raw.as_deref()).expect("BHXH_CLOCK_START")
}

/// Polls `cond` every 100 ms until it holds or `timeout` passes.
pub async fn wait_until<F, Fut>(timeout: Duration, mut cond: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_err = None;
    loop {
        match cond().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_err = Some(e),
        }
        if Instant::now() >= deadline {
            anyhow::bail!("condition not met within {timeout:?} (last error: {last_err:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Logs in on the login screen with the demo password (the user name is prefilled).
pub async fn log_in(c: &Client) -> anyhow::Result<()> {
    // The app's prefill has answered once the user name is in.
    wait_until(Duration::from_secs(30), || async {
        Ok(c.find(Locator::Css("#username")).await?.prop("value").await?.is_some_and(|v| !v.is_empty()))
    })
    .await
    .map_err(|e| e.context("the user name prefilled"))?;
    let password = wait_for_element(c, "#password").await.map_err(|e| e.context("#password"))?;
    password.send_keys("demo").await?;
    click(c, "#login-submit").await
}

/// Waits until the queue shows `n` declarations (the first sync can take a while).
pub async fn wait_for_queue_count(c: &Client, n: usize) -> anyhow::Result<()> {
    let want = n.to_string();
    wait_until(Duration::from_secs(90), || async {
        Ok(attr(c, "[data-testid=queue-count]", "data-count").await?.as_deref() == Some(want.as_str()))
    })
    .await
}

pub async fn wait_for_element(c: &Client, css: &str) -> anyhow::Result<Element> {
    Ok(c.wait().at_most(Duration::from_secs(30)).for_element(Locator::Css(css)).await?)
}

pub async fn click(c: &Client, css: &str) -> anyhow::Result<()> {
    wait_for_element(c, css).await?.click().await?;
    Ok(())
}

pub async fn click_nth(c: &Client, css: &str, n: usize) -> anyhow::Result<()> {
    let all = c.find_all(Locator::Css(css)).await?;
    let el = all.get(n).or(all.last()).ok_or_else(|| anyhow::anyhow!("no element for {css}"))?;
    el.click().await?;
    Ok(())
}

pub async fn attr(c: &Client, css: &str, name: &str) -> anyhow::Result<Option<String>> {
    Ok(c.find(Locator::Css(css)).await?.attr(name).await?)
}

pub async fn text_of(c: &Client, css: &str) -> anyhow::Result<String> {
    Ok(c.find(Locator::Css(css)).await?.text().await?)
}

/// Document images in the detail pane that decoded and have been painted.
pub async fn loaded_images(c: &Client) -> anyhow::Result<u64> {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const imgs = Array.from(document.querySelectorAll('img[data-testid=doc-image]'));
             Promise.allSettled(imgs.map(i => i.decode())).then(() =>
               requestAnimationFrame(() => requestAnimationFrame(() =>
                 done(imgs.filter(i => i.complete && i.naturalWidth > 0).length))));",
            vec![],
        )
        .await?;
    Ok(v.as_u64().unwrap_or(0))
}

/// Whether the detail pane shows at least `min` document images and every one of
/// them has decoded (a declaration may carry a paper form besides its photos).
pub async fn all_images_loaded(c: &Client, min: u64) -> anyhow::Result<bool> {
    let total = c.find_all(Locator::Css("img[data-testid=doc-image]")).await?.len() as u64;
    Ok(total >= min && loaded_images(c).await? == total)
}

pub async fn save_screenshot(c: &Client, dir: &Path, name: &str) -> anyhow::Result<()> {
    let png = c.screenshot().await?;
    std::fs::write(dir.join(format!("{name}.png")), png)?;
    Ok(())
}
