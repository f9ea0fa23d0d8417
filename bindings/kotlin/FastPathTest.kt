// The JNI path of the hot calls (kotlin/src/OtpkitJni.kt over otpkit-jni):
// `codeAtFast`, `stepAtFast`, `verifyFast`, `codeFast` against the uniffi methods
// they stand beside, on the same objects.

import java.io.File
import java.util.concurrent.Callable
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue
import com.sun.jna.Library
import com.sun.jna.NativeLibrary
import uniffi.otpkit.*

/** RFC 4226 appendix D: HOTP SHA-1, 6 digits, counters 0 to 9. */
val RFC4226 = listOf(
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
)

/** Asserts that both calls throw the same binding exception, with the same text. */
fun sameError(what: String, uniffi: () -> Any?, fast: () -> Any?) {
    val expected = assertFailsWith<OtpkitException>("$what: uniffi") { uniffi() }
    val actual = assertFailsWith<OtpkitException>("$what: fast path") { fast() }
    assertEquals(expected::class, actual::class, what)
    assertEquals(expected.reason(), actual.reason(), what)
    assertEquals(expected.message, actual.message, what)
}

fun fastPathTests(h: Harness) {
    h.test("fast path: RFC 6238 codes, steps and matches equal the uniffi path (SHA-1/256/512, 6 and 8 digits)") {
        for (algorithm in Algorithm.values()) {
            for (digits in listOf<UByte>(6u, 8u, 10u)) {
                val totp = Totp(rfcSecret(algorithm), algorithm, digits)
                for (row in RFC6238) {
                    val time = row[0] as ULong
                    val code = totp.codeAtFast(time)
                    assertEquals(totp.codeAt(time), code, "$algorithm/$digits at $time")
                    assertEquals(digits.toInt(), code.length)
                    if (digits.toInt() == 8) {
                        val expected = row[1 + algorithm.ordinal] as String
                        assertEquals(expected, code, "RFC 6238 $algorithm at $time")
                    }
                    assertEquals(totp.stepAt(time), totp.stepAtFast(time))
                    for (at in listOf(time, time + 30u, time - 30u)) {
                        val m = totp.verifyFast(code, at)
                        assertEquals(totp.verify(code, at), m, "$algorithm/$digits: $code at $at")
                        assertEquals(totp.stepAt(time), m!!.step)
                    }
                    assertEquals(totp.verify(code, time + 60u), totp.verifyFast(code, time + 60u))
                    assertNull(totp.verifyFast(code, time + 60u))
                    val wide = totp.verifyFast(code, time + 60u, 2u, 0u)
                    assertEquals(totp.verify(code, time + 60u, 2u, 0u), wide)
                    assertEquals(-2L, wide!!.offset)
                }
            }
        }
    }

    h.test("fast path: RFC 4226 HOTP codes and look-ahead matches equal the uniffi path") {
        val hotp = Hotp(rfcSecret(Algorithm.SHA1))
        for ((counter, expected) in RFC4226.withIndex()) {
            assertEquals(expected, hotp.codeFast(counter.toULong()))
            assertEquals(hotp.code(counter.toULong()), hotp.codeFast(counter.toULong()))
        }
        val m = hotp.verifyFast("520489", 5u, 4u)
        assertEquals(Match(9u, 4L), m)
        assertEquals(hotp.verify("520489", 5u, 4u), m)
        assertNull(hotp.verifyFast("520489", 5u, 3u))
        assertNull(hotp.verifyFast("520489", 5u))
        assertEquals(Match(0u, 0L), hotp.verifyFast("755224", 0u))
        for (algorithm in Algorithm.values()) {
            for (digits in listOf<UByte>(6u, 8u, 10u)) {
                val g = Hotp(rfcSecret(algorithm), algorithm, digits)
                for (counter in listOf(0uL, 1uL, 1_000_000uL, ULong.MAX_VALUE)) {
                    val code = g.codeFast(counter)
                    assertEquals(g.code(counter), code, "$algorithm/$digits at $counter")
                    assertEquals(g.verify(code, counter), g.verifyFast(code, counter))
                }
            }
        }
    }

    h.test("fast path: codes keep their leading zeros") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1, 8u)
        assertEquals("07081804", totp.codeAtFast(1111111109uL))
        val hotp = Hotp(rfcSecret(Algorithm.SHA1))
        val zeros = (0uL until 2000uL).map { it to hotp.code(it) }.filter { it.second.startsWith("00") }
        assertTrue(zeros.isNotEmpty(), "no code with two leading zeros in 2000 counters")
        for ((counter, code) in zeros) assertEquals(code, hotp.codeFast(counter))
    }

    h.test("fast path: a wrong or malformed code is null, as the uniffi path's") {
        val totp = Totp(rfcSecret(Algorithm.SHA1))
        val now = 1_700_000_000uL
        val code = totp.codeAt(now)
        val typed = listOf(
            " $code ", "${code.take(3)} ${code.drop(3)}", // what people type: accepted
            "", "12345", "1234567", "12a456", "123 45 6", "１２３４５６",
            "x".repeat(10_000), code + "\u0000", "\uD83D\uDE00$code",
        ) + wrongCodes(totp, now)
        for (c in typed) {
            assertEquals(totp.verify(c, now), totp.verifyFast(c, now), "totp: '${c.take(20)}'")
        }
        // A string with an unpaired surrogate (not UTF-16 text) is no code either: null.
        // uniffi's String lowering cannot encode it and throws its encoder's
        // CharacterCodingException instead.
        for (c in listOf("\uD800" + code, code.dropLast(1) + "\uDC00")) {
            assertNull(totp.verifyFast(c, now))
            assertFailsWith<java.nio.charset.CharacterCodingException> { totp.verify(c, now) }
        }
        assertTrue(totp.verifyFast(" $code ", now) != null)
        for (c in wrongCodes(totp, now)) assertNull(totp.verifyFast(c, now))
        val hotp = Hotp(rfcSecret(Algorithm.SHA1))
        for (c in listOf("", "75522", "755224x", "7552２4", "\uD83D\uDE00", "y".repeat(500))) {
            assertNull(hotp.verifyFast(c, 0u, 10u), "hotp: '${c.take(20)}'")
            assertEquals(hotp.verify(c, 0u, 10u), hotp.verifyFast(c, 0u, 10u))
        }
    }

    h.test("fast path: errors are the binding's own exceptions, as the uniffi path throws them") {
        val late = Totp(rfcSecret(Algorithm.SHA1), t0 = 100uL)
        sameError("code before t0", { late.codeAt(99u) }, { late.codeAtFast(99u) })
        sameError("step before t0", { late.stepAt(99u) }, { late.stepAtFast(99u) })
        expectError<OtpkitException.Clock>(ErrorCode.BEFORE_EPOCH) { late.codeAtFast(99u) }
        val totp = Totp(rfcSecret(Algorithm.SHA1))
        sameError("window", { totp.verify("123456", 59u, 121u) }, { totp.verifyFast("123456", 59u, 121u) })
        sameError("window", { totp.verify("123456", 59u, 0u, UInt.MAX_VALUE) }, { totp.verifyFast("123456", 59u, 0u, UInt.MAX_VALUE) })
        expectError<OtpkitException.InvalidInput>(ErrorCode.WINDOW_TOO_LARGE) { totp.verifyFast("123456", 59u, 121u) }
        val hotp = Hotp(rfcSecret(Algorithm.SHA1))
        sameError("look-ahead", { hotp.verify("755224", 0u, 1001u) }, { hotp.verifyFast("755224", 0u, 1001u) })
        // The widest windows allowed are answered, not refused.
        assertEquals(totp.verify("123456", 59u, 120u, 120u), totp.verifyFast("123456", 59u, 120u, 120u))
    }

    h.test("fast path: the step ULong.MAX_VALUE is returned, not taken for a failure") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), period = 1uL)
        assertEquals(ULong.MAX_VALUE, totp.stepAt(ULong.MAX_VALUE))
        assertEquals(ULong.MAX_VALUE, totp.stepAtFast(ULong.MAX_VALUE))
        assertEquals(totp.codeAt(ULong.MAX_VALUE), totp.codeAtFast(ULong.MAX_VALUE))
    }

    h.test("fast path: after close() every call throws IllegalStateException, as uniffi's") {
        val totp = Totp(rfcSecret(Algorithm.SHA1))
        assertEquals("287082", totp.codeAtFast(59u))
        totp.close()
        assertTrue(totp.uniffiIsDestroyed)
        assertFailsWith<IllegalStateException> { totp.codeAt(59u) }
        val e = assertFailsWith<IllegalStateException> { totp.codeAtFast(59u) }
        assertEquals("Totp object has already been destroyed", e.message)
        assertFailsWith<IllegalStateException> { totp.stepAtFast(59u) }
        assertFailsWith<IllegalStateException> { totp.verifyFast("287082", 59u) }
        totp.close() // a second close is a no-op
        assertFailsWith<IllegalStateException> { totp.codeAtFast(59u) }
        val hotp = Hotp(rfcSecret(Algorithm.SHA1))
        hotp.destroy()
        assertFailsWith<IllegalStateException> { hotp.codeFast(0u) }
        assertFailsWith<IllegalStateException> { hotp.verifyFast("755224", 0u) }
        // A fake object (uniffi's NoHandle constructor, for tests) has nothing to call.
        assertFailsWith<InternalException> { Totp(NoHandle).codeAtFast(59u) }
        assertFailsWith<InternalException> { Hotp(NoHandle).codeFast(0u) }
    }

    h.test("fast path: several threads share one generator, and a close() while they run never crashes") {
        val totp = Totp(rfcSecret(Algorithm.SHA256), Algorithm.SHA256, 8u)
        val times = (0 until 200).map { 1_700_000_000uL + it.toULong() * 17uL }
        val expected = times.map { totp.codeAt(it) }
        val steps = times.map { totp.stepAt(it) }
        val pool = Executors.newFixedThreadPool(8)
        try {
            val jobs = (0 until 8).map {
                Callable {
                    repeat(20) {
                        for ((i, t) in times.withIndex()) {
                            assertEquals(expected[i], totp.codeAtFast(t))
                            assertEquals(steps[i], totp.stepAtFast(t))
                            assertEquals(steps[i], totp.verifyFast(expected[i], t)!!.step)
                        }
                    }
                }
            }
            pool.invokeAll(jobs).forEach { it.get() }

            // Threads calling while another closes: each call returns the right code or
            // throws IllegalStateException once the object is destroyed; the Rust object
            // is freed only when the last running call has left the guard.
            val shared = Totp(rfcSecret(Algorithm.SHA1))
            val want = shared.codeAt(59u)
            val start = CountDownLatch(1)
            val racers = (0 until 6).map {
                pool.submit(Callable {
                    start.await()
                    var ok = 0
                    var closed = 0
                    repeat(20_000) {
                        try {
                            assertEquals(want, shared.codeAtFast(59u))
                            ok++
                        } catch (e: IllegalStateException) {
                            closed++
                        }
                    }
                    ok to closed
                })
            }
            start.countDown()
            Thread.sleep(5)
            shared.close()
            val results = racers.map { it.get(60, TimeUnit.SECONDS) }
            assertTrue(results.all { it.first + it.second == 20_000 })
            assertTrue(results.sumOf { it.second } > 0, "no call saw the object closed")
        } finally {
            pool.shutdownNow()
        }
    }

    h.test("fast path: the JNI functions come from the library JNA loaded, not a second copy") {
        val totp = Totp(rfcSecret(Algorithm.SHA1))
        totp.codeAtFast(59u) // loads and binds the JNI functions
        val maps = File("/proc/self/maps")
        if (maps.exists()) {
            // JNA extracts the library from the JAR to a temporary jna*.tmp file (deleted
            // once opened); a second extraction would map a second such file.
            val lib = NativeLibrary.getInstance("otpkit_ffi", mapOf(Library.OPTION_CLASSLOADER to Totp::class.java.classLoader))
            val dir = lib.file.parentFile.path
            val dispatch = System.getProperty("jnidispatch.path")
            val copies = maps.readLines().map { it.substringAfter(" /", "").let { p -> "/" + p.removeSuffix(" (deleted)") } }
                .filter { p -> "otpkit_ffi" in p || (p.startsWith("$dir/jna") && p != dispatch) }.toSet()
            assertEquals(setOf(lib.file.path), copies)
        }
    }
}
