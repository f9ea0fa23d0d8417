// Per-call cost of the Kotlin binding on the JVM, side by side with a hand-written
// javax.crypto TOTP (what a JVM developer would otherwise write), in one run: the JNI
// path of the hot calls (`codeAtFast`, …, kotlin/src/OtpkitJni.kt) and the uniffi API.
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

/** One operation to time: its name, the call, its batch size and its samples. */
class Row(val name: String, val op: () -> Long) {
    var batch = 1
    val samples = mutableListOf<Double>()
}

/**
 * Times every row in `rounds` rounds, each row one warm batch and `perRound` timed
 * batches of ~20 ms per round, so the rows are interleaved in time and a burst of load
 * from elsewhere falls on all of them. Prints median, p10 and min ns per call.
 */
fun runRows(rows: List<Row>, rounds: Int = 5, perRound: Int = 3) {
    for (row in rows) { // size a batch to ~20 ms, then warm up (JIT)
        while (true) {
            val t = System.nanoTime(); repeat(row.batch) { sink += row.op() }
            if (System.nanoTime() - t > 20_000_000 || row.batch > (1 shl 26)) break
            row.batch *= 2
        }
        repeat(10) { repeat(row.batch) { sink += row.op() } }
    }
    repeat(rounds) {
        for (row in rows) {
            repeat(row.batch) { sink += row.op() }
            repeat(perRound) {
                val t = System.nanoTime(); repeat(row.batch) { sink += row.op() }
                row.samples.add((System.nanoTime() - t).toDouble() / row.batch)
            }
        }
    }
    for (row in rows) {
        row.samples.sort()
        println("%-48s %10.1f ns  (p10 %.1f, min %.1f)".format(
            row.name, median(row), row.samples[row.samples.size / 10], row.samples.first()))
    }
}

fun median(row: Row): Double = row.samples[row.samples.size / 2]

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

    // The fast path gives the same codes and matches.
    for (t in listOf(59L, 1111111109L, t0)) {
        check(totp.codeAtFast(t.toULong()) == totp.codeAt(t.toULong()))
        check(totp.stepAtFast(t.toULong()) == totp.stepAt(t.toULong()))
        check(totp.verifyFast(jcaCode(t / 30), t.toULong()) == totp.verify(jcaCode(t / 30), t.toULong()))
    }
    val hotp = Hotp(secret)
    check(hotp.codeFast(7uL) == hotp.code(7uL))

    println("JVM ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}, " +
        "JNA ${Native.VERSION}; 5 interleaved rounds of 3 batches per row")
    var t = t0
    val code = totp.codeAt(t0.toULong())
    val hcode = hotp.code(7uL)
    val jcaGen = Row("javax.crypto: code (HMAC-SHA1, format)") { jcaCode((t++) / 30).length.toLong() }
    val jcaVer = Row("javax.crypto: verify ±1 (3 codes)") { if (jcaVerify(code, t0)) 1L else 0L }
    val jcaStep = Row("javax.crypto side: step (t / 30)") { (t++) / 30 }
    val fastStep = Row("otpkit JNI: totp.stepAtFast(t)") { totp.stepAtFast((t++).toULong()).toLong() }
    val fastGen = Row("otpkit JNI: totp.codeAtFast(t)") { totp.codeAtFast((t++).toULong()).length.toLong() }
    val fastVer = Row("otpkit JNI: totp.verifyFast(code, t) ±1") { totp.verifyFast(code, t0.toULong())!!.step.toLong() }
    val fastHotp = Row("otpkit JNI: hotp.codeFast(n)") { hotp.codeFast((t++).toULong()).length.toLong() }
    val fastHotpVer = Row("otpkit JNI: hotp.verifyFast(code, 7)") { hotp.verifyFast(hcode, 7uL)!!.step.toLong() }
    val step = Row("otpkit uniffi: totp.stepAt(t)") { totp.stepAt((t++).toULong()).toLong() }
    val gen = Row("otpkit uniffi: totp.codeAt(t)") { totp.codeAt((t++).toULong()).length.toLong() }
    val ver = Row("otpkit uniffi: totp.verify(code, t) ±1") { totp.verify(code, t0.toULong())!!.step.toLong() }
    val digits = Row("otpkit uniffi: totp.digits()") { totp.digits().toLong() }
    runRows(listOf(jcaGen, jcaVer, jcaStep, fastStep, fastGen, fastVer, fastHotp, fastHotpVer, step, gen, ver, digits))

    println("-- the layers of one uniffi call, through JNA direct mapping:")
    val reused = RawStatus()
    val handle = totp.uniffiCloneHandle()
    try {
        runRows(listOf(
            Row("bare JNA direct call (contract_version)") { Raw.ffi_otpkit_ffi_uniffi_contract_version().toLong() },
            Row("clone + stepAt, one status reused") {
                val h = Raw.uniffi_otpkit_ffi_fn_clone_totp(handle, reused)
                Raw.uniffi_otpkit_ffi_fn_method_totp_step_at(h, (t++) / 1, reused)
            },
            Row("clone + stepAt, new status per call") {
                val h = Raw.uniffi_otpkit_ffi_fn_clone_totp(handle, RawStatus())
                Raw.uniffi_otpkit_ffi_fn_method_totp_step_at(h, (t++) / 1, RawStatus())
            },
            Row("new status Structure only (no call)") { RawStatus().size().toLong() },
        ), rounds = 3)
    } finally {
        // Give back the clone taken above: step_at consumes one handle.
        Raw.uniffi_otpkit_ffi_fn_method_totp_step_at(handle, 0, reused)
    }
    println("ratios (medians): JNI codeAtFast / javax code %.2fx, JNI verifyFast / javax verify %.2fx, JNI stepAtFast %.3f µs".format(
        median(fastGen) / median(jcaGen), median(fastVer) / median(jcaVer), median(fastStep) / 1000))
    println("ratios (p10): JNI codeAtFast / javax code %.2fx, JNI verifyFast / javax verify %.2fx".format(
        fastGen.samples[fastGen.samples.size / 10] / jcaGen.samples[jcaGen.samples.size / 10],
        fastVer.samples[fastVer.samples.size / 10] / jcaVer.samples[jcaVer.samples.size / 10]))
    println("uniffi / JNI (medians): codeAt %.0fx, verify %.0fx, stepAt %.0fx".format(
        median(gen) / median(fastGen), median(ver) / median(fastVer), median(step) / median(fastStep)))
}
