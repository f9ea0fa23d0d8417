// UserDevices: users with named devices on a store, over the facade's UserDevices.
// A wrong code is a SignInResult with accepted == false, never an exception; registered
// with the Harness from OtpkitTest.kt's main.

import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.otpkit.*

private const val PHONE = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
private const val TABLET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
private const val T0 = 1_700_000_000uL
private val KEY = ByteArray(32) { it.toByte() }

private fun totpOf(base32: String) = Totp(Secret.fromBase32(base32), Algorithm.SHA1)

private fun twoDevices(): UserDevices {
    val users = UserDevices.open("memory:", "k1", KEY)
    for ((name, secret) in listOf("phone" to PHONE, "tablet" to TABLET)) {
        users.addDevice("alice", name, secret, now = T0)
        val totp = totpOf(secret)
        val enrolled = users.enrollDevice("alice", name, totp.codeAt(T0 - 30uL), totp.codeAt(T0), T0)
        assertTrue(enrolled.ok, enrolled.toString())
    }
    return users
}

fun usersTests(h: Harness) {
    h.test("users: two named devices, sign in with each, list, remove; a wrong code is a value") {
        val users = twoDevices()
        val byPhone = users.signIn("alice", totpOf(PHONE).codeAt(T0 + 30uL), now = T0 + 30uL)
        assertTrue(byPhone.accepted, byPhone.toString())
        assertEquals("phone", byPhone.device)
        val byTablet = users.signIn("alice", totpOf(TABLET).codeAt(T0 + 60uL), "tablet", T0 + 60uL)
        assertTrue(byTablet.accepted && byTablet.device == "tablet", byTablet.toString())
        val wrong = users.signIn("alice", "000000", now = T0 + 90uL)
        assertFalse(wrong.accepted)
        assertEquals(ErrorCode.CODE_MISMATCH, wrong.reason)
        assertEquals(1u, wrong.failures)
        assertNull(wrong.ticket)
        val replay = users.signIn("alice", totpOf(TABLET).codeAt(T0 + 60uL), now = T0 + 90uL)
        assertEquals(ErrorCode.REPLAYED, replay.reason)
        assertEquals(listOf("phone", "tablet"), users.devices("alice").map { it.name })
        assertEquals("totp.SHA1.6.30", users.devices("alice").first().params)
        assertTrue(users.removeDevice("alice", "phone", T0 + 90uL))
        assertFalse(users.removeDevice("alice", "phone", T0 + 90uL))
        assertEquals(listOf("tablet"), users.devices("alice").map { it.name })
        assertEquals("device_removed", users.recentEvents("alice").first().kind)
        expectError<OtpkitException.WrongState>(ErrorCode.UNKNOWN_DEVICE) { users.signIn("alice", "123456", "watch", T0) }
    }

    h.test("users: a remember token is accepted once, then the old one revokes every token") {
        val users = twoDevices()
        val signedIn = users.signIn("alice", totpOf(PHONE).codeAt(T0 + 30uL), now = T0 + 30uL)
        val token = users.rememberDevice("alice", signedIn, T0 + 30uL)
        expectError<OtpkitException.WrongState>(ErrorCode.NOT_SIGNED_IN) { users.rememberDevice("alice", signedIn, T0 + 30uL) }
        val first = users.checkRemembered("alice", token, T0 + 40uL)
        assertTrue(first.accepted)
        assertEquals("phone", first.device)
        val next = assertNotNull(first.nextToken)
        val old = users.checkRemembered("alice", token, T0 + 50uL)
        assertFalse(old.accepted)
        assertEquals("theft", old.reason)
        assertFalse(users.checkRemembered("alice", next, T0 + 60uL).accepted)
    }

    h.test("users: errors name the option as Kotlin spells it") {
        val store = expectError<OtpkitException.InvalidInput>(null) { UserDevices.open("redis://x", "k1", KEY) }
        assertTrue(store.detail().startsWith("store: "), store.detail())
        val keyId = expectError<OtpkitException.InvalidInput>(null) { UserDevices.open("memory:", "no spaces", KEY) }
        assertTrue(keyId.detail().startsWith("keyId: "), keyId.detail())
    }
}
