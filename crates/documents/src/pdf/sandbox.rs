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
        libc::SYS_fchmodat,
        libc::SYS_chown,
        libc::SYS_lchown,
        libc::SYS_fchownat,
        libc::SYS_mknod,
        libc::SYS_mknodat,
        libc::SYS_mount,
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
    // A new process by clone (a thread, CLONE_THREAD, is fine). clone3 is left
    // alone: its flags are behind a pointer, and glibc creates threads with it,
    // falling back only on ENOSYS; a process it made would inherit this filter.
    let thread = libc::CLONE_THREAD as u64;
    rules.insert(
        libc::SYS_clone,
        vec![SeccompRule::new(vec![cond(0, SeccompCmpOp::MaskedEq(thread), 0)?]).map_err(|e| e.to_string())?],
    );
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)
        .map_err(|e| e.to_string())?;
    let program: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| e.to_string())?;
    // Every thread of the worker, the one watching the app included.
    seccompiler::apply_filter_all_threads(&program).map_err(|e| e.to_string())
}

/// Elsewhere the process limits and the parent watch are what there is.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
pub fn enter() -> Result<(), String> {
    Ok(())
}
