//! JNI entry points for the hot calls of otpkit's Kotlin binding, exported from the
//! same `libotpkit_ffi` as the uniffi binding (`otpkit-uniffi` links this crate in).
//!
//! uniffi's Kotlin goes through JNA with a status `Structure`, a handle clone and
//! buffers for strings on every call: tens of µs for a code (docs/benchmarks.md,
//! "Kotlin / JVM"). These functions take the handle uniffi's Kotlin object already
//! holds and primitive arguments, and make the same core or facade call as the
//! uniffi method, so a call costs one JNI transition plus the core's work.
//!
//! The Kotlin side (`bindings/kotlin/src/OtpkitJni.kt`, shipped in `otpkit.jar`)
//! declares them in `uniffi.otpkit.OtpkitJni` and calls them only inside the
//! uniffi object's own call guard (its call counter), so the object cannot be freed
//! by a concurrent `close()` while a call runs, and a call after `close()` throws
//! before reaching here. The hot calls and what they return:
//!
//! | Kotlin (`OtpkitJni`) | core or facade call | result |
//! | --- | --- | --- |
//! | `totpStepAt(handle, time)` | `Totp::step_at` | the step; [`FAILED`] on an error (or the step `u64::MAX`) |
//! | `totpCodeAt(handle, time)` | `Totp::code_at` | the code packed with its digits ([`pack`]); [`FAILED`] on an error |
//! | `totpVerify(handle, code, time, behind, ahead, out)` | `generators::totp_verify` | [`MATCHED`] (step and offset in `out`), [`NO_MATCH`], or [`FAILED`] |
//! | `hotpCode(handle, counter)` | `Hotp::code` | the packed code |
//! | `hotpVerify(handle, code, counter, lookAhead, out)` | `generators::hotp_verify` | as `totpVerify` |
//!
//! On [`FAILED`] the Kotlin side calls the uniffi method with the same arguments,
//! which throws the binding's typed `OtpkitException` (the same core call fails the
//! same way), so errors are never a second, different model. An optional argument
//! (`behind`, `ahead`, `lookAhead`) is `-1` for none (the facade's default).
//!
//! Loading: on Android `System.loadLibrary("otpkit_ffi")` binds the `Java_…`
//! symbols by name. On the JVM, JNA extracts the library from the JAR, opens it and
//! deletes the file, so it cannot be `System.load`ed by path; the Kotlin side calls
//! [`otpkit_jni_register`] through JNA on the library JNA already opened, which binds
//! the same functions with `RegisterNatives`.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

use std::ffi::{c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use jni_sys::{JNIEnv, JNINativeMethod, jclass, jint, jlong, jlongArray, jsize, jstring};
use otpkit::{Code, Hotp, Totp};
use otpkit_facade::generators as fg;
use otpkit_facade::records::CodeMatch;

/// A `verify` found the code: its step and offset are in the `out` array.
pub const MATCHED: jint = 1;
/// A `verify` found no match: a wrong or malformed code (uniffi's `null`).
pub const NO_MATCH: jint = 0;
/// The call failed (or, for `totpStepAt`, the step is `u64::MAX`): the Kotlin side
/// makes the uniffi call, which throws the typed exception (or returns that step).
pub const FAILED: jlong = -1;
/// [`FAILED`] as a `verify` result.
const VERIFY_FAILED: jint = -1;

/// A code as one `jlong`: its digit count in the top byte, its value below
/// (`digits << 56 | value`), so the Kotlin side pads the value to the core's own
/// digit count. A value has at most 10 digits (< 2^34) and digits are at most 10,
/// so the result is never negative, never [`FAILED`].
pub fn pack(code: Code) -> jlong {
    let digits = u64::from(code.digits().get());
    // Digits are 6 to 10 and the value below 10^10 < 2^56: the shift and the `or` lose
    // nothing and the top bit stays clear.
    i64::try_from((digits << 56) | code.value()).unwrap_or(FAILED)
}

/// The JNI `jlong` a Kotlin `ULong` was passed as, back as the `u64` it is.
const fn unsigned(value: jlong) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes())
}

/// A `u64` as the `jlong` Kotlin reads back with `toULong()`.
const fn signed(value: u64) -> jlong {
    i64::from_ne_bytes(value.to_ne_bytes())
}

/// An optional `u32` argument: `-1` is none; anything else outside `u32` is refused.
fn optional(value: jlong) -> Result<Option<u32>, ()> {
    match value {
        -1 => Ok(None),
        v => u32::try_from(v).map(Some).map_err(|_| ()),
    }
}

/// Runs `f`, turning a panic into `failed` instead of unwinding into the JVM (the
/// uniffi method, which the Kotlin side then calls, reports it as an exception).
fn guarded<R>(failed: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(failed)
}

/// The core generator a uniffi `Totp` handle points at.
///
/// # Safety
///
/// `handle` is 0 or the handle of a live uniffi `Totp` object (otpkit-uniffi's
/// `Totp`, `#[repr(transparent)]` over `otpkit::Totp`) that the caller keeps alive
/// for `'a`: the Kotlin object's call guard is held for the whole call.
unsafe fn totp<'a>(handle: jlong) -> Option<&'a Totp> {
    // SAFETY: uniffi 0.32's handle of an object is `Arc::into_raw` of its `Arc<T>`
    // (`uniffi::Handle::from_arc`): a pointer to the `T`, here otpkit-uniffi's `Totp`,
    // whose layout is `otpkit::Totp`'s (`repr(transparent)`). The caller keeps the Arc's
    // count above zero for `'a` (it holds a reference it does not give up during the
    // call), so the pointee is alive and never mutated (it has no interior
    // mutability); a null handle (a fake `NoHandle` object) is `None`.
    unsafe { (handle as usize as *const Totp).as_ref() }
}

/// The core generator a uniffi `Hotp` handle points at.
///
/// # Safety
///
/// As [`totp`], for otpkit-uniffi's `Hotp` (`#[repr(transparent)]` over
/// `otpkit::Hotp`).
unsafe fn hotp<'a>(handle: jlong) -> Option<&'a Hotp> {
    // SAFETY: as in `totp`: the handle is `Arc::into_raw` of a live `Arc` of
    // otpkit-uniffi's `Hotp`, laid out as `otpkit::Hotp`, kept alive by the caller.
    unsafe { (handle as usize as *const Hotp).as_ref() }
}

/// How many UTF-8 bytes of a code are decoded on the stack; a longer string (never
/// a valid code, but still the caller's to pass) is decoded on the heap.
const STACK_CODE: usize = 64;

/// Reads a Java string (UTF-16) and calls `f` with it as UTF-8. An unpaired
/// surrogate becomes U+FFFD, which no code contains, as uniffi's encoder replaces it
/// with `?`: both make the code malformed.
///
/// # Safety
///
/// `env` is the current thread's `JNIEnv` and `code` a non-null local reference to a
/// `java.lang.String`, as the JVM passes them to a native method.
unsafe fn with_code<R>(env: *mut JNIEnv, code: jstring, f: impl FnOnce(&str) -> R) -> R {
    // SAFETY: `env` is a valid `JNIEnv` (the caller's contract), whose function table
    // is a JNI 1.2+ one on every JVM and Android release otpkit supports.
    let table = unsafe { (**env).v1_2 };
    // SAFETY: `code` is a valid, non-null `String` reference.
    let len = unsafe { (table.GetStringLength)(env, code) };
    let units_len = usize::try_from(len).unwrap_or(0);
    let mut stack = [0u16; STACK_CODE];
    let mut heap = Vec::new();
    let units: &mut [u16] = match stack.get_mut(..units_len) {
        Some(units) => units,
        None => {
            heap.resize(units_len, 0);
            &mut heap
        }
    };
    // SAFETY: `units` has room for exactly `len` UTF-16 units (`len` is the string's
    // length, so the region 0..len is in bounds and nothing is thrown), and JNI writes
    // only those.
    unsafe { (table.GetStringRegion)(env, code, 0, len, units.as_mut_ptr()) };
    let mut bytes = [0u8; STACK_CODE * 3];
    let mut used = 0usize;
    for unit in char::decode_utf16(units.iter().copied()) {
        let ch = unit.unwrap_or(char::REPLACEMENT_CHARACTER);
        let end = used.saturating_add(ch.len_utf8());
        match bytes.get_mut(used..end) {
            Some(slot) => {
                ch.encode_utf8(slot);
                used = end;
            }
            None => return f(&String::from_utf16_lossy(units)),
        }
    }
    match bytes.get(..used).map(std::str::from_utf8) {
        Some(Ok(text)) => f(text),
        _ => f(&String::from_utf16_lossy(units)),
    }
}

/// Writes a match's step and offset into `out` (a `long[2]`).
///
/// # Safety
///
/// As [`with_code`], for `out`: a non-null local reference to a `long[]` of at least
/// two elements.
unsafe fn write_match(env: *mut JNIEnv, out: jlongArray, m: CodeMatch) -> jint {
    let values = [signed(m.step), m.offset];
    // SAFETY: `env` is valid (the caller's contract).
    let table = unsafe { (**env).v1_1 };
    // SAFETY: `out` is a `long[]` of at least 2 elements and `values` holds 2 `jlong`s;
    // had the caller passed a shorter array, JNI would leave an
    // `ArrayIndexOutOfBoundsException` pending, thrown when the call returns.
    unsafe { (table.SetLongArrayRegion)(env, out, 0, 2, values.as_ptr()) };
    MATCHED
}

/// A verify's common part: reads the typed `code`, runs the facade's `verify` on it
/// (a panic is [`VERIFY_FAILED`]), and returns its answer, a match's step and offset
/// written into `out`.
///
/// # Safety
///
/// As [`with_code`] for `env` and `code` and [`write_match`] for `out`, except that
/// either reference may be null (refused).
unsafe fn verify_call(
    env: *mut JNIEnv,
    code: jstring,
    out: jlongArray,
    verify: impl FnOnce(&str) -> Result<Option<CodeMatch>, otpkit_facade::FacadeError>,
) -> jint {
    if code.is_null() || out.is_null() {
        return VERIFY_FAILED;
    }
    guarded(VERIFY_FAILED, || {
        // SAFETY: `env` is the JVM's and `code` a non-null `String` (checked above).
        match unsafe { with_code(env, code, verify) } {
            // SAFETY: `out` is a non-null `long[2]` (checked above; the caller's contract).
            Ok(Some(m)) => unsafe { write_match(env, out, m) },
            Ok(None) => NO_MATCH,
            Err(_) => VERIFY_FAILED,
        }
    })
}

/// `OtpkitJni.totpStepAt(handle: Long, unixTime: Long): Long`: `Totp::step_at`.
///
/// # Safety
///
/// Called by the JVM for the Kotlin declaration, with `handle` 0 or a live uniffi
/// `Totp` handle kept alive by the Kotlin object's call guard for the whole call.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_uniffi_otpkit_OtpkitJni_totpStepAt(
    _env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    unix_time: jlong,
) -> jlong {
    // SAFETY: the handle is live for this call (this function's contract).
    let Some(totp) = (unsafe { totp(handle) }) else {
        return FAILED;
    };
    guarded(FAILED, || match totp.step_at(unsigned(unix_time)) {
        Ok(step) => signed(step),
        Err(_) => FAILED,
    })
}

/// `OtpkitJni.totpCodeAt(handle: Long, unixTime: Long): Long`: `Totp::code_at`,
/// [`pack`]ed.
///
/// # Safety
///
/// As [`Java_uniffi_otpkit_OtpkitJni_totpStepAt`].
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_uniffi_otpkit_OtpkitJni_totpCodeAt(
    _env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    unix_time: jlong,
) -> jlong {
    // SAFETY: the handle is live for this call (this function's contract).
    let Some(totp) = (unsafe { totp(handle) }) else {
        return FAILED;
    };
    guarded(FAILED, || match totp.code_at(unsigned(unix_time)) {
        Ok(code) => pack(code),
        Err(_) => FAILED,
    })
}

/// `OtpkitJni.totpVerify(handle: Long, code: String, unixTime: Long, behind: Long,
/// ahead: Long, out: LongArray): Int`: the facade's `totp_verify`, as uniffi's
/// `Totp.verify` calls it.
///
/// # Safety
///
/// As [`Java_uniffi_otpkit_OtpkitJni_totpStepAt`], with `code` a `String` and `out`
/// a `long[2]`, both non-null (Kotlin's types), as the JVM passes them.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_uniffi_otpkit_OtpkitJni_totpVerify(
    env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    code: jstring,
    unix_time: jlong,
    behind: jlong,
    ahead: jlong,
    out: jlongArray,
) -> jint {
    // SAFETY: the handle is live for this call (this function's contract).
    let Some(totp) = (unsafe { totp(handle) }) else {
        return VERIFY_FAILED;
    };
    let (Ok(behind), Ok(ahead)) = (optional(behind), optional(ahead)) else {
        return VERIFY_FAILED;
    };
    // SAFETY: `env`, `code` and `out` are as the JVM passes them (this function's contract).
    unsafe {
        verify_call(env, code, out, |text| {
            fg::totp_verify(totp, text, unsigned(unix_time), behind, ahead)
        })
    }
}

/// `OtpkitJni.hotpCode(handle: Long, counter: Long): Long`: `Hotp::code`, [`pack`]ed.
///
/// # Safety
///
/// As [`Java_uniffi_otpkit_OtpkitJni_totpStepAt`], for a uniffi `Hotp` handle.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_uniffi_otpkit_OtpkitJni_hotpCode(
    _env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    counter: jlong,
) -> jlong {
    // SAFETY: the handle is live for this call (this function's contract).
    let Some(hotp) = (unsafe { hotp(handle) }) else {
        return FAILED;
    };
    guarded(FAILED, || pack(hotp.code(unsigned(counter))))
}

/// `OtpkitJni.hotpVerify(handle: Long, code: String, counter: Long, lookAhead: Long,
/// out: LongArray): Int`: the facade's `hotp_verify`, as uniffi's `Hotp.verify`
/// calls it.
///
/// # Safety
///
/// As [`Java_uniffi_otpkit_OtpkitJni_totpVerify`], for a uniffi `Hotp` handle.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_uniffi_otpkit_OtpkitJni_hotpVerify(
    env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    code: jstring,
    counter: jlong,
    look_ahead: jlong,
    out: jlongArray,
) -> jint {
    // SAFETY: the handle is live for this call (this function's contract).
    let Some(hotp) = (unsafe { hotp(handle) }) else {
        return VERIFY_FAILED;
    };
    let Ok(look_ahead) = optional(look_ahead) else {
        return VERIFY_FAILED;
    };
    // SAFETY: `env`, `code` and `out` are as the JVM passes them (this function's contract).
    unsafe {
        verify_call(env, code, out, |text| {
            fg::hotp_verify(hotp, text, unsigned(counter), look_ahead)
        })
    }
}

/// The class whose natives [`otpkit_jni_register`] binds.
const CLASS: &[u8] = b"uniffi/otpkit/OtpkitJni\0";

/// One `RegisterNatives` entry: a method name and JNI signature (both
/// NUL-terminated) and the function.
fn native(name: &'static [u8], signature: &'static [u8], f: *mut c_void) -> JNINativeMethod {
    JNINativeMethod {
        // JNI never writes through these (`const char *` in jni.h since Java 7).
        name: name.as_ptr().cast::<c_char>().cast_mut(),
        signature: signature.as_ptr().cast::<c_char>().cast_mut(),
        fnPtr: f,
    }
}

/// Binds the natives of `uniffi.otpkit.OtpkitJni` to the functions above with
/// `RegisterNatives`. The Kotlin side calls it through JNA (direct mapping, its
/// `JNIEnv` argument) on the library JNA has loaded for uniffi, since that copy
/// cannot be `System.load`ed. `FindClass` resolves the class with the class loader
/// of the JNA-mapped method calling it, `uniffi.otpkit.OtpkitJniLoader`, which the
/// JAR loads with `OtpkitJni`. Returns `JNI_OK` (0), or a negative JNI error with a
/// Java exception pending (thrown when the call returns).
///
/// # Safety
///
/// `env` is the calling thread's `JNIEnv`, as JNA passes `JNIEnv.CURRENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn otpkit_jni_register(env: *mut JNIEnv) -> jint {
    if env.is_null() {
        return jni_sys::JNI_EINVAL;
    }
    // SAFETY: `env` is the calling thread's valid `JNIEnv` (this function's contract).
    let table = unsafe { (**env).v1_1 };
    // SAFETY: `CLASS` is a NUL-terminated binary class name.
    let class = unsafe { (table.FindClass)(env, CLASS.as_ptr().cast::<c_char>()) };
    if class.is_null() {
        // NoClassDefFoundError is pending.
        return jni_sys::JNI_ERR;
    }
    let methods = [
        native(
            b"totpStepAt\0",
            b"(JJ)J\0",
            Java_uniffi_otpkit_OtpkitJni_totpStepAt as *mut c_void,
        ),
        native(
            b"totpCodeAt\0",
            b"(JJ)J\0",
            Java_uniffi_otpkit_OtpkitJni_totpCodeAt as *mut c_void,
        ),
        native(
            b"totpVerify\0",
            b"(JLjava/lang/String;JJJ[J)I\0",
            Java_uniffi_otpkit_OtpkitJni_totpVerify as *mut c_void,
        ),
        native(
            b"hotpCode\0",
            b"(JJ)J\0",
            Java_uniffi_otpkit_OtpkitJni_hotpCode as *mut c_void,
        ),
        native(
            b"hotpVerify\0",
            b"(JLjava/lang/String;JJ[J)I\0",
            Java_uniffi_otpkit_OtpkitJni_hotpVerify as *mut c_void,
        ),
    ];
    let count = jsize::try_from(methods.len()).unwrap_or(0);
    // SAFETY: `class` is a valid local reference; each entry names a native method of
    // the class with its exact JNI signature and points at an `extern "system"`
    // function of that signature (receiver `jclass`: they are `@JvmStatic`); the
    // names and signatures are static NUL-terminated strings JNI only reads. A
    // mismatch leaves `NoSuchMethodError` pending rather than binding anything.
    let status = unsafe { (table.RegisterNatives)(env, class, methods.as_ptr(), count) };
    // SAFETY: `class` is a local reference this function made and no longer uses.
    unsafe { (table.DeleteLocalRef)(env, class) };
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::{Algorithm, Digits, Period, Secret};
    use std::sync::Arc;

    fn sha1_rfc() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    fn unpack(packed: jlong) -> String {
        let digits = usize::try_from(packed >> 56).unwrap();
        format!("{:0digits$}", packed & ((1 << 56) - 1))
    }

    #[test]
    fn pack_keeps_the_digits_and_leading_zeros() {
        let totp = Totp::new(&sha1_rfc(), Algorithm::Sha1, Digits::EIGHT, Period::DEFAULT);
        // RFC 6238: 07081804 at 1111111109 (SHA-1, 8 digits), a leading zero.
        let packed = pack(totp.code_at(1_111_111_109).unwrap());
        assert_eq!(packed >> 56, 8);
        assert_eq!(unpack(packed), "07081804");
        let ten = Hotp::new(&sha1_rfc(), Algorithm::Sha512, Digits::new(10).unwrap());
        for counter in [0, 1, u64::MAX] {
            let code = ten.code(counter);
            let packed = pack(code);
            assert!(packed > 0);
            assert_eq!(unpack(packed), code.to_string());
        }
    }

    #[test]
    fn an_optional_argument_is_minus_one_for_none_and_refused_outside_u32() {
        assert_eq!(optional(-1), Ok(None));
        assert_eq!(optional(0), Ok(Some(0)));
        assert_eq!(optional(i64::from(u32::MAX)), Ok(Some(u32::MAX)));
        assert_eq!(optional(i64::from(u32::MAX) + 1), Err(()));
        assert_eq!(optional(-2), Err(()));
    }

    #[test]
    fn unsigned_arguments_round_trip_through_jlong() {
        for v in [0, 1, u64::MAX, 1 << 63] {
            assert_eq!(unsigned(signed(v)), v);
        }
    }

    #[test]
    fn a_handle_is_read_as_the_generator_it_points_at() {
        // A handle as uniffi makes one (`Arc::into_raw`), of the core type itself.
        let totp = Arc::new(Totp::new(
            &sha1_rfc(),
            Algorithm::Sha1,
            Digits::EIGHT,
            Period::DEFAULT,
        ));
        let handle = Arc::into_raw(Arc::clone(&totp)) as usize as jlong;
        let (null, class) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: `handle` is a live `Arc<Totp>` pointer (released below); these
        // functions do not touch `env` or the class.
        let (code, step, late) = unsafe {
            (
                Java_uniffi_otpkit_OtpkitJni_totpCodeAt(null, class, handle, 59),
                Java_uniffi_otpkit_OtpkitJni_totpStepAt(null, class, handle, 59),
                Java_uniffi_otpkit_OtpkitJni_totpStepAt(null, class, handle, -1),
            )
        };
        assert_eq!(unpack(code), "94287082");
        assert_eq!(step, 1);
        assert_eq!(unsigned(late), u64::MAX / 30);
        // SAFETY: the reference `into_raw` gave out above, released once.
        drop(unsafe { Arc::from_raw(handle as usize as *const Totp) });
        assert_eq!(Arc::strong_count(&totp), 1);

        let hotp = Arc::new(Hotp::new(&sha1_rfc(), Algorithm::Sha1, Digits::SIX));
        let handle = Arc::into_raw(Arc::clone(&hotp)) as usize as jlong;
        // SAFETY: as above, for an `Arc<Hotp>`.
        let code = unsafe { Java_uniffi_otpkit_OtpkitJni_hotpCode(null, class, handle, 0) };
        assert_eq!(unpack(code), "755224");
        // SAFETY: as above.
        drop(unsafe { Arc::from_raw(handle as usize as *const Hotp) });
    }

    #[test]
    fn a_time_before_t0_fails_for_the_uniffi_call_to_report() {
        let totp = Arc::new(
            Totp::new(&sha1_rfc(), Algorithm::Sha1, Digits::SIX, Period::DEFAULT).with_t0(100),
        );
        let handle = Arc::into_raw(Arc::clone(&totp)) as usize as jlong;
        let (null, class) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: as in the test above.
        let (code, step) = unsafe {
            (
                Java_uniffi_otpkit_OtpkitJni_totpCodeAt(null, class, handle, 99),
                Java_uniffi_otpkit_OtpkitJni_totpStepAt(null, class, handle, 99),
            )
        };
        assert_eq!((code, step), (FAILED, FAILED));
        // SAFETY: as above.
        drop(unsafe { Arc::from_raw(handle as usize as *const Totp) });
    }

    #[test]
    fn a_null_handle_fails_without_reading_anything() {
        let (null, class) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: a null handle returns before any use of the (null) `env`.
        let (step, code, hotp) = unsafe {
            (
                Java_uniffi_otpkit_OtpkitJni_totpStepAt(null, class, 0, 59),
                Java_uniffi_otpkit_OtpkitJni_totpCodeAt(null, class, 0, 59),
                Java_uniffi_otpkit_OtpkitJni_hotpCode(null, class, 0, 0),
            )
        };
        assert_eq!((step, code, hotp), (FAILED, FAILED, FAILED));
    }
}
