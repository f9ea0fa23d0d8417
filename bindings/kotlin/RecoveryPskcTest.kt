// Recovery codes and PSKC import through the Kotlin bindings; registered with the
// Harness from OtpkitTest.kt's main. The PSKC tests read RFC 6030's figures from
// crates/otpkit-pskc/tests/data (the files the Rust crate's tests use).

import java.io.File
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.otpkit.*

/** RFC 6030 figure `n`, found by walking up from the working directory. */
fun rfc6030Figure(n: Int): String {
    var dir: File? = File("").absoluteFile
    while (dir != null) {
        val f = File(dir, "crates/otpkit-pskc/tests/data/rfc6030-figure-$n.xml")
        if (f.isFile) return f.readText()
        dir = dir.parentFile
    }
    error("rfc6030-figure-$n.xml not found above ${File("").absolutePath}")
}

fun recoveryPskcTests(h: Harness) {
    val rfcSecret = "12345678901234567890".toByteArray()
    val psk = ByteArray(16) { i -> byteArrayOf(0x12, 0x34, 0x56, 0x78, 0x90.toByte())[i % 5] }

    h.test("recovery: every code verifies once, in any spelling; the state holds no code") {
        val set = generateRecoveryCodes(count = 4u, length = 16u)
        assertEquals(4, set.codes.size)
        assertTrue(set.state.startsWith("otpr1."))
        assertFalse(set.codes.any { set.state.contains(it.replace("-", "")) })
        var state = set.state
        set.codes.forEachIndexed { i, code ->
            val v = verifyRecoveryCode(state, code.lowercase().replace("-", " "), 1000uL)
            assertTrue(v.ok, v.toString())
            assertEquals(AttemptKind.RECOVERY, v.kind)
            assertEquals(Pair(i.toULong(), (3 - i).toULong()), Pair(v.index, v.remaining))
            val used = verifyRecoveryCode(v.state, code, 1001uL)
            assertEquals(ErrorCode.REPLAYED, used.reason)
            assertEquals(used.message, used.toString())
            state = v.state
        }
    }

    h.test("recovery: other sets' codes fail, failures lock, errors are typed") {
        val mine = generateRecoveryCodes()
        val theirs = generateRecoveryCodes()
        var state = mine.state
        repeat(5) { state = verifyRecoveryCode(state, theirs.codes[0], 1000uL).state }
        val locked = verifyRecoveryCode(state, mine.codes[0], 1001uL)
        assertEquals(ErrorCode.LOCKED, locked.reason)
        assertTrue(locked.lockedUntil!! > 1001uL)
        assertEquals(ErrorCode.CODE_MALFORMED, verifyRecoveryCode(mine.state, "nope", 1000uL).reason)
        val strict = verifyRecoveryCode(mine.state, "nope", 1000uL, Policy(maxFailures = 1u))
        assertEquals(ErrorCode.LOCKED, verifyRecoveryCode(strict.state, mine.codes[0], 1001uL, Policy(maxFailures = 1u)).reason)
        val weak = expectError<OtpkitException.InvalidInput>(ErrorCode.RECOVERY_CODES_TOO_WEAK) { generateRecoveryCodes(length = 10u) }
        assertTrue(weak.message.contains("64"), weak.message)
        expectError<OtpkitException.Damaged>(null) { verifyRecoveryCode("otpr1.x", mine.codes[0], 0uL) }
    }

    h.test("pskc: RFC 6030 figures 3, 6 and 7 in the clear, with the key and the password") {
        val plain = importPskc(rfc6030Figure(3)).single()
        assertNull(plain.error)
        assertNull(plain.reason)
        assertEquals("987654321", plain.serialNumber)
        assertEquals("inTheClear", plain.protection)
        val account = assertNotNull(plain.account)
        assertEquals(Kind.Hotp(counter = 0uL), account.kind)
        assertEquals("84755224", account.hotp()!!.code(0uL)) // RFC 4226 Appendix D, 8 digits
        val fromKey = importPskc(rfc6030Figure(6), preSharedKey = psk).single()
        assertContentEquals(rfcSecret, fromKey.account!!.secret.bytes())
        assertEquals("macChecked", fromKey.protection)
        val fromPassword = importPskc(rfc6030Figure(7), password = "qwerty").single()
        assertContentEquals(rfcSecret, fromPassword.account!!.secret.bytes())
        assertFalse(fromPassword.toString().contains("GEZD"), fromPassword.toString())
    }

    h.test("pskc: wrong key or password, none, both, a DTD, a short secret per key, a KDF budget") {
        expectError<OtpkitException.Password>(ErrorCode.WRONG_KEY_OR_PASSWORD) { importPskc(rfc6030Figure(6), preSharedKey = ByteArray(16)) }
        expectError<OtpkitException.Password>(ErrorCode.PASSWORD_REQUIRED) { importPskc(rfc6030Figure(7)) }
        val wrong = expectError<OtpkitException.Password>(ErrorCode.WRONG_KEY_OR_PASSWORD) { importPskc(rfc6030Figure(7), password = "qwertz") }
        assertFalse(wrong.message.contains("qwert"))
        expectError<OtpkitException.InvalidInput>(ErrorCode.KEY_AND_PASSWORD) { importPskc(rfc6030Figure(6), preSharedKey = psk, password = "x") }
        expectError<OtpkitException.InvalidInput>(ErrorCode.FILE_MALFORMED) { importPskc("<!DOCTYPE x><KeyContainer/>") }
        expectError<OtpkitException.Unsupported>(ErrorCode.KDF_BUDGET) { importPskc(rfc6030Figure(7), password = "qwerty", budget = KdfBudget(work = 1uL)) }
        val short = importPskc(rfc6030Figure(2)).single()
        assertNull(short.account)
        assertNotNull(short.reason)
        assertTrue(short.error!!.contains("bits"), short.error)
    }
}
