// Tests of the generated Kotlin bindings (package uniffi.otpkit) against the real
// libotpkit_ffi, run on the JVM through JNA. See bindings/test.sh.

import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
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
        val e = expectError<OtpkitException.InvalidInput>(ErrorReason.SECRET_INVALID_CHARACTER) {
            Secret.fromBase32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
        }
        assertTrue(e.message.contains("position 16"), e.message)
        assertFalse(e.message.contains("GEZD"), e.message)
        val short = expectError<OtpkitException.InvalidInput>(ErrorReason.SECRET_TOO_SHORT) { Secret.fromBase32("JBSWY3DPEHPK3PXP") }
        assertTrue(short.message.contains("80 bits"), short.message)
        assertTrue(Secret.fromBase32("JBSWY3DPEHPK3PXP", allowShort = true).isShort())
        expectError<OtpkitException.InvalidInput>(ErrorReason.SECRET_EMPTY) { Secret.fromBase32(" - ") }
        // Every failure is an OtpkitException: one catch handles them all.
        expectError<OtpkitException.InvalidInput>(ErrorReason.SECRET_TOO_LONG) { Secret.fromBytes(ByteArray(129)) }
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
        expectError<OtpkitException.InvalidInput>(ErrorReason.CODE_MISMATCH) { totp.verify(code, 89uL, behind = 0u, ahead = 0u) }
        val bad = expectError<OtpkitException.InvalidInput>(ErrorReason.CODE_MALFORMED) { totp.verify("12a456", 59uL) }
        assertTrue(bad.message.contains("position 3"), bad.message)
    }

    h.test("stateless verify: a window or look-ahead over the core bound is WINDOW_TOO_LARGE") {
        val s = rfcSecret(Algorithm.SHA1)
        val totp = Totp(s, Algorithm.SHA1)
        // 2,000,000 steps either side would accept nearly any code.
        val wide = expectError<OtpkitException.InvalidInput>(ErrorReason.WINDOW_TOO_LARGE) {
            totp.verify("000000", 59uL, behind = 2_000_000u, ahead = 2_000_000u)
        }
        assertTrue(wide.message.contains("at most 120 steps"), wide.message)
        expectError<OtpkitException.InvalidInput>(ErrorReason.WINDOW_TOO_LARGE) { totp.verify("000000", 59uL, behind = 0u, ahead = 121u) }
        assertEquals(Match(step = 1uL, offset = 0L), totp.verify(totp.codeAt(59uL), 59uL, behind = 120u, ahead = 120u))
        expectError<OtpkitException.InvalidInput>(ErrorReason.WINDOW_TOO_LARGE) { SteamGuard(s).verify("BCDFG", 1_000_000uL, behind = 121u, ahead = 0u) }
        val hotp = Hotp(s, Algorithm.SHA1)
        val long = expectError<OtpkitException.InvalidInput>(ErrorReason.WINDOW_TOO_LARGE) { hotp.verify("755224", 0uL, lookAhead = 1_001u) }
        assertTrue(long.message.contains("at most 1000 counters"), long.message)
        assertEquals(Match(step = 0uL, offset = 0L), hotp.verify("755224", 0uL, lookAhead = 1_000u))
    }

    h.test("totp: bad parameters are typed errors") {
        val s = rfcSecret(Algorithm.SHA1)
        expectError<OtpkitException.InvalidInput>(ErrorReason.DIGITS_OUT_OF_RANGE) { Totp(s, Algorithm.SHA1, digits = 5u) }
        expectError<OtpkitException.InvalidInput>(ErrorReason.ZERO_PERIOD) { Totp(s, Algorithm.SHA1, period = 0uL) }
        val late = Totp(s, Algorithm.SHA1, t0 = 100uL)
        expectError<OtpkitException.Clock>(ErrorReason.BEFORE_EPOCH) { late.codeAt(99uL) }
    }

    h.test("hotp: RFC 4226 vectors and look-ahead") {
        val hotp = Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        assertEquals("755224", hotp.code(0uL))
        assertEquals("520489", hotp.code(9uL))
        assertEquals(Match(step = 9uL, offset = 4L), hotp.verify("520489", 5uL, lookAhead = 4u))
        expectError<OtpkitException.InvalidInput>(ErrorReason.CODE_MISMATCH) { hotp.verify("520489", 5uL, lookAhead = 3u) }
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
        assertFalse(account.toString().contains("HXDM"), account.toString())
        val totp = account.totp()!!
        assertEquals(totp.codeAt(1_700_000_000uL), Totp(account.secret, Algorithm.SHA1).codeAt(1_700_000_000uL))
        assertEquals(null, account.hotp())

        val odd = parseOtpauthUri("otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
        assertEquals(
            listOf(UriWarningKind.SECRET_LOWERCASE, UriWarningKind.SHORT_SECRET, UriWarningKind.ALGORITHM_IGNORED_BY_APPS),
            odd.warnings.map { it.kind },
        )
        assertTrue(odd.warnings[1].message.contains("80 bits"), odd.warnings[1].message)
    }

    h.test("otpauth: a bad URI is a typed exception with the core's message") {
        expectError<OtpkitException.InvalidInput>(ErrorReason.NOT_OTPAUTH_URI) { parseOtpauthUri("https://example.com/") }
        expectError<OtpkitException.InvalidInput>(ErrorReason.MISSING_COUNTER) { parseOtpauthUri("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ") }
        val e = expectError<OtpkitException.InvalidInput>(ErrorReason.SECRET_INVALID_CHARACTER) { parseOtpauthUri("otpauth://totp/x?secret=GEZ1GEZD") }
        assertTrue(e.message.contains("position 4"), e.message)
        assertFalse(e.message.contains("GEZ1"), e.message)
        val bad = parseOtpauthUri("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").account.copy(digits = 4u)
        expectError<OtpkitException.InvalidInput>(ErrorReason.DIGITS_OUT_OF_RANGE) { bad.toUri() }
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
        expectError<OtpkitException.InvalidInput>(ErrorReason.NOT_MIGRATION_URI) { decodeMigration("otpauth://totp/x?secret=A") }
        val steam = a.copy(kind = Kind.Steam)
        expectError<OtpkitException.Unsupported>(ErrorReason.STEAM_UNSUPPORTED) { encodeMigration(listOf(steam)) }
    }

    h.test("steam: codes from a steam:// secret and from an otpauth URI agree") {
        val secret = parseSteamUri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        val guard = SteamGuard(secret)
        val code = guard.codeAt(59uL)
        assertEquals(5, code.length)
        assertTrue(code.all { it in "23456789BCDFGHJKMNPQRTVWXY" }, code)
        assertEquals(1uL, guard.verify(code.lowercase(), 59uL).step)
        val account = parseOtpauthUri("otpauth://totp/Steam:me?secret=${secret.base32()}&issuer=Steam").account
        assertEquals(Kind.Steam, account.kind)
        assertEquals(code, account.steam()!!.codeAt(59uL))
        expectError<OtpkitException.InvalidInput>(ErrorReason.NOT_STEAM_URI) { parseSteamUri("http://x") }
    }

    h.test("server: enroll with two codes, verify, reject the replay, persist the state") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp)
        val now = 1_700_000_000uL
        val step = totp.stepAt(now)
        val enrollment = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step - 1uL), totp.codeAtStep(step), now)
        assertEquals(EnrollOutcome.Enrolled(step = step, drift = 0L), enrollment.outcome)
        val enrolled = enrollment.state
        assertEquals(step, enrolled.lastStep())

        // The state survives a trip through the database as a string.
        val stored = enrolled.encode()
        val loaded = DeviceState.decode(stored)
        assertEquals(enrolled, loaded)

        val code = totp.codeAt(now + 30uL)
        val first = verifier.verify(loaded, code, now + 30uL)
        assertEquals(Outcome.Accepted(step = step + 1uL, drift = 0L), first.outcome)
        val replay = verifier.verify(first.state, code, now + 31uL)
        assertEquals(Outcome.Replayed, replay.outcome)
        assertEquals(1u, replay.state.failures())
        val malformed = verifier.verify(replay.state, "12 34 56", now + 32uL)
        assertTrue(malformed.outcome is Outcome.Malformed, malformed.outcome.toString())

        val twice = verifier.enroll(verifier.beginEnrollment(), totp.codeAtStep(step), totp.codeAtStep(step), now)
        assertEquals(EnrollRefusal.SAME_CODE_TWICE, (twice.outcome as EnrollOutcome.Refused).why)
        expectError<OtpkitException.WrongState>(ErrorReason.ALREADY_ENROLLED) { verifier.enroll(enrolled, code, code, now + 30uL) }
        expectError<OtpkitException.Damaged>(ErrorReason.STATE_CHECKSUM_MISMATCH) { DeviceState.decode(stored.replaceRange(8, 9, if (stored[8] == '1') "2" else "1")) }
        expectError<OtpkitException.WrongState>(ErrorReason.WRONG_KIND) { verifier.verify(DeviceState.hotpAt(0uL), code, now) }
        expectError<OtpkitException.InvalidInput>(ErrorReason.MAX_FAILURES_OUT_OF_RANGE) { Verifier.totp(totp, defaultPolicy().copy(maxFailures = 0u)) }
    }

    h.test("server: failures lock the device out, resync re-measures drift") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp, defaultPolicy().copy(maxFailures = 2u))
        val now = 1_700_000_000uL
        val (wrong1, wrong2) = wrongCodes(totp, now)
        var state = DeviceState.totpAt(totp.stepAt(now) - 10uL)
        repeat(2) {
            val failed = verifier.verify(state, wrong1, now)
            assertEquals(Outcome.Invalid, failed.outcome)
            state = failed.state
        }
        val locked = verifier.verify(state, totp.codeAt(now), now).outcome
        assertTrue(locked is Outcome.Locked, locked.toString())
        assertTrue(state.isLockedAt(now))
        val whileLocked = verifier.resync(state, wrong1, wrong2, now)
        assertTrue(whileLocked.outcome is ResyncOutcome.Locked, whileLocked.outcome.toString())
        assertEquals(state, whileLocked.state)

        // A device 5 steps fast: outside the sign-in scan, resync finds it. The
        // drift covers a clock up to 8 steps fast (the codes may have been typed late).
        val fresh = DeviceState.totpAt(totp.stepAt(now) - 10uL)
        val ahead = totp.stepAt(now) + 5uL
        val resynced = verifier.resync(fresh, totp.codeAtStep(ahead), totp.codeAtStep(ahead + 1uL), now)
        assertEquals(ResyncOutcome.Resynced(step = ahead + 1uL, drift = 8L), resynced.outcome)
        assertEquals(8L, resynced.state.drift())
    }

    h.test("server: a failed resync is counted without the caller's help") {
        val totp = Totp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp, defaultPolicy().copy(maxFailures = 3u))
        val now = 1_700_000_000uL
        val (wrong1, wrong2) = wrongCodes(totp, now)
        var state = DeviceState.totpAt(totp.stepAt(now) - 10uL)
        for (i in 1..3) {
            val refused = verifier.resync(state, wrong1, wrong2, now)
            assertEquals(ResyncOutcome.Rejected, refused.outcome)
            assertEquals(i.toUInt(), refused.state.failures())
            state = DeviceState.decode(refused.state.encode())
        }
        assertTrue(state.isLockedAt(now))
    }

    h.test("server: enrollment retries with the same secret; wrong codes are counted") {
        val totp = Totp(Secret.generate(Algorithm.SHA1), Algorithm.SHA1)
        val verifier = Verifier.totp(totp)
        val now = 1_700_000_000uL
        val step = totp.stepAt(now)
        val (wrong1, _) = wrongCodes(totp, now)
        // The secret is shown: a pending enrollment is stored.
        var stored = verifier.beginEnrollment().encode()
        val typo = verifier.enrollCode(DeviceState.decode(stored), wrong1, now)
        val refused = typo.outcome as EnrollOutcome.Refused
        assertEquals(EnrollRefusal.FIRST_CODE_NOT_FOUND, refused.why)
        assertEquals(1u, typo.state.failures())
        assertFalse(typo.state.isEnrolled())
        stored = typo.state.encode()
        // Same secret, right codes, one at a time.
        val first = verifier.enrollCode(DeviceState.decode(stored), totp.codeAtStep(step), now)
        assertEquals(EnrollOutcome.NeedNextCode, first.outcome)
        assertTrue(first.state.awaitsSecondCode())
        val second = verifier.enrollCode(first.state, totp.codeAtStep(step + 1uL), now + 30uL)
        assertEquals(EnrollOutcome.Enrolled(step = step + 1uL, drift = 0L), second.outcome)
        assertTrue(second.state.isEnrolled())
        assertEquals(0u, second.state.failures())
        // A pending enrollment cannot sign in.
        expectError<OtpkitException.WrongState>(ErrorReason.NOT_ENROLLED) { verifier.verify(verifier.beginEnrollment(), totp.codeAt(now), now) }
        // HOTP enrolled again from the last known counter: old codes stay refused.
        val hotp = Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1)
        val hv = Verifier.hotp(hotp)
        val old = hv.enroll(DeviceState.enrollingHotp(40uL), hotp.code(3uL), hotp.code(4uL), 0uL)
        assertEquals(EnrollRefusal.FIRST_CODE_NOT_FOUND, (old.outcome as EnrollOutcome.Refused).why)
        val again = hv.enroll(old.state, hotp.code(41uL), hotp.code(42uL), 0uL)
        assertEquals(EnrollOutcome.Enrolled(step = 42uL, drift = 0L), again.outcome)
        assertEquals(43uL, again.state.nextCounter())
        // Policies are bounded.
        expectError<OtpkitException.InvalidInput>(ErrorReason.POLICY_OUT_OF_RANGE) { Verifier.totp(totp, defaultPolicy().copy(behind = 1_000_000u)) }
        assertTrue(verifier.worstCaseGuessProbability() < 0.01)
    }

    h.test("server, HOTP: enrol a token, accept within the look-ahead, refuse a used counter") {
        val verifier = Verifier.hotp(Hotp(rfcSecret(Algorithm.SHA1), Algorithm.SHA1))
        val now = 1_700_000_000uL
        // RFC 4226 appendix D: counters 0..9.
        val enrollment = verifier.enroll(verifier.beginEnrollment(), "755224", "287082", now)
        assertEquals(EnrollOutcome.Enrolled(step = 1uL, drift = 0L), enrollment.outcome)
        val enrolled = enrollment.state
        assertEquals(2uL, enrolled.nextCounter())
        assertEquals(null, enrolled.lastStep())
        // The button pressed once without signing in: counter 3 is within the look-ahead.
        val skipped = verifier.verify(enrolled, "969429", now + 5uL)
        assertEquals(Outcome.Accepted(3uL, 1L), skipped.outcome)
        val replay = verifier.verify(skipped.state, "969429", now + 6uL)
        assertEquals(Outcome.Replayed, replay.outcome)
        val older = verifier.verify(replay.state, "359152", now + 7uL)
        assertTrue(older.outcome !is Outcome.Accepted, older.outcome.toString())
        assertEquals(2u, older.state.failures())
        val next = verifier.verify(DeviceState.decode(older.state.encode()), "338314", now + 8uL)
        assertEquals(Outcome.Accepted(4uL, 0L), next.outcome)
        assertEquals(0u, next.state.failures())
    }

    h.test("errors: every failure is an OtpkitException of the caller's action, with the precise reason") {
        val totp = Totp(rfcSecret(Algorithm.SHA1))
        val verifier = Verifier.totp(totp)
        val cases: List<Triple<() -> Any?, kotlin.reflect.KClass<out OtpkitException>, ErrorReason>> = listOf(
            Triple({ Secret.fromBase32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ") }, OtpkitException.InvalidInput::class, ErrorReason.SECRET_INVALID_CHARACTER),
            Triple({ totp.verify("12a456", 59uL) }, OtpkitException.InvalidInput::class, ErrorReason.CODE_MALFORMED),
            Triple({ parseOtpauthUri("otpauth://totp/x?secret=GEZ1GEZD") }, OtpkitException.InvalidInput::class, ErrorReason.SECRET_INVALID_CHARACTER),
            Triple({ importPskc(rfc6030Figure(7)) }, OtpkitException.Password::class, ErrorReason.PASSWORD_REQUIRED),
            Triple({ DeviceState.decode("{\"step\":5}") }, OtpkitException.Damaged::class, ErrorReason.NOT_A_STATE),
            Triple({ parseOtpauthUri("otpauth://yubikey/x?secret=GEZDGNBVGY3TQOJQ") }, OtpkitException.Unsupported::class, ErrorReason.UNSUPPORTED_URI_TYPE),
            Triple({ verifier.verify(verifier.beginEnrollment(), "123456", 1_700_000_000uL) }, OtpkitException.WrongState::class, ErrorReason.NOT_ENROLLED),
            Triple({ Totp(rfcSecret(Algorithm.SHA1), t0 = 100uL).codeAt(99uL) }, OtpkitException.Clock::class, ErrorReason.BEFORE_EPOCH),
        )
        for ((call, variant, reason) in cases) {
            try {
                call()
                error("$reason: no exception")
            } catch (e: OtpkitException) {
                assertTrue(variant.isInstance(e), "$reason: got ${e::class.simpleName}")
                assertEquals(reason, e.reason())
                // The core's sentence: the detail, toString(), and within message.
                assertEquals(e.detail(), e.toString())
                assertTrue(e.detail().isNotEmpty() && e.message.orEmpty().contains(e.detail()), e.message)
                assertFalse(e.detail().contains("GEZ1") || e.detail().contains("12a456"), e.detail())
            }
        }
        // The subclass carries the same as properties.
        val e = expectError<OtpkitException.InvalidInput>(ErrorReason.SECRET_TOO_SHORT) { Secret.fromBase32("JBSWY3DPEHPK3PXP") }
        assertEquals(ErrorReason.SECRET_TOO_SHORT, e.reason)
        assertTrue(e.detail.contains("80 bits"), e.detail)
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
        assertEquals(-1L, totp.verify(totp.codeAt(1_700_000_000uL - 30uL), 1_700_000_000uL).offset)
        expectError<OtpkitException.InvalidInput>(ErrorReason.CODE_MISMATCH) {
            totp.verify(totp.codeAt(1_700_000_000uL - 60uL), 1_700_000_000uL)
        }
        assertEquals("755224", Hotp(secret).code(0uL))
        assertEquals(defaultPolicy(), Policy())
        assertEquals(defaultPolicy().copy(maxFailures = 3u), Policy(maxFailures = 3u))
        val account = Account(name = "alice", secret = secret, algorithm = Algorithm.SHA1, kind = Kind.Totp(30uL))
        assertEquals(null, account.issuer)
        assertEquals(6u.toUByte(), account.digits)
        assertEquals(emptyList<Parameter>(), account.extra)
        assertEquals(account, parseOtpauthUri(account.toUri()).account)
    }

    h.test("traits: generators print their settings, never the secret; states hash by value") {
        val secret = rfcSecret(Algorithm.SHA256)
        val totp = Totp(secret, Algorithm.SHA256, digits = 8u, period = 60uL)
        assertEquals("TOTP SHA-256, 8 digits, 60 s", totp.toString())
        assertEquals("HOTP SHA-1, 6 digits", Hotp(secret).toString())
        assertEquals("Steam Guard", SteamGuard(secret).toString())
        for (text in listOf(totp.toString(), Hotp(secret).toString(), secret.toString(), Account(name = "a", secret = secret, algorithm = Algorithm.SHA256, kind = Kind.Steam).toString())) {
            assertFalse(text.contains(secret.base32().substring(0, 8)) || text.contains("1234"), text)
        }
        val a = DeviceState.totpAt(7uL)
        val b = DeviceState.decode(a.encode())
        assertEquals(a, b)
        assertEquals(a.hashCode(), b.hashCode())
        assertEquals(2, hashSetOf(a, b, DeviceState.totpAt(8uL)).size)
    }

    recoveryPskcTests(h)
    transferTests(h)

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
                        ok.outcome is Outcome.Accepted && again.outcome == Outcome.Replayed
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
