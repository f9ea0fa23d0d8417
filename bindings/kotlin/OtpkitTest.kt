// Tests of the generated Kotlin bindings (package uniffi.otpkit) against the real
// libotpkit_ffi, run on the JVM through JNA. See bindings/test.sh.

import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
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

/** Codes valid at no step within 30 of `now`'s: certain failures, whatever the secret. */
fun wrongCodes(totp: Totp, now: ULong): List<String> {
    val step = totp.stepAt(now)
    val near = (step - 30uL..step + 30uL).map { totp.codeAtStep(it) }.toSet()
    return (0..9).map { d -> d.toString().repeat(totp.digits().toInt()) }.filter { it !in near }
}

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
        val e = expectError<OtpkitException.InvalidInput>(ErrorCode.SECRET_INVALID_CHARACTER) {
            Secret.fromBase32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
        }
        assertTrue(e.message.contains("position 16"), e.message)
        assertFalse(e.message.contains("GEZD"), e.message)
        val short = expectError<OtpkitException.InvalidInput>(ErrorCode.SECRET_TOO_SHORT) { Secret.fromBase32("JBSWY3DPEHPK3PXP") }
        assertTrue(short.message.contains("80 bits"), short.message)
        assertTrue(Secret.fromBase32("JBSWY3DPEHPK3PXP", allowShort = true).isShort())
        expectError<OtpkitException.InvalidInput>(ErrorCode.SECRET_EMPTY) { Secret.fromBase32(" - ") }
        // Every failure is an OtpkitException: one catch handles them all.
        expectError<OtpkitException.InvalidInput>(ErrorCode.SECRET_TOO_LONG) { Secret.fromBytes(ByteArray(129)) }
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
        // A wrong or malformed code is no match (null), never an exception.
        assertNull(totp.verify(code, 89uL, behind = 0u, ahead = 0u))
        assertNull(totp.verify("12a456", 59uL))
        assertNull(Hotp(rfcSecret(Algorithm.SHA1)).verify("12345x", 0uL))
        assertNull(SteamGuard(rfcSecret(Algorithm.SHA1)).verify("!!!!!", 59uL))
        assertEquals("matched step 1 (offset -1)", totp.verify(code, 89uL, behind = 1u, ahead = 0u).toString())
    }

    h.test("stateless verify: a window or look-ahead over the core bound is WINDOW_TOO_LARGE") {
        val s = rfcSecret(Algorithm.SHA1)
        val totp = Totp(s, Algorithm.SHA1)
        // 2,000,000 steps either side would accept nearly any code.
        val wide = expectError<OtpkitException.InvalidInput>(ErrorCode.WINDOW_TOO_LARGE) {
            totp.verify("000000", 59uL, behind = 2_000_000u, ahead = 2_000_000u)
        }
        assertTrue(wide.message.contains("at most 120 steps"), wide.message)
        expectError<OtpkitException.InvalidInput>(ErrorCode.WINDOW_TOO_LARGE) { totp.verify("000000", 59uL, behind = 0u, ahead = 121u) }
        assertEquals(Match(step = 1uL, offset = 0L), totp.verify(totp.codeAt(59uL), 59uL, behind = 120u, ahead = 120u))
        expectError<OtpkitException.InvalidInput>(ErrorCode.WINDOW_TOO_LARGE) { SteamGuard(s).verify("BCDFG", 1_000_000uL, behind = 121u, ahead = 0u) }
        val hotp = Hotp(s, Algorithm.SHA1)
        val long = expectError<OtpkitException.InvalidInput>(ErrorCode.WINDOW_TOO_LARGE) { hotp.verify("755224", 0uL, lookAhead = 1_001u) }
        assertTrue(long.message.contains("at most 1000 counters"), long.message)
        assertEquals(Match(step = 0uL, offset = 0L), hotp.verify("755224", 0uL, lookAhead = 1_000u))
    }

    h.test("totp: bad parameters are typed errors") {
        val s = rfcSecret(Algorithm.SHA1)
        expectError<OtpkitException.InvalidInput>(ErrorCode.DIGITS_OUT_OF_RANGE) { Totp(s, Algorithm.SHA1, digits = 5u) }
        expectError<OtpkitException.InvalidInput>(ErrorCode.ZERO_PERIOD) { Totp(s, Algorithm.SHA1, period = 0uL) }
        val late = Totp(s, Algorithm.SHA1, t0 = 100uL)
        expectError<OtpkitException.Clock>(ErrorCode.BEFORE_EPOCH) { late.codeAt(99uL) }
    }

    h.test("hotp: RFC 4226 vectors and look-ahead") {
        val hotp = Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        assertEquals("755224", hotp.code(0uL))
        assertEquals("520489", hotp.code(9uL))
        assertEquals(Match(step = 9uL, offset = 4L), hotp.verify("520489", 5uL, lookAhead = 4u))
        assertNull(hotp.verify("520489", 5uL, lookAhead = 3u))
    }

    h.test("otpauth: parse a URI, its warnings, and build it back") {
        val parsed = parseOtpauthUri(
            "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ" +
                "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
        )
        val account = parsed.account
        assertEquals("ACME Co", account.issuer)
        assertEquals("john.doe@email.com", account.name)
        assertEquals(Kind.Totp(period = 30uL), account.kind)
        assertEquals(Algorithm.SHA1, account.algorithm)
        assertTrue(parsed.warnings.isEmpty())
        assertEquals("ACME Co:john.doe@email.com", account.label())
        assertEquals(account, parseOtpauthUri(account.toUri()).account)
        assertEquals("totp account ACME Co:john.doe@email.com (SHA1, 6 digits)", account.toString())
        assertFalse(parsed.toString().contains("HXDM"), parsed.toString())
        val totp = account.totp()!!
        assertEquals(totp.codeAt(1_700_000_000uL), Totp(account.secret, Algorithm.SHA1).codeAt(1_700_000_000uL))
        assertEquals(null, account.hotp())

        val odd = parseOtpauthUri("otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
        assertEquals(
            listOf("SECRET_LOWERCASE", "SHORT_SECRET", "ALGORITHM_IGNORED_BY_APPS"),
            odd.warnings.map { it.code },
        )
        assertTrue(odd.warnings[1].message.contains("80 bits"), odd.warnings[1].message)
        assertEquals(odd.warnings[1].message, odd.warnings[1].toString())
    }

    h.test("otpauth: a bad URI is a typed exception with the core's message") {
        expectError<OtpkitException.InvalidInput>(ErrorCode.NOT_OTPAUTH_URI) { parseOtpauthUri("https://example.com/") }
        expectError<OtpkitException.InvalidInput>(ErrorCode.MISSING_COUNTER) { parseOtpauthUri("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ") }
        val e = expectError<OtpkitException.InvalidInput>(ErrorCode.SECRET_INVALID_CHARACTER) { parseOtpauthUri("otpauth://totp/x?secret=GEZ1GEZD") }
        assertTrue(e.message.contains("position 4"), e.message)
        assertFalse(e.message.contains("GEZ1"), e.message)
        val bad = parseOtpauthUri("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").account.copy(digits = 4u)
        expectError<OtpkitException.InvalidInput>(ErrorCode.DIGITS_OUT_OF_RANGE) { bad.toUri() }
    }

    h.test("migration: encode Google Authenticator exports and decode them back") {
        val a = parseOtpauthUri("otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME").account
        val b = parseOtpauthUri("otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXPJBSWY3DP&counter=7&digits=8").account
        val uris = encodeMigration(listOf(a, b), perBatch = 1u)
        assertEquals(2, uris.size)
        val first = decodeMigration(uris[0])
        assertEquals(listOf<MigrationEntry>(MigrationEntry.Account(a)), first.entries)
        assertEquals(2, first.batchSize)
        assertEquals(listOf<MigrationEntry>(MigrationEntry.Account(b)), decodeMigration(uris[1]).entries)
        expectError<OtpkitException.InvalidInput>(ErrorCode.NOT_MIGRATION_URI) { decodeMigration("otpauth://totp/x?secret=A") }
        val steam = a.copy(kind = Kind.Steam)
        expectError<OtpkitException.Unsupported>(ErrorCode.STEAM_UNSUPPORTED) { encodeMigration(listOf(steam)) }
    }

    h.test("steam: codes from a steam:// secret and from an otpauth URI agree") {
        val secret = parseSteamUri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        val guard = SteamGuard(secret)
        val code = guard.codeAt(59uL)
        assertEquals(5, code.length)
        assertTrue(code.all { it in "23456789BCDFGHJKMNPQRTVWXY" }, code)
        assertEquals(1uL, guard.verify(code.lowercase(), 59uL)!!.step)
        val account = parseOtpauthUri("otpauth://totp/Steam:me?secret=${secret.base32()}&issuer=Steam").account
        assertEquals(Kind.Steam, account.kind)
        assertEquals(code, account.steam()!!.codeAt(59uL))
        expectError<OtpkitException.InvalidInput>(ErrorCode.NOT_STEAM_URI) { parseSteamUri("http://x") }
    }

    h.test("server: enrol with two codes, verify, a replay and a malformed code are refused attempts") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp)
        val now = 1_700_000_000uL
        val step = totp.stepAt(now)
        val enrollment = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step - 1uL), totp.codeAtStep(step), now)
        assertTrue(enrollment.ok, enrollment.toString())
        assertEquals(AttemptKind.ENROLLMENT, enrollment.kind)
        assertEquals(step, enrollment.step)
        val stored: String = enrollment.state

        val code = totp.codeAt(now + 30uL)
        val first = verifier.verify(stored, code, now + 30uL)
        assertTrue(first.ok && first.reason == null, first.toString())
        assertEquals(step + 1uL, first.step)
        assertEquals(0L, first.drift)
        val replay = verifier.verify(first.state, code, now + 31uL)
        assertFalse(replay.ok)
        assertEquals(ErrorCode.REPLAYED, replay.reason)
        // It prints as the core's sentence, never as Attempt@1234 or with the code.
        assertEquals(replay.message, replay.toString())
        assertFalse(replay.toString().contains(code), replay.toString())
        val malformed = verifier.verify(replay.state, "12 34 5x", now + 32uL)
        assertEquals(ErrorCode.CODE_MALFORMED, malformed.reason)

        val twice = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step), totp.codeAtStep(step), now)
        assertEquals(ErrorCode.SAME_CODE_TWICE, twice.reason)
        expectError<OtpkitException.WrongState>(ErrorCode.ALREADY_ENROLLED) { verifier.enroll(stored, code, code, now + 30uL) }
        val damaged = stored.replaceRange(8, 9, if (stored[8] == '1') "2" else "1")
        expectError<OtpkitException.Damaged>(ErrorCode.STATE_CHECKSUM_MISMATCH) { verifier.verify(damaged, code, now) }
        val hotpState = Verifier.hotp(Hotp(rfcSecret(Algorithm.SHA1))).beginEnrollment(fromCounter = 5uL)
        expectError<OtpkitException.WrongState>(ErrorCode.WRONG_KIND) { verifier.enroll(hotpState, code, code, now) }
        expectError<OtpkitException.WrongState>(ErrorCode.WRONG_KIND) { verifier.beginEnrollment(fromCounter = 1uL) }
        val policy = expectError<OtpkitException.InvalidInput>(ErrorCode.MAX_FAILURES_OUT_OF_RANGE) { Verifier.totp(totp, Policy(maxFailures = 0u)) }
        // The option as Kotlin spells it.
        assertTrue(policy.detail().contains("maxFailures"), policy.detail())
        assertFalse(policy.detail().contains("max_failures"), policy.detail())
    }

    h.test("server: failures lock the device out, resync re-measures drift") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp, Policy(maxFailures = 2u))
        val now = 1_700_000_000uL
        val (wrong1, wrong2) = wrongCodes(totp, now)
        val step = totp.stepAt(now)
        var state = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step - 11uL), totp.codeAtStep(step - 10uL), now - 300uL).state
        repeat(2) {
            val failed = verifier.verify(state, wrong1, now)
            assertEquals(ErrorCode.CODE_MISMATCH, failed.reason)
            state = failed.state
        }
        val locked = verifier.verify(state, totp.codeAt(now), now)
        assertEquals(ErrorCode.LOCKED, locked.reason)
        assertTrue(locked.lockedUntil!! > now, locked.toString())
        val whileLocked = verifier.resync(state, wrong1, wrong2, now)
        assertEquals(ErrorCode.LOCKED, whileLocked.reason)

        // A device 5 steps fast: outside the sign-in scan, resync finds it. The
        // drift covers a clock up to 8 steps fast (the codes may have been typed late).
        val fresh = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step - 11uL), totp.codeAtStep(step - 10uL), now - 300uL).state
        val ahead = step + 5uL
        val resynced = verifier.resync(fresh, totp.codeAtStep(ahead), totp.codeAtStep(ahead + 1uL), now)
        assertTrue(resynced.ok, resynced.toString())
        assertEquals(AttemptKind.RESYNC, resynced.kind)
        assertEquals(ahead + 1uL, resynced.step)
        assertEquals(8L, resynced.drift)
    }

    h.test("server: a failed resync is counted without the caller's help") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp, Policy(maxFailures = 3u))
        val now = 1_700_000_000uL
        val (wrong1, wrong2) = wrongCodes(totp, now)
        val step = totp.stepAt(now)
        var state = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step - 11uL), totp.codeAtStep(step - 10uL), now - 300uL).state
        repeat(3) {
            val refused = verifier.resync(state, wrong1, wrong2, now)
            assertFalse(refused.ok)
            assertEquals(ErrorCode.REJECTED, refused.reason)
            state = refused.state
        }
        assertEquals(ErrorCode.LOCKED, verifier.verify(state, totp.codeAt(now), now).reason)
    }

    h.test("server: enrolment retries with the same secret; wrong codes are counted") {
        val totp = Totp(Secret.generate(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp)
        val now = 1_700_000_000uL
        val step = totp.stepAt(now)
        val (wrong1, _) = wrongCodes(totp, now)
        // The secret is shown: a pending enrolment is stored.
        var stored = verifier.beginEnrollment()
        val typo = verifier.enrollCode(stored, wrong1, now)
        assertFalse(typo.ok || typo.needsNextCode)
        assertEquals(ErrorCode.FIRST_CODE_NOT_FOUND, typo.reason)
        stored = typo.state
        // Same secret, right codes, one at a time.
        val first = verifier.enrollCode(stored, totp.codeAtStep(step), now)
        assertTrue(first.needsNextCode && !first.ok && first.reason == null, first.toString())
        val second = verifier.enrollCode(first.state, totp.codeAtStep(step + 1uL), now + 30uL)
        assertTrue(second.ok, second.toString())
        assertEquals(step + 1uL, second.step)
        // A pending enrolment cannot sign in.
        expectError<OtpkitException.WrongState>(ErrorCode.NOT_ENROLLED) { verifier.verify(verifier.beginEnrollment(), totp.codeAt(now), now) }
        // HOTP enrolled again from the last known counter: old codes stay refused.
        val hotp = Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val hv = Verifier.hotp(hotp)
        val old = hv.enroll(hv.beginEnrollment(fromCounter = 40uL), hotp.code(3uL), hotp.code(4uL), 0uL)
        assertEquals(ErrorCode.FIRST_CODE_NOT_FOUND, old.reason)
        val again = hv.enroll(old.state, hotp.code(41uL), hotp.code(42uL), 0uL)
        assertTrue(again.ok, again.toString())
        assertEquals(42uL, again.step)
        // Policies are bounded.
        expectError<OtpkitException.InvalidInput>(ErrorCode.POLICY_OUT_OF_RANGE) { Verifier.totp(totp, Policy(windowBehind = 1_000_000u)) }
        assertTrue(verifier.worstCaseGuessProbability() < 0.01)
    }

    h.test("server, HOTP: enrol a token, accept within the look-ahead, refuse a used counter") {
        val verifier = Verifier.hotp(Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1))
        val now = 1_700_000_000uL
        // RFC 4226 appendix D: counters 0..9.
        val enrollment = verifier.enroll(verifier.beginEnrollment(), "755224", "287082", now)
        assertTrue(enrollment.ok, enrollment.toString())
        assertEquals(1uL, enrollment.step)
        // The button pressed once without signing in: counter 3 is within the look-ahead.
        val skipped = verifier.verify(enrollment.state, "969429", now + 5uL)
        assertEquals(Pair(3uL, 1L), Pair(skipped.step, skipped.drift))
        val replay = verifier.verify(skipped.state, "969429", now + 6uL)
        assertEquals(ErrorCode.REPLAYED, replay.reason)
        val older = verifier.verify(replay.state, "359152", now + 7uL)
        assertFalse(older.ok, older.toString())
        val next = verifier.verify(older.state, "338314", now + 8uL)
        assertTrue(next.ok, next.toString())
        assertEquals(4uL, next.step)
    }

    h.test("errors: every failure is an OtpkitException of the facade's category, with the core's code") {
        val totp = Totp(rfcSecret(Algorithm.SHA1))
        val verifier = Verifier.totp(totp)
        val cases: List<Triple<() -> Any?, kotlin.reflect.KClass<out OtpkitException>, ErrorCode>> = listOf(
            Triple({ Secret.fromBase32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ") }, OtpkitException.InvalidInput::class, ErrorCode.SECRET_INVALID_CHARACTER),
            Triple({ totp.verify("123456", 59uL, behind = 121u) }, OtpkitException.InvalidInput::class, ErrorCode.WINDOW_TOO_LARGE),
            Triple({ parseOtpauthUri("otpauth://totp/x?secret=GEZ1GEZD") }, OtpkitException.InvalidInput::class, ErrorCode.SECRET_INVALID_CHARACTER),
            Triple({ importPskc(rfc6030Figure(7)) }, OtpkitException.Password::class, ErrorCode.PASSWORD_REQUIRED),
            Triple({ verifier.verify("{\"step\":5}", "123456", 0uL) }, OtpkitException.Damaged::class, ErrorCode.NOT_A_STATE),
            Triple({ parseOtpauthUri("otpauth://yubikey/x?secret=GEZDGNBVGY3TQOJQ") }, OtpkitException.Unsupported::class, ErrorCode.UNSUPPORTED_TYPE),
            Triple({ verifier.verify(verifier.beginEnrollment(), "123456", 1_700_000_000uL) }, OtpkitException.WrongState::class, ErrorCode.NOT_ENROLLED),
            Triple({ Totp(rfcSecret(Algorithm.SHA1), t0 = 100uL).codeAt(99uL) }, OtpkitException.Clock::class, ErrorCode.BEFORE_EPOCH),
        )
        for ((call, variant, reason) in cases) {
            try {
                call()
                error("$reason: no exception")
            } catch (e: OtpkitException) {
                assertTrue(variant.isInstance(e), "$reason: got ${e::class.simpleName}")
                assertEquals(reason, e.reason())
                // The sentence: the detail, toString(), and within message.
                assertEquals(e.detail(), e.toString())
                assertTrue(e.detail().isNotEmpty() && e.message.orEmpty().contains(e.detail()), e.message)
                assertFalse(e.detail().contains("GEZ1"), e.detail())
            }
        }
        // The subclass carries the same as properties; the code's name is its stable text.
        val e = expectError<OtpkitException.InvalidInput>(ErrorCode.SECRET_TOO_SHORT) { Secret.fromBase32("JBSWY3DPEHPK3PXP") }
        assertEquals(ErrorCode.SECRET_TOO_SHORT, e.reason)
        assertEquals("SECRET_TOO_SHORT", e.reason.name)
        assertTrue(e.detail.contains("80 bits"), e.detail)
        // The option as Kotlin spells it.
        assertTrue(e.detail.contains("allowShort"), e.detail)
        assertEquals(e.detail, e.toString())
    }

    h.test("defaults: SHA-1, 6 digits, 30 s, window ±1, the default policy and Account fields") {
        val secret = rfcSecret(Algorithm.SHA1)
        assertEquals(20u, Secret.generate().len())
        val totp = Totp(secret)
        assertEquals(Algorithm.SHA1, totp.algorithm())
        assertEquals(6u.toUByte(), totp.digits())
        assertEquals(30uL, totp.period())
        assertEquals(totp.codeAt(1_700_000_000uL), Totp(secret, Algorithm.SHA1, 6u, 30uL, 0uL).codeAt(1_700_000_000uL))
        // ±1 step by default, not ±0 nor ±2.
        assertEquals(-1L, totp.verify(totp.codeAt(1_700_000_000uL - 30uL), 1_700_000_000uL)!!.offset)
        assertNull(totp.verify(totp.codeAt(1_700_000_000uL - 60uL), 1_700_000_000uL))
        assertEquals("755224", Hotp(secret).code(0uL))
        assertEquals(Policy(), Policy(maxFailures = null))
        assertEquals(3u, Policy(maxFailures = 3u).maxFailures)
        val account = Account(name = "alice", secret = secret, algorithm = Algorithm.SHA1, kind = Kind.Totp(30uL))
        assertEquals(null, account.issuer)
        assertEquals(6u.toUByte(), account.digits)
        assertEquals(emptyList<Parameter>(), account.extra)
        assertEquals(account, parseOtpauthUri(account.toUri()).account)
    }

    h.test("traits: generators, accounts and secrets print readably, never the secret") {
        val secret = rfcSecret(Algorithm.SHA256)
        val totp = Totp(secret, Algorithm.SHA256, digits = 8u, period = 60uL)
        assertEquals("TOTP SHA-256, 8 digits, 60 s", totp.toString())
        assertEquals("HOTP SHA-1, 6 digits", Hotp(secret).toString())
        assertEquals("Steam Guard", SteamGuard(secret).toString())
        val account = Account(name = "a", secret = secret, algorithm = Algorithm.SHA256, kind = Kind.Steam)
        for (text in listOf(totp.toString(), Hotp(secret).toString(), secret.toString(), account.toString(), listOf(account).toString())) {
            assertFalse(text.contains(secret.base32().substring(0, 8)) || text.contains("1234"), text)
            assertFalse(text.contains("@"), text)
        }
        val codes = generateRecoveryCodes(count = 2u)
        assertEquals("2 recovery codes", codes.toString())
        assertFalse(codes.toString().contains(codes.codes[0]))
    }

    recoveryPskcTests(h)
    transferTests(h)
    parityTests(h)
    usersTests(h)
    fastPathTests(h)

    h.test("threads: one Verifier and one Totp shared by 8 threads") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp)
        val pool = Executors.newFixedThreadPool(8)
        try {
            val jobs = (0 until 8).map { t ->
                Callable {
                    (0 until 25).map { i ->
                        val now = 1_700_000_000uL + (t * 1000 + i * 37).toULong()
                        val step = totp.stepAt(now)
                        val state = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step - 1uL), totp.codeAtStep(step), now).state
                        val code = totp.codeAt(now + 30uL)
                        val ok = verifier.verify(state, code, now + 30uL)
                        val again = verifier.verify(ok.state, code, now + 30uL)
                        ok.ok && again.reason == ErrorCode.REPLAYED
                    }.all { it }
                }
            }
            assertEquals(List(8) { true }, pool.invokeAll(jobs).map { it.get() })
        } finally {
            pool.shutdown()
            pool.awaitTermination(10, TimeUnit.SECONDS)
        }
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
