// XCTest suite of the generated Swift bindings against the real libotpkit_ffi.
// `swift test` in bindings/swift runs it (after `bindings/package.sh swift`);
// bindings/test.sh does both, inside a Debian trixie tree where the host has no Swift.

import Dispatch
import Foundation
import Otpkit
import XCTest

/// Asserts that `body` throws an error for which `matches` is true.
func assertThrows(
    _ what: String, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void, matches: (Error) -> Bool
) {
    do {
        try body()
        XCTFail("\(what): no error thrown", file: file, line: line)
    } catch {
        XCTAssertTrue(matches(error), "\(what): wrong error \(error)", file: file, line: line)
    }
}

/// The case of the one binding error: what the caller does about it.
func caseName(_ error: OtpkitError) -> String {
    switch error {
    case .InvalidInput: return "InvalidInput"
    case .Password: return "Password"
    case .Damaged: return "Damaged"
    case .Unsupported: return "Unsupported"
    case .WrongState: return "WrongState"
    case .Clock: return "Clock"
    case .System: return "System"
    case .Other: return "Other"
    }
}

/// Whether `error` is an `OtpkitError` of the case `action` with `reason` (any
/// reason when nil).
func isOtpkitError(_ error: Error, _ reason: ErrorReason?, _ action: String) -> Bool {
    guard let e = error as? OtpkitError else { return false }
    return caseName(e) == action && (reason == nil || e.reason() == reason)
}

/// RFC 6238 appendix B seeds: the ASCII digits repeated to 20, 32 and 64 bytes.
func rfcSecret(_ algorithm: Algorithm) throws -> Secret {
    let len: Int
    switch algorithm {
    case .sha1: len = 20
    case .sha256: len = 32
    case .sha512: len = 64
    }
    let digits = Array("1234567890".utf8)
    return try Secret.fromBytes(bytes: Data((0..<len).map { digits[$0 % 10] }))
}

/// RFC 6238 appendix B: (time, SHA1, SHA256, SHA512), 8 digits, 30 s period.
let rfc6238: [(UInt64, [String])] = [
    (59, ["94287082", "46119246", "90693936"]),
    (1111111109, ["07081804", "68084774", "25091201"]),
    (1111111111, ["14050471", "67062674", "99943326"]),
    (1234567890, ["89005924", "91819424", "93441116"]),
    (2000000000, ["69279037", "90698825", "38618901"]),
    (20000000000, ["65353130", "77737706", "47863826"]),
]


let acmeUri = "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
    + "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"

/// Codes valid at no step within 30 of `now`'s: certain failures, whatever the secret.
func wrongCodes(_ totp: Totp, _ now: UInt64) throws -> [String] {
    let step = try totp.stepAt(unixTime: now)
    var near = Set<String>()
    for s in (step - 30)...(step + 30) { near.insert(totp.codeAtStep(step: s)) }
    return (0..<10)
        .map { String(repeating: String($0), count: Int(totp.digits())) }
        .filter { !near.contains($0) }
}

final class OtpkitTests: XCTestCase {
    /// secret: Base32 as pasted, canonical and grouped output
    func testSecretBase32AsPastedCanonicalAndGroupedOutput() throws {
        let s = try Secret.fromBase32(text: "gezd-gnbv gy3t qojq gezd gnbv gy3t qojq====")
        XCTAssertEqual(try s.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        XCTAssertEqual(try s.base32Grouped(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")
        XCTAssertEqual(try s.bytes(), Data("12345678901234567890".utf8))
        XCTAssertEqual(try s.len(), 20)
        XCTAssertTrue(try s == Secret.fromBase32(text: s.base32Grouped()), "grouped text reads back")
    }

    /// secret: debugDescription shows no key material
    func testSecretDebugdescriptionShowsNoKeyMaterial() throws {
        let text = try String(reflecting: rfcSecret(.sha1))
        XCTAssertTrue(try !text.contains("GEZD") && text.contains("len: 20"), text)
    }

    /// secret: typed errors carrying the core's message
    func testSecretTypedErrorsCarryingTheCoreSMessage() throws {
        assertThrows("invalid character", {
            _ = try Secret.fromBase32(text: "GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
        }, matches: { error in
            if case let OtpkitError.InvalidInput(reason, detail) = error {
                return reason == .secretInvalidCharacter && detail.contains("position 16")
                    && !detail.contains("GEZD")
            }
            return false
        })
        assertThrows("too short", { _ = try Secret.fromBase32(text: "JBSWY3DPEHPK3PXP") },
                         matches: { isOtpkitError($0, .secretTooShort, "InvalidInput") })
        XCTAssertTrue(try Secret.fromBase32(text: "JBSWY3DPEHPK3PXP", allowShort: true).isShort(), "allowShort")
    }

    /// totp: RFC 6238 vectors for SHA1/256/512 with 20/32/64-byte seeds
    func testTotpRfc6238VectorsForSha1256512With203264ByteSeeds() throws {
        let algorithms: [Algorithm] = [.sha1, .sha256, .sha512]
        for (time, codes) in rfc6238 {
            for (i, algorithm) in algorithms.enumerated() {
                let totp = try Totp(secret: rfcSecret(algorithm), algorithm: algorithm, digits: 8)
                XCTAssertEqual(try totp.codeAt(unixTime: time), codes[i])
            }
        }
    }

    /// totp: seconds left, stateless verify, typed errors
    func testTotpSecondsLeftStatelessVerifyTypedErrors() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        XCTAssertEqual(try totp.secondsLeft(unixTime: 59), 1)
        XCTAssertEqual(try totp.secondsLeft(unixTime: 60), 30)
        let code = try totp.codeAt(unixTime: 59)
        XCTAssertEqual(try totp.verify(code: code, unixTime: 89, behind: 1, ahead: 0), Match(step: 1, offset: -1))
        assertThrows("mismatch", { _ = try totp.verify(code: code, unixTime: 89, behind: 0, ahead: 0) },
                         matches: { isOtpkitError($0, .codeMismatch, "InvalidInput") })
        assertThrows("digits", { _ = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1, digits: 5) },
                         matches: { isOtpkitError($0, .digitsOutOfRange, "InvalidInput") })
    }

    /// hotp: RFC 4226 vectors
    func testHotpRfc4226Vectors() throws {
        let hotp = try Hotp(secret: rfcSecret(.sha1), algorithm: .sha1)
        XCTAssertEqual(try hotp.code(counter: 0), "755224")
        XCTAssertEqual(try hotp.code(counter: 9), "520489")
        XCTAssertEqual(try hotp.verify(code: "520489", counter: 5, lookAhead: 4), Match(step: 9, offset: 4))
    }

    /// stateless verify: a window or look-ahead over the core bound is windowTooLarge
    func testStatelessVerifyAWindowOrLookAheadOverTheCoreBoundIsWindowTooLarge() throws {
        let secret = try rfcSecret(.sha1)
        let totp = try Totp(secret: secret, algorithm: .sha1)
        // 2,000,000 steps either side would accept nearly any code.
        assertThrows("wide", { _ = try totp.verify(code: "000000", unixTime: 59, behind: 2_000_000, ahead: 2_000_000) },
                         matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput")
                             && ($0 as? OtpkitError)?.detail().contains("at most 120 steps") == true })
        assertThrows("ahead", { _ = try totp.verify(code: "000000", unixTime: 59, behind: 0, ahead: 121) },
                         matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput") })
        XCTAssertEqual(try totp.verify(code: try totp.codeAt(unixTime: 59), unixTime: 59, behind: 120, ahead: 120),
                       Match(step: 1, offset: 0))
        assertThrows("steam", { _ = try SteamGuard(secret: secret).verify(code: "BCDFG", unixTime: 1_000_000, behind: 121, ahead: 0) },
                         matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput") })
        let hotp = try Hotp(secret: secret, algorithm: .sha1)
        assertThrows("look-ahead", { _ = try hotp.verify(code: "755224", counter: 0, lookAhead: 1_001) },
                         matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput")
                             && ($0 as? OtpkitError)?.detail().contains("at most 1000 counters") == true })
        XCTAssertEqual(try hotp.verify(code: "755224", counter: 0, lookAhead: 1_000), Match(step: 0, offset: 0))
    }

    /// otpauth: parse a URI, its warnings, and build it back
    func testOtpauthParseAUriItsWarningsAndBuildItBack() throws {
        let parsed = try parseOtpauthUri(uri: acmeUri)
        let account = parsed.account
        XCTAssertEqual(try account.issuer, "ACME Co")
        XCTAssertEqual(try account.name, "john.doe@email.com")
        XCTAssertEqual(try account.kind, .totp(period: 30))
        XCTAssertTrue(try parsed.warnings.isEmpty, "no warnings for a canonical URI")
        XCTAssertEqual(try account.label(), "ACME Co:john.doe@email.com")
        let again = try parseOtpauthUri(uri: account.toUri()).account
        XCTAssertTrue(try again.secret == account.secret && again.name == account.name
            && again.issuer == account.issuer && again.kind == account.kind, "URI round trip")
        let odd = try parseOtpauthUri(uri: "otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
        let kinds: [UriWarningKind] = odd.warnings.map { $0.kind }
        XCTAssertEqual(try kinds, [.secretLowercase, .shortSecret, .algorithmIgnoredByApps])
    }

    /// otpauth: a bad URI is a typed error with the core's message
    func testOtpauthABadUriIsATypedErrorWithTheCoreSMessage() throws {
        assertThrows("not otpauth", { _ = try parseOtpauthUri(uri: "https://example.com/") },
                         matches: { isOtpkitError($0, .notOtpauthUri, "InvalidInput") })
        assertThrows("bad secret", { _ = try parseOtpauthUri(uri: "otpauth://totp/x?secret=GEZ1GEZD") },
                         matches: { error in
            if case let OtpkitError.InvalidInput(reason, detail) = error {
                return reason == .secretInvalidCharacter && detail.contains("position 4")
                    && !detail.contains("GEZ1")
            }
            return false
        })
    }

    /// migration and steam
    func testMigrationAndSteam() throws {
        let a = try parseOtpauthUri(
            uri: "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME").account
        let uris = try encodeMigration(accounts: [a], perBatch: 10)
        XCTAssertEqual(try uris.count, 1)
        let batch = try decodeMigration(uri: uris[0])
        guard batch.entries.count == 1, case let .account(decoded) = batch.entries[0] else {
            return XCTFail("expected one account, got \(batch.entries)")
        }
        XCTAssertTrue(try decoded.secret == a.secret && decoded.name == "alice" && decoded.issuer == "ACME",
                   "decoded account")
        let secret = try parseSteamUri(uri: "steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        let code = try SteamGuard(secret: secret).codeAt(unixTime: 59)
        XCTAssertEqual(try code.count, 5)
    }

    /// server: enrol with two codes, verify, reject the replay, persist the state
    func testServerEnrolWithTwoCodesVerifyRejectTheReplayPersistTheState() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp)
        let now: UInt64 = 1_700_000_000
        let step = try totp.stepAt(unixTime: now)
        let enrollment = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: totp.codeAtStep(step: step - 1),
            code2: totp.codeAtStep(step: step), now: now)
        XCTAssertEqual(enrollment.outcome, .enrolled(step: step, drift: 0))
        let enrolled = enrollment.state
        XCTAssertEqual(enrolled.lastStep(), step)
        let stored = enrolled.encode()
        let loaded = try DeviceState.decode(text: stored)
        XCTAssertTrue(try loaded == enrolled, "the state survives its string form")
        let code = try totp.codeAt(unixTime: now + 30)
        let first = try verifier.verify(state: loaded, code: code, now: now + 30)
        XCTAssertEqual(try first.outcome, .accepted(step: step + 1, drift: 0))
        let replay = try verifier.verify(state: first.state, code: code, now: now + 31)
        XCTAssertEqual(try replay.outcome, .replayed)
        XCTAssertEqual(try replay.state.failures(), 1)
        let twice = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: code, code2: code, now: now + 30)
        guard case let .refused(why, _, _) = twice.outcome else {
            return XCTFail("the same code twice was not refused: \(twice.outcome)")
        }
        XCTAssertEqual(why, .sameCodeTwice)
        var tampered = Array(stored)
        tampered[8] = tampered[8] == "1" ? "2" : "1"
        assertThrows("tampered state", { _ = try DeviceState.decode(text: String(tampered)) },
                         matches: { isOtpkitError($0, .stateChecksumMismatch, "Damaged") })
        let wrong = try wrongCodes(totp, now)
        let failed = try verifier.verify(state: loaded, code: wrong[0], now: now + 30)
        XCTAssertEqual(try failed.outcome, .invalid)
    }

    /// threads: one Verifier shared by 8 threads
    func testThreadsOneVerifierSharedBy8Threads() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let verifier = try Verifier.totp(generator: totp)
        let lock = NSLock()
        var results: [Bool] = []
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            var ok = true
            for i in 0..<25 {
                let now = UInt64(1_700_000_000 + t * 1000 + i * 37)
                do {
                    let step = try totp.stepAt(unixTime: now)
                    let state = try verifier.enroll(
                        state: verifier.beginEnrollment(), code1: totp.codeAtStep(step: step - 1),
                        code2: totp.codeAtStep(step: step), now: now).state
                    let code = try totp.codeAt(unixTime: now + 30)
                    let first = try verifier.verify(state: state, code: code, now: now + 30)
                    let again = try verifier.verify(state: first.state, code: code, now: now + 30)
                    if case .accepted = first.outcome, again.outcome == .replayed {} else { ok = false }
                } catch {
                    ok = false
                }
            }
            lock.lock(); results.append(ok); lock.unlock()
        }
        XCTAssertEqual(try results, Array(repeating: true, count: 8))
    }

    /// threads: one Totp shared by 8 threads gives the same codes
    func testThreadsOneTotpSharedBy8ThreadsGivesTheSameCodes() throws {
        let totp = try Totp(secret: rfcSecret(.sha256), algorithm: .sha256, digits: 8)
        let lock = NSLock()
        var seen = Set<String>()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 {
                let code = (try? totp.codeAt(unixTime: 1111111109)) ?? "error"
                lock.lock(); seen.insert(code); lock.unlock()
            }
        }
        XCTAssertEqual(try seen, ["68084774"])
    }

    /// secret: generated length follows the algorithm, values differ
    func testSecretGenerateLengthFollowsTheAlgorithm() throws {
        XCTAssertEqual(try Secret.generate(algorithm: .sha1).len(), 20)
        XCTAssertEqual(try Secret.generate(algorithm: .sha256).len(), 32)
        XCTAssertEqual(try Secret.generate(algorithm: .sha512).len(), 64)
        XCTAssertFalse(try Secret.generate(algorithm: .sha1) == Secret.generate(algorithm: .sha1))
    }

    /// server: failures lock the device out, resync re-measures drift
    func testServerLockoutAndResync() throws {
        let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
        var policy = defaultPolicy()
        policy.maxFailures = 2
        let verifier = try Verifier.totp(generator: totp, policy: policy)
        let now: UInt64 = 1_700_000_000
        let wrong = try wrongCodes(totp, now)
        var state = try DeviceState.totpAt(lastStep: totp.stepAt(unixTime: now) - 10)
        for _ in 0..<2 {
            let failed = try verifier.verify(state: state, code: wrong[0], now: now)
            XCTAssertEqual(failed.outcome, .invalid)
            state = failed.state
        }
        let locked = try verifier.verify(state: state, code: totp.codeAt(unixTime: now), now: now).outcome
        guard case .locked = locked else { return XCTFail("expected locked, got \(locked)") }
        XCTAssertTrue(state.isLockedAt(now: now))
        let whileLocked = try verifier.resync(state: state, code1: wrong[0], code2: wrong[1], now: now)
        guard case .locked = whileLocked.outcome else {
            return XCTFail("resync while locked: \(whileLocked.outcome)")
        }
        XCTAssertEqual(whileLocked.state, state)

        // A device 5 steps fast: outside the sign-in scan, resync finds it; the drift
        // covers a clock up to 8 steps fast (the codes may have been typed late).
        let fresh = try DeviceState.totpAt(lastStep: totp.stepAt(unixTime: now) - 10)
        let ahead = try totp.stepAt(unixTime: now) + 5
        let resynced = try verifier.resync(
            state: fresh, code1: totp.codeAtStep(step: ahead), code2: totp.codeAtStep(step: ahead + 1), now: now)
        XCTAssertEqual(resynced.outcome, .resynced(step: ahead + 1, drift: 8))
        XCTAssertEqual(resynced.state.drift(), 8)
        // A refused pair is counted in the returned state, without the caller's help.
        let refused = try verifier.resync(state: fresh, code1: wrong[0], code2: wrong[1], now: now)
        XCTAssertEqual(refused.outcome, .rejected)
        XCTAssertEqual(refused.state.failures(), 1)
    }

    /// server, HOTP: enrol a token, accept within the look-ahead, refuse a used counter
    func testServerHotpVerifier() throws {
        let hotp = try Hotp(secret: rfcSecret(.sha1), algorithm: .sha1)
        let verifier = try Verifier.hotp(generator: hotp)
        let now: UInt64 = 1_700_000_000
        // RFC 4226 appendix D: counters 0..9.
        let enrollment = try verifier.enroll(
            state: verifier.beginEnrollment(), code1: "755224", code2: "287082", now: now)
        XCTAssertEqual(enrollment.outcome, .enrolled(step: 1, drift: 0))
        let enrolled = enrollment.state
        XCTAssertEqual(enrolled.nextCounter(), 2)
        XCTAssertNil(enrolled.lastStep())
        // The button pressed twice without signing in: counter 3 is within the look-ahead.
        let skipped = try verifier.verify(state: enrolled, code: "969429", now: now + 5)
        XCTAssertEqual(skipped.outcome, .accepted(step: 3, drift: 1))
        XCTAssertEqual(skipped.state.nextCounter(), 4)
        // A counter at or before the last accepted one is refused, however it is typed.
        let old = try verifier.verify(state: skipped.state, code: "969429", now: now + 6)
        XCTAssertEqual(old.outcome, .replayed)
        let older = try verifier.verify(state: old.state, code: "359152", now: now + 7)
        XCTAssertNotEqual(older.outcome, .accepted(step: 2, drift: 0))
        XCTAssertEqual(older.state.failures(), 2)
        // The next code is accepted and the state survives its string form.
        let stored = try DeviceState.decode(text: older.state.encode())
        let next = try verifier.verify(state: stored, code: "338314", now: now + 8)
        XCTAssertEqual(next.outcome, .accepted(step: 4, drift: 0))
        XCTAssertEqual(next.state.failures(), 0)
    }

    /// swift: values are Hashable where Swift expects it, and no description shows a secret
    func testSwiftConformancesAndDescriptions() throws {
        let a = Match(step: 1, offset: -1)
        XCTAssertEqual(Set([a, a, Match(step: 2, offset: 0)]).count, 2)
        XCTAssertEqual(Set<Outcome>([.replayed, .invalid, .replayed]).count, 2)
        XCTAssertEqual(Set<Algorithm>([.sha1, .sha1]).count, 1)
        let parsed = try parseOtpauthUri(uri: acmeUri)
        for text in [String(describing: parsed), String(reflecting: parsed.account),
                     String(describing: parsed.account.secret), "\(parsed.account.secret)"] {
            XCTAssertFalse(text.contains("HXDMVJEC"), text)
        }
        // Errors are Swift errors with the core's sentence, never the input.
        do {
            _ = try Secret.fromBase32(text: "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBO1")
            XCTFail("no error thrown")
        } catch {
            let text = "\(error) \(error.localizedDescription)"
            XCTAssertTrue(text.contains("position 32"), text)
            XCTAssertFalse(text.contains("HXDMVJEC"), text)
        }
    }

    /// errors: every failure is an OtpkitError of the caller's action, with the precise reason
    func testEveryFailureIsAnOtpkitErrorOfItsActionWithItsReason() throws {
        let totp = try Totp(secret: rfcSecret(.sha1))
        let verifier = try Verifier.totp(generator: totp)
        let cases: [(String, ErrorReason, () throws -> Void)] = [
            ("InvalidInput", .secretInvalidCharacter,
             { _ = try Secret.fromBase32(text: "GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ") }),
            ("InvalidInput", .codeMalformed, { _ = try totp.verify(code: "12a456", unixTime: 59) }),
            ("InvalidInput", .secretInvalidCharacter,
             { _ = try parseOtpauthUri(uri: "otpauth://totp/x?secret=GEZ1GEZD") }),
            ("Password", .passwordRequired, { _ = try importPskc(xml: rfc6030Figure(7)) }),
            ("Damaged", .notAState, { _ = try DeviceState.decode(text: "{\"step\":5}") }),
            ("Unsupported", .unsupportedUriType,
             { _ = try parseOtpauthUri(uri: "otpauth://yubikey/x?secret=GEZDGNBVGY3TQOJQ") }),
            ("WrongState", .notEnrolled,
             { _ = try verifier.verify(state: verifier.beginEnrollment(), code: "123456", now: 1_700_000_000) }),
            ("Clock", .beforeEpoch, { _ = try Totp(secret: rfcSecret(.sha1), t0: 100).codeAt(unixTime: 99) }),
        ]
        for (action, reason, call) in cases {
            do {
                try call()
                XCTFail("\(reason): no error thrown")
            } catch let e as OtpkitError {
                XCTAssertEqual(caseName(e), action, "\(reason)")
                XCTAssertEqual(e.reason(), reason)
                // The core's sentence: detail(), description, and in localizedDescription.
                XCTAssertFalse(e.detail().isEmpty)
                XCTAssertEqual(e.description, e.detail())
                XCTAssertTrue(e.localizedDescription.contains(e.detail()), e.localizedDescription)
                XCTAssertFalse(e.detail().contains("GEZ1") || e.detail().contains("12a456"), e.detail())
            } catch {
                XCTFail("\(reason): not an OtpkitError: \(error)")
            }
        }
        // Errors are values: Equatable and Hashable, matched by case and reason.
        do {
            _ = try Secret.fromBase32(text: "JBSWY3DPEHPK3PXP")
            XCTFail("a short secret was accepted")
        } catch OtpkitError.InvalidInput(reason: .secretTooShort, let detail) {
            XCTAssertTrue(detail.contains("80 bits"), detail)
            XCTAssertEqual(Set([OtpkitError.InvalidInput(reason: .secretTooShort, detail: detail),
                                OtpkitError.InvalidInput(reason: .secretTooShort, detail: detail)]).count, 1)
        }
    }

    /// defaults: SHA-1, 6 digits, 30 s, window ±1, the default policy and Account fields
    func testDefaults() throws {
        let secret = try rfcSecret(.sha1)
        XCTAssertEqual(try Secret.generate().len(), 20)
        let totp = try Totp(secret: secret)
        XCTAssertEqual(totp.algorithm(), .sha1)
        XCTAssertEqual(totp.digits(), 6)
        XCTAssertEqual(totp.period(), 30)
        let now: UInt64 = 1_700_000_000
        XCTAssertEqual(try totp.verify(code: totp.codeAt(unixTime: now - 30), unixTime: now).offset, -1)
        assertThrows("two steps behind", { _ = try totp.verify(code: totp.codeAt(unixTime: now - 60), unixTime: now) },
                     matches: { isOtpkitError($0, .codeMismatch, "InvalidInput") })
        XCTAssertEqual(try Hotp(secret: secret).code(counter: 0), "755224")
        XCTAssertEqual(Policy(), defaultPolicy())
        var three = defaultPolicy()
        three.maxFailures = 3
        XCTAssertEqual(Policy(maxFailures: 3), three)
        let account = Account(name: "alice", secret: secret, algorithm: .sha1, kind: .totp(period: 30))
        XCTAssertNil(account.issuer)
        XCTAssertEqual(account.digits, 6)
        XCTAssertTrue(account.extra.isEmpty)
        XCTAssertEqual(try parseOtpauthUri(uri: account.toUri()).account, account)
    }

    /// traits: generators describe their settings, never the secret; states and records compare by value
    func testDescriptionsEqualityAndHashing() throws {
        let secret = try rfcSecret(.sha256)
        let totp = try Totp(secret: secret, algorithm: .sha256, digits: 8, period: 60)
        XCTAssertEqual("\(totp)", "TOTP SHA-256, 8 digits, 60 s")
        XCTAssertEqual(try Hotp(secret: secret).description, "HOTP SHA-1, 6 digits")
        XCTAssertEqual(SteamGuard(secret: secret).description, "Steam Guard")
        let prefix = String(secret.base32().prefix(8))
        let account = Account(name: "a", secret: secret, algorithm: .sha256, kind: .steam)
        for text in [String(describing: totp), String(reflecting: totp), String(reflecting: secret),
                     String(describing: account), String(reflecting: account)] {
            XCTAssertFalse(text.contains(prefix) || text.contains("1234"), text)
        }
        let a = DeviceState.totpAt(lastStep: 7)
        let b = try DeviceState.decode(text: a.encode())
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set([a, b, DeviceState.totpAt(lastStep: 8)]).count, 2)
        // Records holding objects are Equatable through Rust's equality.
        XCTAssertEqual(try parseOtpauthUri(uri: acmeUri), try parseOtpauthUri(uri: acmeUri))
        XCTAssertNotEqual(try parseOtpauthUri(uri: acmeUri).account, account)
    }
}
