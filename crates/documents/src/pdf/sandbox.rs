//! What the PDF worker may no longer do once it has set itself up: a seccomp
//! filter, applied before the first byte of the PDF is read, that refuses
//! (EPERM, not a kill: PDFium must fail a call, not die on it) every system call
//! an exploited parser would need to reach beyond its pipe: the network, new
//! programs and processes, writing or changing files, other processes' memory,
//! and the interfaces that get around seccomp itself (io_uring). Reading files
//! stays allowed: PDFium reads system fonts for documents that do not embed them.
//! `no_new_privs` comes with the filter.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub fn enter() -> Result<(), String> {
    use seccompiler::{
        BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
    };
    use std::collections::BTreeMap;

    let arch = std::env::consts::ARCH.try_into().map_err(|e| format!("{e:?}"))?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    // Refused whatever their arguments.
    let always = [
        // The network.
        libc::SYS_socket,
        libc::SYS_connect,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_accept,
        libc::SYS_accept4,
        // Other programs, other processes.
        libc::SYS_execve,
        libc::SYS_execveat,
        libc::SYS_fork,
        libc::SYS_vfork,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_kill,
        libc::SYS_tkill,
        libc::SYS_rt_sigqueueinfo,
        libc::SYS_rt_tgsigqueueinfo,
        libc::SYS_pidfd_open,
        libc::SYS_pidfd_getfd,
        libc::SYS_pidfd_send_signal,
        // Leaving the process group the app kills, or the namespaces it shares.
        libc::SYS_setsid,
        libc::SYS_setpgid,
        libc::SYS_unshare,
        libc::SYS_setns,
        // Changing the file system.
        libc::SYS_creat,
        libc::SYS_openat2,
        libc::SYS_unlink,
        libc::SYS_unlinkat,
        libc::SYS_rename,
        libc::SYS_renameat,
        libc::SYS_renameat2,
        libc::SYS_mkdir,
        libc::SYS_mkdirat,
        libc::SYS_rmdir,
        libc::SYS_link,
        libc::SYS_linkat,
        libc::SYS_symlink,
        libc::SYS_symlinkat,
        libc::SYS_truncate,
        libc::SYS_chmod,
        libc::SYS_fchmod,
        libc::SYS_fchmodat,
        libc::SYS_fchmodat2,
        libc::SYS_chown,
        libc::SYS_fchown,
        libc::SYS_lchown,
        libc::SYS_fchownat,
        libc::SYS_utimes,
        libc::SYS_utimensat,
        libc::SYS_futimesat,
        libc::SYS_setxattr,
        libc::SYS_lsetxattr,
        libc::SYS_fsetxattr,
        libc::SYS_removexattr,
        libc::SYS_lremovexattr,
        libc::SYS_fremovexattr,
        libc::SYS_mknod,
        libc::SYS_mknodat,
        libc::SYS_mount,
        libc::SYS_fsopen,
        libc::SYS_fsmount,
        libc::SYS_open_tree,
        libc::SYS_move_mount,
        libc::SYS_pivot_root,
        // What gets around a filter, or reaches into the kernel.
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
    ];
    for nr in always {
        rules.insert(nr, Vec::new());
    }
    let cond = |arg: u8, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(|e| e.to_string())
    };
    // Opening a file for anything but reading.
    let writes = [libc::O_WRONLY, libc::O_RDWR, libc::O_CREAT, libc::O_TRUNC, libc::O_APPEND];
    let open_rules = |flags_arg: u8| -> Result<Vec<SeccompRule>, String> {
        writes
            .iter()
            .map(|&bit| {
                let bit = bit as u64;
                SeccompRule::new(vec![cond(flags_arg, SeccompCmpOp::MaskedEq(bit), bit)?]).map_err(|e| e.to_string())
            })
            .collect()
    };
    rules.insert(libc::SYS_openat, open_rules(2)?);
    rules.insert(libc::SYS_open, open_rules(1)?);
    // A new process by clone (a thread, CLONE_THREAD, is fine).
    let thread = libc::CLONE_THREAD as u64;
    rules.insert(
        libc::SYS_clone,
        vec![SeccompRule::new(vec![cond(0, SeccompCmpOp::MaskedEq(thread), 0)?]).map_err(|e| e.to_string())?],
    );
    // A signal to another process: only to itself (abort() signals its own thread).
    let own = u64::from(std::process::id());
    rules.insert(
        libc::SYS_tgkill,
        vec![SeccompRule::new(vec![cond(0, SeccompCmpOp::Ne, own)?]).map_err(|e| e.to_string())?],
    );
    // Typing into the terminal the app was started from (stderr is inherited).
    let tty = [libc::TIOCSTI, libc::TIOCLINUX]
        .iter()
        .map(|&req| SeccompRule::new(vec![cond(1, SeccompCmpOp::Eq, req)?]).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, String>>()?;
    rules.insert(libc::SYS_ioctl, tty);
    let build = |rules, action| -> Result<BpfProgram, String> {
        let filter = SeccompFilter::new(rules, SeccompAction::Allow, action, arch).map_err(|e| e.to_string())?;
        filter.try_into().map_err(|e: seccompiler::BackendError| e.to_string())
    };
    let refused = build(rules, SeccompAction::Errno(libc::EPERM as u32))?;
    // clone3 cannot be told apart from a thread (its flags are behind a pointer):
    // "not implemented", and glibc falls back to clone, which the filter above
    // lets through for threads only.
    let clone3 = build(BTreeMap::from([(libc::SYS_clone3, Vec::new())]), SeccompAction::Errno(libc::ENOSYS as u32))?;
    // Every thread of the worker, the one watching the app included.
    seccompiler::apply_filter_all_threads(&refused).map_err(|e| e.to_string())?;
    seccompiler::apply_filter_all_threads(&clone3).map_err(|e| e.to_string())?;
    seccompiler::apply_filter_all_threads(&x32_refused()).map_err(|e| e.to_string())
}

/// The x32 ABI runs under the x86-64 architecture tag with bit 30 set in the call
/// number: `socket` as x32 is not `socket` to the list above. Every call with that
/// bit is refused (the worker is never an x32 program). Written by hand: the
/// filter builder matches numbers, not ranges.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn x32_refused() -> seccompiler::BpfProgram {
    use seccompiler::sock_filter;
    // linux/filter.h: BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JGE|BPF_K, BPF_RET|BPF_K.
    const BPF_LD_W_ABS: u16 = 0x20;
    const BPF_JMP_JGE_K: u16 = 0x35;
    const BPF_RET_K: u16 = 0x06;
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    let nr_offset = 0; // seccomp_data.nr
    vec![
        sock_filter { code: BPF_LD_W_ABS, jt: 0, jf: 0, k: nr_offset },
        sock_filter { code: BPF_JMP_JGE_K, jt: 0, jf: 1, k: X32_SYSCALL_BIT },
        sock_filter { code: BPF_RET_K, jt: 0, jf: 0, k: libc::SECCOMP_RET_ERRNO | libc::EPERM as u32 },
        sock_filter { code: BPF_RET_K, jt: 0, jf: 0, k: libc::SECCOMP_RET_ALLOW },
    ]
}

/// Elsewhere the process limits and the parent watch are what there is.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
pub fn enter() -> Result<(), String> {
    Ok(())
}
