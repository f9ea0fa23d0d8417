// The hot calls of Totp and Hotp through JNI, beside the uniffi API (which stays the
// public one): `codeAtFast`, `stepAtFast`, `verifyFast` on a Totp, `codeFast`,
// `verifyFast` on a Hotp. Compiled into otpkit.jar with the generated otpkit.kt
// (bindings/package.sh); the functions are otpkit-jni's, in the same libotpkit_ffi.
//
// Why: uniffi's Kotlin pays a status Structure, a handle clone and string buffers per
// call through JNA, tens of µs (docs/benchmarks.md, "Kotlin / JVM"). These take the
// handle the uniffi object already holds, inside the object's own call guard, and
// primitive arguments: one JNI call each.
package uniffi.otpkit

import com.sun.jna.JNIEnv
import com.sun.jna.Native
import com.sun.jna.Platform
import java.lang.reflect.Field
import java.util.concurrent.atomic.AtomicLong

/**
 * The code for a Unix time, zero-padded: [Totp.codeAt] through JNI. The same code and
 * the same exceptions (a time before `t0`: [OtpkitException.Clock]); after [Totp.close]
 * an [IllegalStateException], as every uniffi method throws.
 */
fun Totp.codeAtFast(unixTime: ULong): String = OtpkitJni.TOTP.call(this) { handle ->
    val packed = OtpkitJni.totpCodeAt(handle, unixTime.toLong())
    if (packed == OtpkitJni.FAILED) OtpkitJni.unreported(codeAt(unixTime)) else OtpkitJni.code(packed)
}

/** The time step of a Unix time: [Totp.stepAt] through JNI, with its exceptions. */
fun Totp.stepAtFast(unixTime: ULong): ULong = OtpkitJni.TOTP.call(this) { handle ->
    val step = OtpkitJni.totpStepAt(handle, unixTime.toLong())
    // FAILED is also the step ULong.MAX_VALUE (a 1 s period near the end of time): the
    // uniffi call either returns that step or throws the error.
    if (step == OtpkitJni.FAILED) stepAt(unixTime) else step.toULong()
}

/**
 * [Totp.verify] through JNI: the [Match], or `null` for a wrong or malformed code;
 * `behind`/`ahead` as there (±1 step by default, at most 120:
 * [OtpkitException.InvalidInput] `WINDOW_TOO_LARGE` above).
 */
fun Totp.verifyFast(code: String, unixTime: ULong, behind: UInt? = null, ahead: UInt? = null): Match? =
    OtpkitJni.TOTP.call(this) { handle ->
        val out = LongArray(2)
        val found = OtpkitJni.totpVerify(handle, code, unixTime.toLong(), OtpkitJni.optional(behind), OtpkitJni.optional(ahead), out)
        OtpkitJni.match(found, out) { verify(code, unixTime, behind, ahead) }
    }

/** The code at a counter value, zero-padded: [Hotp.code] through JNI. */
fun Hotp.codeFast(counter: ULong): String = OtpkitJni.HOTP.call(this) { handle ->
    val packed = OtpkitJni.hotpCode(handle, counter.toLong())
    if (packed == OtpkitJni.FAILED) OtpkitJni.unreported(code(counter)) else OtpkitJni.code(packed)
}

/** [Hotp.verify] through JNI: the [Match] or `null`; `lookAhead` at most 1000. */
fun Hotp.verifyFast(code: String, counter: ULong, lookAhead: UInt? = null): Match? =
    OtpkitJni.HOTP.call(this) { handle ->
        val out = LongArray(2)
        val found = OtpkitJni.hotpVerify(handle, code, counter.toLong(), OtpkitJni.optional(lookAhead), out)
        OtpkitJni.match(found, out) { verify(code, counter, lookAhead) }
    }

/**
 * The JNI functions of otpkit-jni (bindings/otpkit-jni/src/lib.rs) and what the
 * extension functions above share. Loaded from the library uniffi's JNA has loaded.
 */
internal object OtpkitJni {
    /** A call failed: the uniffi call with the same arguments throws the typed error. */
    const val FAILED = -1L
    const val MATCHED = 1
    const val NO_MATCH = 0

    val TOTP = HandleGuard(Totp::class.java)
    val HOTP = HandleGuard(Hotp::class.java)

    init {
        if (Platform.isAndroid()) {
            // Android: the library is in the APK's lib/ folder, where JNA loaded it with
            // System.loadLibrary too; loading it for this class binds the Java_… symbols.
            // (Not run by this repository's tests, which are on the JVM.)
            System.loadLibrary("otpkit_ffi")
        } else {
            // The JVM: JNA extracted the library from the JAR, opened it and deleted the
            // file, so it cannot be System.load()ed by path (which would also be a second
            // copy). The same NativeLibrary JNA opened for uniffi (same name, same class
            // loader) binds this class's natives with RegisterNatives.
            val status = OtpkitJniLoader.otpkit_jni_register(JNIEnv.CURRENT)
            check(status == 0) { "otpkit: binding the JNI functions failed (JNI status $status)" }
        }
    }

    @JvmStatic external fun totpStepAt(handle: Long, unixTime: Long): Long
    @JvmStatic external fun totpCodeAt(handle: Long, unixTime: Long): Long
    @JvmStatic external fun totpVerify(handle: Long, code: String, unixTime: Long, behind: Long, ahead: Long, out: LongArray): Int
    @JvmStatic external fun hotpCode(handle: Long, counter: Long): Long
    @JvmStatic external fun hotpVerify(handle: Long, code: String, counter: Long, lookAhead: Long, out: LongArray): Int

    /** An optional `UInt` argument as the JNI side reads it: -1 for none. */
    fun optional(value: UInt?): Long = value?.toLong() ?: -1L

    /**
     * A code the JNI side packed as `digits shl 56 or value`, zero-padded to the core's
     * digit count (6 to 10).
     */
    fun code(packed: Long): String {
        val digits = (packed ushr 56).toInt()
        var value = packed and 0x00FF_FFFF_FFFF_FFFFL
        val text = CharArray(digits)
        for (i in digits - 1 downTo 0) {
            text[i] = '0' + (value % 10).toInt()
            value /= 10
        }
        return String(text)
    }

    inline fun match(found: Int, out: LongArray, uniffiCall: () -> Match?): Match? = when (found) {
        MATCHED -> Match(out[0].toULong(), out[1])
        NO_MATCH -> null
        else -> unreported(uniffiCall())
    }

    /**
     * Where the JNI call failed and the uniffi call with the same arguments (which
     * throws the typed error for the same core call) returned instead.
     */
    fun unreported(uniffiResult: Any?): Nothing =
        throw IllegalStateException("otpkit: the JNI call failed where the uniffi call returned $uniffiResult")
}

/** JNA's direct mapping of the one function that binds [OtpkitJni]'s natives. */
internal object OtpkitJniLoader {
    init {
        // The name and class loader uniffi's UniffiLib registers with, so JNA hands back
        // the NativeLibrary it already opened (one copy of the library).
        val name = System.getProperty("uniffi.component.otpkit.libraryOverride") ?: "otpkit_ffi"
        Native.register(OtpkitJniLoader::class.java, name)
    }

    @Suppress("FunctionName")
    @JvmStatic external fun otpkit_jni_register(env: JNIEnv): Int
}

/**
 * The uniffi object's own call guard, read through reflection (its fields are
 * private): the same call counter as uniffi's `callWithHandle`, without the handle
 * clone (the handle is only borrowed for the JNI call). While a call holds the
 * counter, `close()`/`destroy()` cannot free the Rust object; once it is destroyed,
 * every call throws [IllegalStateException] as uniffi's do.
 */
internal class HandleGuard(type: Class<*>) {
    @PublishedApi internal val handle: Field = field(type, "handle")
    @PublishedApi internal val callCounter: Field = field(type, "callCounter")
    @PublishedApi internal val cleanable: Field = field(type, "cleanable")

    inline fun <R> call(obj: Any, block: (handle: Long) -> R): R {
        val counter = callCounter.get(obj) as AtomicLong
        do {
            val c = counter.get()
            if (c == 0L) {
                throw IllegalStateException("${obj.javaClass.simpleName} object has already been destroyed")
            }
            if (c == Long.MAX_VALUE) {
                throw IllegalStateException("${obj.javaClass.simpleName} call counter would overflow")
            }
        } while (!counter.compareAndSet(c, c + 1L))
        try {
            val h = handle.getLong(obj)
            if (h == 0L) {
                throw InternalException("${obj.javaClass.simpleName}: a NoHandle object has no Rust object to call")
            }
            return block(h)
        } finally {
            if (counter.decrementAndGet() == 0L) {
                (cleanable.get(obj) as UniffiCleaner.Cleanable?)?.clean()
            }
        }
    }

    private companion object {
        fun field(type: Class<*>, name: String): Field =
            try {
                type.getDeclaredField(name).apply { isAccessible = true }
            } catch (e: NoSuchFieldException) {
                throw IllegalStateException("otpkit: ${type.simpleName} has no field $name: the JNI path follows uniffi 0.32's object layout", e)
            }
    }
}
