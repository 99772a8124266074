use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{CStr, c_char, c_int};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// The allocator: mimalloc for envparity's own work (collecting and judging make and free millions of small
/// values, a thread per environment), the system's in a Rego worker (`envparity rego-worker`), whose memory
/// ceiling is the address space the operating system grants it (`RLIMIT_AS`), which the arenas mimalloc reserves
/// ahead would hide. Which one is decided from the arguments before anything is allocated, and holds for the
/// whole process: memory is always freed by the allocator that gave it.
struct Allocator;

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// Whether this process is a Rego worker, on the system's allocator.
static SYSTEM: AtomicBool = AtomicBool::new(false);

/// Run by the C library before `main` and before any Rust code allocates: glibc passes the program's arguments
/// to the functions of `.init_array`.
#[used]
#[unsafe(link_section = ".init_array")]
static CHOOSE: extern "C" fn(c_int, *const *const c_char, *const *const c_char) = choose;

extern "C" fn choose(argc: c_int, argv: *const *const c_char, _env: *const *const c_char) {
    if argc < 2 || argv.is_null() {
        return;
    }
    // SAFETY: glibc passes `argc` arguments, each a NUL-terminated string that lives as long as the process.
    let first = unsafe { CStr::from_ptr(*argv.add(1)) };
    SYSTEM.store(first.to_bytes() == b"rego-worker", Ordering::Relaxed);
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
    // A worker whose C library passed no arguments to `choose` would run without its memory ceiling: it refuses,
    // and its parent reports the rules it was given as incomplete.
    if std::env::args_os().nth(1).is_some_and(|a| a == "rego-worker") && !system() {
        eprintln!("rego-worker: not on the system's allocator, so its memory ceiling would not hold");
        return std::process::ExitCode::from(2);
    }
    envparity::cli::main()
}
