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
        val stored = set.state.encode()
        assertTrue(stored.startsWith("otpr1."))
        assertFalse(set.codes.any { stored.contains(it.replace("-", "")) })
        var state = RecoveryState.decode(stored)
        set.codes.forEachIndexed { i, code ->
            val v = state.verify(code.lowercase().replace("-", " "), 1000uL)
            assertEquals(RecoveryOutcome.Accepted(index = i.toUInt(), remaining = (3 - i).toUInt()), v.outcome)
            assertEquals(RecoveryOutcome.AlreadyUsed, v.state.verify(code, 1001uL).outcome)
            state = v.state
        }
        assertEquals(0u, state.remaining())
    }

    h.test("recovery: other sets' codes fail, failures lock, errors are typed") {
        val mine = generateRecoveryCodes()
        val theirs = generateRecoveryCodes()
        var state = mine.state
        repeat(5) { state = state.verify(theirs.codes[0], 1000uL).state }
        assertEquals(5u, state.failures())
        assertTrue(state.verify(mine.codes[0], 1001uL).outcome is RecoveryOutcome.Locked)
        assertEquals(RecoveryOutcome.Malformed, mine.state.verify("nope", 1000uL).outcome)
        val weak = expectError<OtpkitException.InvalidInput>(ErrorReason.RECOVERY_CODES_TOO_WEAK) { generateRecoveryCodes(length = 10u) }
        assertTrue(weak.message.contains("64"), weak.message)
        expectError<OtpkitException.Damaged>(ErrorReason.RECOVERY_STATE_DAMAGED) { RecoveryState.decode("otpr1.x") }
    }

    h.test("pskc: RFC 6030 figures 3, 6 and 7 in the clear, with the key and the password") {
        val plain = importPskc(rfc6030Figure(3))
        val token = assertNotNull(plain.single().token)
        assertNull(plain.single().error)
        assertEquals("987654321", token.serialNumber)
        assertEquals("Manufacturer", token.manufacturer)
        assertEquals(Kind.Hotp(counter = 0uL), token.account.kind)
        assertEquals("84755224", token.hotp!!.code(0uL)) // RFC 4226 Appendix D, 8 digits
        assertEquals(0uL, token.deviceState.nextCounter())
        val fromKey = importPskc(rfc6030Figure(6), preSharedKey = psk).single().token!!
        assertContentEquals(rfcSecret, fromKey.account.secret.bytes())
        val fromPassword = importPskc(rfc6030Figure(7), password = "qwerty").single().token!!
        assertContentEquals(rfcSecret, fromPassword.account.secret.bytes())
        assertEquals("TokenVendorAcme", fromPassword.manufacturer)
    }

    h.test("pskc: wrong key or password, none, both, a DTD, a short secret per key") {
        expectError<OtpkitException.Password>(ErrorReason.WRONG_KEY_OR_PASSWORD) { importPskc(rfc6030Figure(6), preSharedKey = ByteArray(16)) }
        expectError<OtpkitException.Password>(ErrorReason.PASSWORD_REQUIRED) { importPskc(rfc6030Figure(7)) }
        val wrong = expectError<OtpkitException.Password>(ErrorReason.WRONG_KEY_OR_PASSWORD) { importPskc(rfc6030Figure(7), password = "qwertz") }
        assertFalse(wrong.message.contains("qwert"))
        expectError<OtpkitException.InvalidInput>(ErrorReason.KEY_AND_PASSWORD) { importPskc(rfc6030Figure(6), preSharedKey = psk, password = "x") }
        expectError<OtpkitException.InvalidInput>(ErrorReason.FILE_MALFORMED) { importPskc("<!DOCTYPE x><KeyContainer/>") }
        val short = importPskc(rfc6030Figure(2)).single()
        assertNull(short.token)
        assertTrue(short.error!!.contains("bits"), short.error)
    }
}
