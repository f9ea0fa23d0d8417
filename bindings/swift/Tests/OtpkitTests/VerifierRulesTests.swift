// The verifier through the generated Swift bindings: every attempt is an `Attempt`
// with the state string to store; a wrong, replayed or malformed code is a refusal
// (`ok == false` and its `reason`), never an error. Mirrors the Kotlin tests.

import Foundation
import Otpkit
import XCTest

final class VerifierRulesTests: XCTestCase {
    /// An enrolled TOTP state whose last step is 10 before `now`'s.
    private func enrolled(_ verifier: Verifier, _ totp: Totp, _ now: UInt64) throws -> String {
        let step = try totp.stepAt(unixTime: now)
        return try verifier.enroll(
            state: verifier.beginEnrollment(), code1: totp.codeAtStep(step: step - 11),
            code2: totp.codeAtStep(step: step - 10), now: now - 300).state
    }

    func testEnrolSignInAndRefusalsAreAttempts() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp)
        let now: UInt64 = 1_700_000_000
        let step = try totp.stepAt(unixTime: now)
        let enrollment = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: totp.codeAtStep(step: step - 1),
            code2: totp.codeAtStep(step: step), now: now)
        XCTAssertTrue(enrollment.ok, enrollment.description)
        XCTAssertEqual(enrollment.kind, .enrollment)
        XCTAssertEqual(enrollment.step, step)
        let stored = enrollment.state
        let code = try totp.codeAt(unixTime: now + 30)
        let first = try verifier.verify(state: stored, code: code, now: now + 30)
        XCTAssertTrue(first.ok && first.reason == nil, first.description)
        XCTAssertEqual(first.step, step + 1)
        let replay = try verifier.verify(state: first.state, code: code, now: now + 31)
        XCTAssertFalse(replay.ok)
        XCTAssertEqual(replay.reason, .replayed)
        // It prints as the core's sentence, never with the code.
        XCTAssertEqual("\(replay)", replay.message)
        XCTAssertFalse("\(replay)".contains(code))
        let malformed = try verifier.verify(state: replay.state, code: "12 34 5x", now: now + 32)
        XCTAssertEqual(malformed.reason, .codeMalformed)
        let wrong = try wrongCodes(totp, now)
        XCTAssertEqual(try verifier.verify(state: stored, code: wrong[0], now: now + 30).reason, .codeMismatch)
        let twice = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: code, code2: code, now: now + 30)
        XCTAssertEqual(twice.reason, .sameCodeTwice)
        var tampered = Array(stored)
        tampered[8] = tampered[8] == "1" ? "2" : "1"
        assertThrows("tampered state", { _ = try verifier.verify(state: String(tampered), code: code, now: now) },
                     matches: { isOtpkitError($0, .stateChecksumMismatch, "Damaged") })
        assertThrows("already enrolled", { _ = try verifier.enroll(state: stored, code1: code, code2: code, now: now) },
                     matches: { isOtpkitError($0, .alreadyEnrolled, "WrongState") })
        assertThrows("a starting counter for TOTP", { _ = try verifier.beginEnrollment(fromCounter: 1) },
                     matches: { isOtpkitError($0, .wrongKind, "WrongState") })
        assertThrows("policy", { _ = try Verifier.totp(generator: totp, policy: Policy(maxFailures: 0)) },
                     matches: { isOtpkitError($0, .maxFailuresOutOfRange, "InvalidInput")
                         && ($0 as? OtpkitError)?.detail().contains("maxFailures") == true })
    }

    func testLockoutAndResync() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp, policy: Policy(maxFailures: 2))
        let now: UInt64 = 1_700_000_000
        let wrong = try wrongCodes(totp, now)
        var state = try enrolled(verifier, totp, now)
        for _ in 0..<2 {
            let failed = try verifier.verify(state: state, code: wrong[0], now: now)
            XCTAssertEqual(failed.reason, .codeMismatch)
            state = failed.state
        }
        let locked = try verifier.verify(state: state, code: totp.codeAt(unixTime: now), now: now)
        XCTAssertEqual(locked.reason, .locked)
        XCTAssertGreaterThan(locked.lockedUntil ?? 0, now)
        XCTAssertEqual(try verifier.resync(state: state, code1: wrong[0], code2: wrong[1], now: now).reason, .locked)
        // A device 5 steps fast: outside the sign-in scan, resync finds it.
        let ahead = try totp.stepAt(unixTime: now) + 5
        let resynced = try verifier.resync(
            state: enrolled(verifier, totp, now), code1: totp.codeAtStep(step: ahead),
            code2: totp.codeAtStep(step: ahead + 1), now: now)
        XCTAssertTrue(resynced.ok, resynced.description)
        XCTAssertEqual(resynced.kind, .resync)
        XCTAssertEqual(resynced.step, ahead + 1)
        XCTAssertEqual(resynced.drift, 8)
        // A refused pair is counted in the returned state, without the caller's help.
        let refused = try verifier.resync(state: enrolled(verifier, totp, now), code1: wrong[0], code2: wrong[1], now: now)
        XCTAssertEqual(refused.reason, .rejected)
        let again = try verifier.resync(state: refused.state, code1: wrong[0], code2: wrong[1], now: now)
        XCTAssertEqual(try verifier.verify(state: again.state, code: totp.codeAt(unixTime: now), now: now).reason, .locked)
    }

    func testEnrolmentRetriesWithTheSameSecretAndHotpFromACounter() throws {
        let totp = try Totp(secret: Secret.generate(algorithm: .sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp)
        let now: UInt64 = 1_700_000_000
        let step = try totp.stepAt(unixTime: now)
        let wrong = try wrongCodes(totp, now)
        let typo = try verifier.enrollCode(state: verifier.beginEnrollment(), code: wrong[0], now: now)
        XCTAssertFalse(typo.ok || typo.needsNextCode)
        XCTAssertEqual(typo.reason, .firstCodeNotFound)
        let first = try verifier.enrollCode(state: typo.state, code: totp.codeAtStep(step: step), now: now)
        XCTAssertTrue(first.needsNextCode && !first.ok && first.reason == nil, first.description)
        let second = try verifier.enrollCode(state: first.state, code: totp.codeAtStep(step: step + 1), now: now + 30)
        XCTAssertTrue(second.ok, second.description)
        assertThrows("pending", { _ = try verifier.verify(state: verifier.beginEnrollment(), code: totp.codeAt(unixTime: now), now: now) },
                     matches: { isOtpkitError($0, .notEnrolled, "WrongState") })
        // HOTP enrolled again from the last known counter: old codes stay refused.
        let hotp = try Hotp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let hv = try Verifier.hotp(generator: hotp)
        let old = try hv.enroll(state: hv.beginEnrollment(fromCounter: 40), code1: hotp.code(counter: 3),
                                code2: hotp.code(counter: 4), now: 0)
        XCTAssertEqual(old.reason, .firstCodeNotFound)
        let again = try hv.enroll(state: old.state, code1: hotp.code(counter: 41), code2: hotp.code(counter: 42), now: 0)
        XCTAssertTrue(again.ok, again.description)
        XCTAssertEqual(again.step, 42)
        // Accepted within the look-ahead, a used counter refused.
        let skipped = try hv.verify(state: again.state, code: hotp.code(counter: 44), now: 1)
        XCTAssertEqual(skipped.step, 44)
        XCTAssertEqual(skipped.drift, 1)
        XCTAssertEqual(try hv.verify(state: skipped.state, code: hotp.code(counter: 44), now: 2).reason, .replayed)
        assertThrows("policy bound", { _ = try Verifier.totp(generator: totp, policy: Policy(windowBehind: 1_000_000)) },
                     matches: { isOtpkitError($0, .policyOutOfRange, "InvalidInput") })
        XCTAssertLessThan(verifier.worstCaseGuessProbability(), 0.01)
    }

    func testHotpRfc4226VectorsLookAheadAndReplay() throws {
        let hotp = try Hotp(secret: rfcSecret(.sha1), algorithm: .sha1)
        XCTAssertEqual(hotp.code(counter: 0), "755224")
        XCTAssertEqual(hotp.code(counter: 9), "520489")
        XCTAssertEqual(try hotp.verify(code: "520489", counter: 5, lookAhead: 4), Match(step: 9, offset: 4))
        XCTAssertNil(try hotp.verify(code: "520489", counter: 5, lookAhead: 3))
        let verifier = try Verifier.hotp(generator: hotp)
        let now: UInt64 = 1_700_000_000
        // RFC 4226 appendix D: counters 0 and 1 enrol.
        let enrollment = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: "755224", code2: "287082", now: now)
        XCTAssertTrue(enrollment.ok, enrollment.description)
        XCTAssertEqual(enrollment.step, 1)
        // The button pressed twice without signing in: counter 3 is within the look-ahead.
        let skipped = try verifier.verify(state: enrollment.state, code: "969429", now: now + 5)
        XCTAssertTrue(skipped.ok, skipped.description)
        XCTAssertEqual(skipped.step, 3)
        // A counter at or before the last accepted one is refused, however it is typed.
        XCTAssertEqual(try verifier.verify(state: skipped.state, code: "969429", now: now + 6).reason, .replayed)
        let older = try verifier.verify(state: skipped.state, code: "359152", now: now + 7)
        XCTAssertFalse(older.ok)
        // The next code is accepted.
        let next = try verifier.verify(state: older.state, code: "338314", now: now + 8)
        XCTAssertTrue(next.ok, next.description)
        XCTAssertEqual(next.step, 4)
    }

    func testFailedResyncIsCountedAndLocks() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp, policy: Policy(maxFailures: 3))
        let now: UInt64 = 1_700_000_000
        let wrong = try wrongCodes(totp, now)
        var state = try enrolled(verifier, totp, now)
        for _ in 1...3 {
            let refused = try verifier.resync(state: state, code1: wrong[0], code2: wrong[1], now: now)
            XCTAssertFalse(refused.ok, refused.description)
            XCTAssertNotEqual(refused.reason, .locked)
            state = refused.state
        }
        let whileLocked = try verifier.resync(state: state, code1: wrong[0], code2: wrong[1], now: now)
        XCTAssertEqual(whileLocked.reason, .locked, whileLocked.description)
    }

    func testPoliciesAreBoundedAndABadUriIsATypedError() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        assertThrows("wide window", { _ = try Verifier.totp(generator: totp, policy: Policy(windowBehind: 1_000_000)) },
                     matches: { isOtpkitError($0, nil, "InvalidInput") })
        XCTAssertLessThan(try Verifier.totp(generator: totp).worstCaseGuessProbability(), 0.01)
        assertThrows("not otpauth", { _ = try parseOtpauthUri(uri: "https://example.com/") },
                     matches: { isOtpkitError($0, .notOtpauthUri, "InvalidInput") })
        assertThrows("bad secret", { _ = try parseOtpauthUri(uri: "otpauth://totp/x?secret=GEZ1GEZD") },
                     matches: { isOtpkitError($0, .secretInvalidCharacter, "InvalidInput")
                         && ($0 as? OtpkitError)?.detail().contains("position 4") == true
                         && ($0 as? OtpkitError)?.detail().contains("GEZ1") == false })
    }
}
