// Per-call cost of the Kotlin binding on the JVM, side by side with a hand-written
// javax.crypto TOTP (what a JVM developer would otherwise write), in one run.
// Run by bindings/kotlin/bench/run.sh against the release otpkit.jar.
//
// Besides the public API it times the layers underneath, calling the same exported
// C functions through JNA direct mapping (as the generated code does), to show where
// a call's time goes: the bare JNA call, the call-status Structure the generated code
// allocates per call, and the handle clone it makes per method call.

import com.sun.jna.Native
import com.sun.jna.Pointer
import com.sun.jna.Structure
import java.nio.ByteBuffer
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import uniffi.otpkit.*

@Structure.FieldOrder("capacity", "len", "data")
open class RawBuffer : Structure() {
    @JvmField var capacity: Long = 0
    @JvmField var len: Long = 0
    @JvmField var data: Pointer? = null
    class ByValue : RawBuffer(), Structure.ByValue
}

@Structure.FieldOrder("code", "error_buf")
open class RawStatus : Structure() {
    @JvmField var code: Byte = 0
    @JvmField var error_buf: RawBuffer.ByValue = RawBuffer.ByValue()
}

// The same library the binding loaded (JNA caches it by name and class loader).
object Raw {
    init { Native.register(Raw::class.java, "otpkit_ffi") }
    @JvmStatic external fun ffi_otpkit_ffi_uniffi_contract_version(): Int
    @JvmStatic external fun uniffi_otpkit_ffi_fn_clone_totp(handle: Long, status: RawStatus): Long
    @JvmStatic external fun uniffi_otpkit_ffi_fn_method_totp_step_at(handle: Long, t: Long, status: RawStatus): Long
}

@Volatile var sink: Long = 0

/** Median ns per operation over `rounds` timed batches, after warm-up. */
fun bench(name: String, op: () -> Long): Double {
    var batch = 1
    while (true) { // size a batch to ~20 ms
        val t = System.nanoTime(); repeat(batch) { sink += op() }
        if (System.nanoTime() - t > 20_000_000 || batch > (1 shl 26)) break
        batch *= 2
    }
    repeat(20) { repeat(batch) { sink += op() } } // warm-up (JIT)
    val samples = DoubleArray(15) {
        val t = System.nanoTime(); repeat(batch) { sink += op() }
        (System.nanoTime() - t).toDouble() / batch
    }
    samples.sort()
    val median = samples[samples.size / 2]
    println("%-44s %10.1f ns  (min %.1f, max %.1f)".format(name, median, samples.first(), samples.last()))
    return median
}

fun main() {
    val key = "12345678901234567890".toByteArray()
    val secret = Secret.fromBytes(key, false)
    val totp = Totp(secret, Algorithm.SHA1)
    val t0 = 1_700_000_000L

    // The hand-written TOTP: one Mac reused, as a careful JVM server would.
    val mac = Mac.getInstance("HmacSHA1").apply { init(SecretKeySpec(key, "HmacSHA1")) }
    val msg = ByteBuffer.allocate(8)
    fun jcaCode(step: Long): String {
        msg.putLong(0, step)
        val h = mac.doFinal(msg.array())
        val o = h[19].toInt() and 0xf
        val bin = ((h[o].toInt() and 0x7f) shl 24) or ((h[o + 1].toInt() and 0xff) shl 16) or
            ((h[o + 2].toInt() and 0xff) shl 8) or (h[o + 3].toInt() and 0xff)
        val s = (bin % 1_000_000).toString()
        return "000000".substring(s.length) + s
    }
    fun jcaVerify(code: String, t: Long): Boolean {
        val step = t / 30
        var ok = false
        for (d in -1L..1L) ok = ok or java.security.MessageDigest.isEqual(
            jcaCode(step + d).toByteArray(), code.toByteArray())
        return ok
    }
    // Both sides agree before anything is timed.
    for (t in listOf(59L, 1111111109L, t0)) check(jcaCode(t / 30) == totp.codeAt(t.toULong()))

    println("JVM ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}, " +
        "JNA ${Native.VERSION}; median of 15 batches")
    var t = t0
    val code = totp.codeAt(t0.toULong())
    val jcaGen = bench("javax.crypto: code (HMAC-SHA1, format)") { jcaCode((t++) / 30).length.toLong() }
    val jcaVer = bench("javax.crypto: verify ±1 (3 codes)") { if (jcaVerify(code, t0)) 1L else 0L }
    val step = bench("otpkit: totp.stepAt(t)") { totp.stepAt((t++).toULong()).toLong() }
    bench("otpkit: totp.digits()") { totp.digits().toLong() }
    val gen = bench("otpkit: totp.codeAt(t)") { totp.codeAt((t++).toULong()).length.toLong() }
    val ver = bench("otpkit: totp.verify(code, t) ±1") { totp.verify(code, t0.toULong())!!.step.toLong() }

    println("-- the layers of one call, through JNA direct mapping:")
    bench("bare JNA direct call (contract_version)") { Raw.ffi_otpkit_ffi_uniffi_contract_version().toLong() }
    val reused = RawStatus()
    val handle = totp.uniffiCloneHandle()
    try {
        bench("clone + stepAt, one status reused") {
            val h = Raw.uniffi_otpkit_ffi_fn_clone_totp(handle, reused)
            Raw.uniffi_otpkit_ffi_fn_method_totp_step_at(h, (t++) / 1, reused)
        }
        bench("clone + stepAt, new status per call") {
            val h = Raw.uniffi_otpkit_ffi_fn_clone_totp(handle, RawStatus())
            Raw.uniffi_otpkit_ffi_fn_method_totp_step_at(h, (t++) / 1, RawStatus())
        }
        bench("new status Structure only (no call)") { RawStatus().size().toLong() }
    } finally {
        // Give back the clone taken above: step_at consumes one handle.
        Raw.uniffi_otpkit_ffi_fn_method_totp_step_at(handle, 0, reused)
    }
    println("ratios: codeAt / javax %.1fx, verify / javax %.1fx, stepAt %.2f µs".format(
        gen / jcaGen, ver / jcaVer, step / 1000))
}
