//! Generating and verifying never touch the heap: counted by a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Window};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers to the system allocator; only counts calls on the current thread.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_counter_counts() {
    // Proves the harness: a Vec allocation is seen.
    let n = allocations_in(|| {
        let v: Vec<u8> = Vec::with_capacity(16);
        std::hint::black_box(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn generate_and_verify_do_not_allocate() {
    for algorithm in Algorithm::ALL {
        let seed = [0x42u8; 64];
        let n = allocations_in(|| {
            let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
            let secret2 = Secret::from_bytes(&seed[..algorithm.default_secret_len()]).unwrap();
            let totp = Totp::new(&secret, algorithm, Digits::SIX, Period::DEFAULT);
            let hotp = Hotp::new(&secret2, algorithm, Digits::EIGHT);
            let code = totp.code_at(1_700_000_000).unwrap();
            std::hint::black_box(hotp.code(7));
            std::hint::black_box(totp.seconds_left(1_700_000_000).unwrap());
            // Valid, invalid, malformed, and a wide window.
            let mut typed = [b'0'; 6];
            let mut value = code.value();
            for slot in typed.iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
            let typed = std::str::from_utf8(&typed).unwrap();
            assert!(totp.verify(typed, 1_700_000_000, Window::default()).is_ok());
            let wrong = if typed == "000000" {
                "000001"
            } else {
                "000000"
            };
            let _ = std::hint::black_box(totp.verify(wrong, 1_700_000_000, Window::symmetric(10)));
            assert!(
                totp.verify("12a456", 1_700_000_000, Window::default())
                    .is_err()
            );
            let _ = std::hint::black_box(hotp.verify("00000000", 0, 20));
        });
        assert_eq!(n, 0, "{algorithm} allocated {n} times");
    }
}
