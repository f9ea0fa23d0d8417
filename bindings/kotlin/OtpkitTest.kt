// Tests of the generated Kotlin bindings (package uniffi.otpkit) against the real
// libotpkit_ffi, run on the JVM through JNA. See bindings/test.sh.

import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import uniffi.otpkit.*

/** RFC 6238 appendix B seeds: the ASCII digits repeated to 20, 32 and 64 bytes. */
fun rfcSecret(algorithm: Algorithm): Secret {
    val len = when (algorithm) {
        Algorithm.SHA1 -> 20
        Algorithm.SHA256 -> 32
        Algorithm.SHA512 -> 64
    }
    val bytes = ByteArray(len) { i -> "1234567890"[i % 10].code.toByte() }
    return Secret.fromBytes(bytes)
}

/** RFC 6238 appendix B: (time, SHA1, SHA256, SHA512), 8 digits, 30 s period. */
val RFC6238 = listOf(
    listOf(59uL, "94287082", "46119246", "90693936"),
    listOf(1111111109uL, "07081804", "68084774", "25091201"),
    listOf(1111111111uL, "14050471", "67062674", "99943326"),
    listOf(1234567890uL, "89005924", "91819424", "93441116"),
    listOf(2000000000uL, "69279037", "90698825", "38618901"),
    listOf(20000000000uL, "65353130", "77737706", "47863826"),
)

fun main() {
    val h = Harness()

    h.test("secret: Base32 as pasted, canonical and grouped output") {
        val s = Secret.fromBase32("gezd-gnbv gy3t qojq gezd gnbv gy3t qojq====")
        assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", s.base32())
        assertEquals("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", s.base32Grouped())
        assertEquals("12345678901234567890", String(s.bytes()))
        assertEquals(20u, s.len())
        assertEquals(s, Secret.fromBase32(s.base32Grouped()))
    }

    h.test("secret: generated length follows the algorithm, values differ") {
        assertEquals(20u, Secret.generate(Algorithm.SHA1).len())
        assertEquals(32u, Secret.generate(Algorithm.SHA256).len())
        assertEquals(64u, Secret.generate(Algorithm.SHA512).len())
        assertNotEquals(Secret.generate(Algorithm.SHA1), Secret.generate(Algorithm.SHA1))
    }

    h.test("secret: toString shows no key material") {
        val s = rfcSecret(Algorithm.SHA1)
        val text = s.toString()
        assertFalse(text.contains("GEZD"), text)
        assertTrue(text.contains("len: 20"), text)
    }

    h.test("secret: typed errors carrying the core's message") {
        val e = assertFailsWith<SecretException.InvalidCharacter> {
            Secret.fromBase32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
        }
        assertTrue(e.message!!.contains("position 16"), e.message)
        assertFalse(e.message!!.contains("GEZD"), e.message)
        val short = assertFailsWith<SecretException.TooShort> { Secret.fromBase32("JBSWY3DPEHPK3PXP") }
        assertTrue(short.message!!.contains("80 bits"), short.message)
        assertTrue(Secret.fromBase32("JBSWY3DPEHPK3PXP", allowShort = true).isShort())
        assertFailsWith<SecretException.Empty> { Secret.fromBase32(" - ") }
        // Every variant is a SecretException, so one catch handles them all.
        assertFailsWith<SecretException> { Secret.fromBytes(ByteArray(129)) }
    }

    h.test("totp: RFC 6238 vectors for SHA1/256/512 with 20/32/64-byte seeds") {
        val algorithms = listOf(Algorithm.SHA1, Algorithm.SHA256, Algorithm.SHA512)
        for (row in RFC6238) {
            val time = row[0] as ULong
            algorithms.forEachIndexed { i, alg ->
                val totp = Totp(rfcSecret(alg), alg, digits = 8u)
                assertEquals(row[i + 1], totp.codeAt(time), "$alg at $time")
            }
        }
    }

    h.test("totp: seconds left in the period") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        assertEquals(1uL, totp.secondsLeft(59uL))
        assertEquals(30uL, totp.secondsLeft(60uL))
        assertEquals(1uL, totp.stepAt(59uL))
        assertEquals(totp.codeAt(59uL), totp.codeAtStep(1uL))
        assertEquals(6, totp.codeNow().length)
    }

    h.test("totp: stateless verify reports the matched step and offset") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val code = totp.codeAt(59uL)
        assertEquals(Match(step = 1uL, offset = -1L), totp.verify(code, 89uL, behind = 1u, ahead = 0u))
        assertFailsWith<VerifyException.Mismatch> { totp.verify(code, 89uL, behind = 0u, ahead = 0u) }
        val bad = assertFailsWith<VerifyException.Malformed> { totp.verify("12a456", 59uL) }
        assertTrue(bad.message!!.contains("position 3"), bad.message)
    }

    h.test("totp: bad parameters are typed errors") {
        val s = rfcSecret(Algorithm.SHA1)
        assertFailsWith<ParameterException.Digits> { Totp(s, Algorithm.SHA1, digits = 5u) }
        assertFailsWith<ParameterException.Period> { Totp(s, Algorithm.SHA1, period = 0uL) }
        val late = Totp(s, Algorithm.SHA1, t0 = 100uL)
        assertFailsWith<TimeException.BeforeEpoch> { late.codeAt(99uL) }
    }

    h.test("hotp: RFC 4226 vectors and look-ahead") {
        val hotp = Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        assertEquals("755224", hotp.code(0uL))
        assertEquals("520489", hotp.code(9uL))
        assertEquals(Match(step = 9uL, offset = 4L), hotp.verify("520489", 5uL, lookAhead = 4u))
        assertFailsWith<VerifyException.Mismatch> { hotp.verify("520489", 5uL, lookAhead = 3u) }
    }

    h.test("threads: one Totp shared by 8 threads gives the same codes") {
        val totp = Totp(rfcSecret(Algorithm.SHA256), Algorithm.SHA256, digits = 8u)
        val pool = Executors.newFixedThreadPool(8)
        try {
            val jobs = (0 until 8).map {
                Callable { (0 until 200).map { totp.codeAt(1111111109uL) }.toSet() }
            }
            val results = pool.invokeAll(jobs).map { it.get() }
            for (codes in results) assertEquals(setOf("68084774"), codes)
        } finally {
            pool.shutdown()
            pool.awaitTermination(10, TimeUnit.SECONDS)
        }
    }

    h.run()
}
