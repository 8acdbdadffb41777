//! The worker process's side: limits itself, reads one request and its PDF from
//! stdin, answers on stdout, exits. Started by [`super::PdfEngine`] only.

use super::wire::{Reply, Request, WireError, read_frame, write_frame};
use pdfium_render::prelude::Pdfium;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// A PDF larger than this is not read (the cache refuses larger uploads long before).
const MAX_PDF_BYTES: u64 = 256 << 20;

struct Args {
    library: PathBuf,
    memory_mib: u64,
    cpu_seconds: u64,
    fault: Option<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut library, mut memory_mib, mut cpu_seconds, mut fault) = (None, 1536, 600, None);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--library" => library = Some(PathBuf::from(value()?)),
            "--memory-mib" => memory_mib = value()?.parse().map_err(|e| format!("--memory-mib: {e}"))?,
            "--cpu-seconds" => cpu_seconds = value()?.parse().map_err(|e| format!("--cpu-seconds: {e}"))?,
            "--fault" => fault = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args { library: library.ok_or("--library is required")?, memory_mib, cpu_seconds, fault })
}

/// No core file (the pages hold citizens' data), bounded memory and CPU. Elsewhere than on Unix nothing is limited
/// here yet (Windows would put the worker in a Job Object: docs/windows.md, "Known gaps").
#[cfg(not(unix))]
fn limit_self(_memory_mib: u64, _cpu_seconds: u64) -> std::io::Result<()> {
    Ok(())
}

/// No core file (the pages hold citizens' data), bounded memory and CPU.
#[cfg(unix)]
fn limit_self(memory_mib: u64, cpu_seconds: u64) -> std::io::Result<()> {
    use rlimit::Resource;
    Resource::CORE.set(0, 0)?;
    let bytes = memory_mib.saturating_mul(1 << 20);
    Resource::AS.set(bytes, bytes)?;
    // Past the soft limit the kernel sends SIGXCPU, at the hard one SIGKILL.
    Resource::CPU.set(cpu_seconds, cpu_seconds.saturating_add(5))?;
    Ok(())
}

/// The worker ends when the app does: a worker left behind by an app that
/// crashed or was killed would go on holding a citizen's PDF. When the parent
/// goes, the worker is handed to another process, which is what is watched for.
/// (Not on Windows yet: there a Job Object killing on close would do it.)
#[cfg(not(unix))]
fn watch_parent() {}

#[cfg(unix)]
fn watch_parent() {
    let parent = std::os::unix::process::parent_id();
    let watch = move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(500));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(7);
            }
        }
    };
    if let Err(e) = std::thread::Builder::new().name("parent-watch".into()).spawn(watch) {
        eprintln!("{}: watching the app: {e}", super::WORKER_NAME);
    }
}

/// Whether a signal (0: none is sent, only the right to send is checked) reaches
/// the app, by kill or by tgkill.
fn signal_parent() -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(parent) = i32::try_from(std::os::unix::process::parent_id()) else { return false };
        // SAFETY: integer arguments only; signal 0 delivers nothing.
        let by_kill = unsafe { libc::kill(parent, 0) } == 0;
        // SAFETY: as above, through the raw system call.
        let by_tgkill = unsafe { libc::syscall(libc::SYS_tgkill, parent, parent, 0) } == 0;
        by_kill || by_tgkill
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// Whether a system call made by its x32 number (the x86-64 number with bit 30
/// set, which a deny-list keyed on x86-64 numbers would not match) got past the
/// filter: refused by the filter it fails with EPERM; a kernel without x32 says
/// ENOSYS and one with x32 runs it.
fn x32_call_not_refused() -> bool {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        // SAFETY: getpid takes no argument and touches no memory, whatever ABI runs it.
        let r = unsafe { libc::syscall(0x4000_0000 | libc::SYS_getpid) };
        r != -1 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM)
    }
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    false
}

/// What a debug build's worker does when a test asks it to misbehave.
fn misbehave(fault: &str, request: Request, out: &mut impl Write) {
    if !cfg!(debug_assertions) {
        return;
    }
    fn hang() -> ! {
        loop {
            std::thread::park();
        }
    }
    match fault {
        "hang" => hang(),
        "hang-stack" if matches!(request, Request::Pages { .. }) => hang(),
        // A broken answer, then silence without exiting.
        "garble" => {
            let _ = out.write_all(&[0xff; 16]).and_then(|()| out.flush());
            hang()
        }
        "crash" => std::process::abort(),
        // Long enough to be seen running (the test of one worker at a time).
        "slow" => std::thread::sleep(std::time::Duration::from_millis(400)),
        // What an exploited parser would try next: each must be refused, else
        // the worker aborts and the test sees the document fail.
        "escape" => {
            let tmp = std::env::temp_dir().join(format!("bhxh-escape-{}", std::process::id()));
            let tries = [
                ("write a file", std::fs::write(&tmp, b"x").is_ok()),
                ("open a file to write", std::fs::OpenOptions::new().append(true).open("/dev/null").is_ok()),
                ("connect", std::net::TcpStream::connect("127.0.0.1:9").is_ok()),
                ("listen", std::net::TcpListener::bind("127.0.0.1:0").is_ok()),
                ("run a program", std::process::Command::new("/bin/true").status().is_ok()),
                ("signal the app", signal_parent()),
                ("make a call by its x32 number", x32_call_not_refused()),
                ("change a file's mode", {
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::File::open("/proc/self/status")
                            .and_then(|f| f.set_permissions(std::fs::Permissions::from_mode(0o644)))
                            .is_ok()
                    }
                    #[cfg(not(unix))]
                    false
                }),
                (
                    "not read a file",
                    std::fs::read("/etc/hostname").is_err() && std::fs::read("/proc/self/status").is_err(),
                ),
            ];
            if let Some((what, _)) = tries.iter().find(|(_, escaped)| *escaped) {
                eprintln!("{}: could {what}", super::WORKER_NAME);
                std::process::abort();
            }
        }
        "oom" => {
            // Each block touched, so the memory is really taken; the limit ends it.
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 64 << 20]);
            }
        }
        _ => {}
    }
}

pub fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{}: {e}", super::WORKER_NAME);
            return ExitCode::from(2);
        }
    };
    if let Err(e) = limit_self(args.memory_mib, args.cpu_seconds) {
        eprintln!("{}: setting limits: {e}", super::WORKER_NAME);
        return ExitCode::from(3);
    }
    watch_parent();
    if let Err(e) = super::sandbox::enter() {
        // A worker that cannot close itself in does not read the document.
        eprintln!("{}: entering the sandbox: {e}", super::WORKER_NAME);
        return ExitCode::from(8);
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let (request, bytes): (Request, Vec<u8>) = match read_frame(&mut input, MAX_PDF_BYTES) {
        Ok(Some(frame)) => frame,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: reading the request: {e}", super::WORKER_NAME);
            return ExitCode::from(4);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    if let Some(f) = &args.fault {
        misbehave(f, request, &mut out);
    }
    let pdfium = match Pdfium::bind_to_library(&args.library) {
        Ok(b) => Pdfium::new(b),
        Err(e) => {
            let error = WireError::Unavailable { detail: format!("{}: {e}", args.library.display()) };
            let _ = write_frame(&mut out, &Reply::Error { error }, &[]);
            return ExitCode::from(5);
        }
    };
    match super::render::serve(&pdfium, request, &bytes, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // The app stopped listening (it gave up on the document): nothing to add.
        Err(_) => ExitCode::from(6),
    }
}
