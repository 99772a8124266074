use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{CStr, c_char, c_int};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// The allocator: mimalloc for `collect` and `audit`, whose collection makes and frees millions of small values
/// on a thread per environment (an audit of two large Terraform states took half as long again on the system's);
/// the system's for every other command, whose peak memory it keeps lower, and for a Rego worker (`envparity
/// rego-worker`), whose memory ceiling is the address space the operating system grants it (`RLIMIT_AS`), which
/// the arenas mimalloc reserves ahead would hide. Which one is decided from the arguments before anything is
/// allocated, and holds for the whole process: memory is always freed by the allocator that gave it. The
/// system's is the default, so a C library that passes no arguments to `choose` costs speed, never a ceiling.
struct Allocator;

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// Whether this process allocates with the system's allocator.
static SYSTEM: AtomicBool = AtomicBool::new(true);

/// Run by the C library before `main` and before any Rust code allocates: glibc passes the program's arguments
/// to the functions of `.init_array`.
#[used]
#[unsafe(link_section = ".init_array")]
static CHOOSE: extern "C" fn(c_int, *const *const c_char, *const *const c_char) = choose;

extern "C" fn choose(argc: c_int, argv: *const *const c_char, _env: *const *const c_char) {
    if argv.is_null() {
        return;
    }
    let args = (1..usize::try_from(argc).unwrap_or(0)).map(|i| {
        // SAFETY: glibc passes `argc` arguments, each a NUL-terminated string that lives as long as the process.
        unsafe { CStr::from_ptr(*argv.add(i)) }.to_bytes()
    });
    SYSTEM.store(!on_mimalloc(args), Ordering::Relaxed);
}

/// Whether the command of these arguments (the program's name left out) runs on mimalloc: the first argument
/// that is neither an option nor `--color`'s value is `collect` or `audit`.
fn on_mimalloc<'a>(mut args: impl Iterator<Item = &'a [u8]>) -> bool {
    while let Some(arg) = args.next() {
        match arg {
            b"--color" => {
                args.next();
            }
            _ if arg.starts_with(b"-") => {}
            command => return matches!(command, b"collect" | b"audit"),
        }
    }
    false
}

fn system() -> bool {
    SYSTEM.load(Ordering::Relaxed)
}

// SAFETY: each call goes to one of two allocators, the same one for the whole process (see `choose`).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe {
            match system() {
                true => System.alloc(layout),
                false => MiMalloc.alloc(layout),
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe {
            match system() {
                true => System.alloc_zeroed(layout),
                false => MiMalloc.alloc_zeroed(layout),
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on to the allocator that gave `ptr`.
        unsafe {
            match system() {
                true => System.dealloc(ptr, layout),
                false => MiMalloc.dealloc(ptr, layout),
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on to the allocator that gave `ptr`.
        unsafe {
            match system() {
                true => System.realloc(ptr, layout, new_size),
                false => MiMalloc.realloc(ptr, layout, new_size),
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    envparity::cli::main()
}

#[cfg(test)]
mod tests {
    use super::on_mimalloc;

    fn on(line: &str) -> bool {
        on_mimalloc(line.split_whitespace().map(str::as_bytes))
    }

    #[test]
    fn collect_and_audit_run_on_mimalloc_and_every_other_command_and_a_rego_worker_on_the_system_s() {
        for line in [
            "collect prod",
            "audit --staging a",
            "-q collect x",
            "--color never -vv audit",
            "--color=always audit",
        ] {
            assert!(on(line), "{line}");
        }
        for line in [
            "rego-worker",
            "diff a.json b.json",
            "--color audit diff",
            "",
            "-q",
            "show collect",
        ] {
            assert!(!on(line), "{line}");
        }
    }
}
