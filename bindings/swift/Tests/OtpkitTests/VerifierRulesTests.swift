// The verifier's rules through the generated Swift bindings: enrollment that keeps
// the secret across typos and counts wrong codes, HOTP enrollment from a counter,
// a refused resync counted without the caller's help, bounded policies.
// Mirrors the Kotlin and Python tests of the same names.

import Foundation
import Otpkit
import XCTest

final class VerifierRulesTests: XCTestCase {
    /// The RFC 4226 / 6238 SHA-1 seed.
    private func seed() throws -> Secret {
        try Secret.fromBytes(bytes: Data("12345678901234567890".utf8))
    }

    /// Codes valid at no step within 30 of `now`'s: certain failures.
    private func wrongCodes(_ totp: Totp, _ now: UInt64) throws -> [String] {
        let step = try totp.stepAt(unixTime: now)
        var near = Set<String>()
        for s in (step - 30)...(step + 30) { near.insert(totp.codeAtStep(step: s)) }
        return (0...9).map { String(repeating: String($0), count: 6) }.filter { !near.contains($0) }
    }

    func testEnrollmentRetriesWithTheSameSecret() throws {
        let totp = try Totp(secret: Secret.generate(algorithm: .sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp)
        let now: UInt64 = 1_700_000_000
        let step = try totp.stepAt(unixTime: now)
        let wrong = try wrongCodes(totp, now)

        // The secret is shown: a pending enrollment is stored.
        var stored = verifier.beginEnrollment().encode()
        let typo = try verifier.enrollCode(
            state: DeviceState.decode(text: stored), code: wrong[0], now: now)
        guard case let .refused(why, _, _) = typo.outcome else {
            return XCTFail("a wrong code was not refused: \(typo.outcome)")
        }
        XCTAssertEqual(why, .firstCodeNotFound)
        XCTAssertEqual(typo.state.failures(), 1)
        XCTAssertFalse(typo.state.isEnrolled())
        stored = typo.state.encode()

        // Same secret, right codes, one at a time.
        let first = try verifier.enrollCode(
            state: DeviceState.decode(text: stored), code: totp.codeAtStep(step: step), now: now)
        XCTAssertEqual(first.outcome, .needNextCode)
        XCTAssertTrue(first.state.awaitsSecondCode())
        let second = try verifier.enrollCode(
            state: first.state, code: totp.codeAtStep(step: step + 1), now: now + 30)
        XCTAssertEqual(second.outcome, .enrolled(step: step + 1, drift: 0))
        XCTAssertTrue(second.state.isEnrolled())
        XCTAssertEqual(second.state.failures(), 0)

        // A pending enrollment cannot sign in.
        XCTAssertThrowsError(
            try verifier.verify(
                state: verifier.beginEnrollment(), code: totp.codeAt(unixTime: now), now: now)
        ) { error in
            guard case OtpkitError.WrongState(reason: .notEnrolled, _) = error else {
                return XCTFail("wrong error \(error)")
            }
        }

        // Codes of T-120 and T-90 submitted at T: a late person, not a slow clock.
        let late = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: totp.codeAt(unixTime: now - 120),
            code2: totp.codeAt(unixTime: now - 90), now: now)
        guard case .enrolled = late.outcome else {
            return XCTFail("a late enrollment was refused: \(late.outcome)")
        }
        XCTAssertEqual(late.state.drift(), 0)
    }

    func testHotpEnrollmentFromTheLastKnownCounter() throws {
        let hotp = try Hotp(secret: seed(), algorithm: .sha1)
        let verifier = try Verifier.hotp(generator: hotp)
        let old = try verifier.enroll(
            state: DeviceState.enrollingHotp(fromCounter: 40), code1: hotp.code(counter: 3),
            code2: hotp.code(counter: 4), now: 0)
        guard case let .refused(why, _, _) = old.outcome else {
            return XCTFail("old codes of a re-enrolled token were accepted: \(old.outcome)")
        }
        XCTAssertEqual(why, .firstCodeNotFound)
        let again = try verifier.enroll(
            state: old.state, code1: hotp.code(counter: 41), code2: hotp.code(counter: 42), now: 0)
        XCTAssertEqual(again.outcome, .enrolled(step: 42, drift: 0))
        XCTAssertEqual(again.state.nextCounter(), 43)
    }

    func testFailedResyncIsCounted() throws {
        let totp = try Totp(secret: seed(), algorithm: .sha1)
        var policy = defaultPolicy()
        policy.maxFailures = 3
        let verifier = try Verifier.totp(generator: totp, policy: policy)
        let now: UInt64 = 1_700_000_000
        let wrong = try wrongCodes(totp, now)
        var state = DeviceState.totpAt(lastStep: try totp.stepAt(unixTime: now) - 10)
        for i in 1...3 {
            let refused = try verifier.resync(state: state, code1: wrong[0], code2: wrong[1], now: now)
            XCTAssertEqual(refused.outcome, .rejected)
            XCTAssertEqual(refused.state.failures(), UInt32(i))
            state = try DeviceState.decode(text: refused.state.encode())
        }
        XCTAssertTrue(state.isLockedAt(now: now))
        let whileLocked = try verifier.resync(state: state, code1: wrong[0], code2: wrong[1], now: now)
        guard case .locked = whileLocked.outcome else {
            return XCTFail("a locked device resynced: \(whileLocked.outcome)")
        }
    }

    func testPoliciesAreBounded() throws {
        let totp = try Totp(secret: seed(), algorithm: .sha1)
        var policy = defaultPolicy()
        policy.behind = 1_000_000
        XCTAssertThrowsError(try Verifier.totp(generator: totp, policy: policy)) { error in
            guard case OtpkitError.InvalidInput(reason: .policyOutOfRange, _) = error else {
                return XCTFail("wrong error \(error)")
            }
        }
        let verifier = try Verifier.totp(generator: totp)
        XCTAssertLessThan(verifier.worstCaseGuessProbability(), 0.01)
    }
}
