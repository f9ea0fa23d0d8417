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
    }
}

/// Whether `error` is an `OtpkitError` of the case `action` with `reason` (any
/// reason when nil).
func isOtpkitError(_ error: Error, _ reason: ErrorCode?, _ action: String) -> Bool {
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
        XCTAssertEqual(s.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        XCTAssertEqual(s.base32Grouped(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")
        XCTAssertEqual(s.bytes(), Data("12345678901234567890".utf8))
        XCTAssertEqual(s.len(), 20)
        XCTAssertTrue(try s == Secret.fromBase32(text: s.base32Grouped()), "grouped text reads back")
    }

    /// secret: its descriptions show no key material
    func testSecretDescriptionsShowNoKeyMaterial() throws {
        let secret = try rfcSecret(.sha1)
        for text in [String(reflecting: secret), String(describing: secret), "\(secret)"] {
            XCTAssertTrue(!text.contains("GEZD") && text.contains("len: 20"), text)
        }
    }

    /// secret: typed errors whose sentence names the option as Swift spells it
    func testSecretTypedErrorsNameAllowShort() throws {
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
                     matches: { isOtpkitError($0, .secretTooShort, "InvalidInput")
                         && ($0 as? OtpkitError)?.detail().contains("allowShort") == true
                         && ($0 as? OtpkitError)?.detail().contains("AllowShort") == false })
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

    /// stateless verify: the match, or nil for a wrong or malformed code
    func testStatelessVerifyIsAMatchOrNil() throws {
        let secret = try rfcSecret(.sha1)
        let totp = try Totp(secret: secret, algorithm: .sha1)
        XCTAssertEqual(try totp.secondsLeft(unixTime: 59), 1)
        XCTAssertEqual(try totp.secondsLeft(unixTime: 60), 30)
        let code = try totp.codeAt(unixTime: 59)
        let found = try totp.verify(code: code, unixTime: 89, behind: 1, ahead: 0)
        XCTAssertEqual(found, Match(step: 1, offset: -1))
        XCTAssertEqual(found.map { "\($0)" }, "matched step 1 (offset -1)")
        XCTAssertNil(try totp.verify(code: code, unixTime: 89, behind: 0, ahead: 0))
        XCTAssertNil(try totp.verify(code: "12a456", unixTime: 59))
        let hotp = try Hotp(secret: secret, algorithm: .sha1)
        XCTAssertEqual(hotp.code(counter: 0), "755224")
        XCTAssertEqual(try hotp.verify(code: "520489", counter: 5, lookAhead: 4), Match(step: 9, offset: 4))
        XCTAssertNil(try hotp.verify(code: "520489", counter: 5, lookAhead: 3))
        XCTAssertNil(try hotp.verify(code: "12345x", counter: 0))
        let steam = SteamGuard(secret: secret)
        XCTAssertEqual(try steam.verify(code: steam.codeAt(unixTime: 59).lowercased(), unixTime: 59)?.step, 1)
        XCTAssertNil(try steam.verify(code: "!!!!!", unixTime: 59))
        assertThrows("digits", { _ = try Totp(secret: secret, algorithm: .sha1, digits: 5) },
                     matches: { isOtpkitError($0, .digitsOutOfRange, "InvalidInput") })
    }

    /// stateless verify: a window or look-ahead over the core bound is windowTooLarge
    func testStatelessVerifyAWindowOrLookAheadOverTheCoreBoundIsWindowTooLarge() throws {
        let secret = try rfcSecret(.sha1)
        let totp = try Totp(secret: secret, algorithm: .sha1)
        assertThrows("wide", { _ = try totp.verify(code: "000000", unixTime: 59, behind: 2_000_000, ahead: 2_000_000) },
                     matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput")
                         && ($0 as? OtpkitError)?.detail().contains("at most 120 steps") == true })
        XCTAssertEqual(try totp.verify(code: try totp.codeAt(unixTime: 59), unixTime: 59, behind: 120, ahead: 120),
                       Match(step: 1, offset: 0))
        assertThrows("steam", { _ = try SteamGuard(secret: secret).verify(code: "BCDFG", unixTime: 1_000_000, behind: 121, ahead: 0) },
                     matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput") })
        let hotp = try Hotp(secret: secret, algorithm: .sha1)
        assertThrows("look-ahead", { _ = try hotp.verify(code: "755224", counter: 0, lookAhead: 1_001) },
                     matches: { isOtpkitError($0, .windowTooLarge, "InvalidInput") })
    }

    /// otpauth: parse a URI, its warnings, and build it back
    func testOtpauthParseAUriItsWarningsAndBuildItBack() throws {
        let parsed = try parseOtpauthUri(uri: acmeUri)
        let account = parsed.account
        XCTAssertEqual(account.issuer, "ACME Co")
        XCTAssertEqual(account.name, "john.doe@email.com")
        XCTAssertEqual(account.kind, .totp(period: 30))
        XCTAssertTrue(parsed.warnings.isEmpty, "no warnings for a canonical URI")
        XCTAssertEqual(account.label(), "ACME Co:john.doe@email.com")
        XCTAssertEqual(try parseOtpauthUri(uri: account.toUri()).account, account)
        XCTAssertEqual(account.description, "totp account ACME Co:john.doe@email.com (SHA1, 6 digits)")
        let odd = try parseOtpauthUri(uri: "otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
        XCTAssertEqual(odd.warnings.map { $0.code }, ["SECRET_LOWERCASE", "SHORT_SECRET", "ALGORITHM_IGNORED_BY_APPS"])
        XCTAssertEqual(odd.warnings[1].description, odd.warnings[1].message)
        assertThrows("not otpauth", { _ = try parseOtpauthUri(uri: "https://example.com/") },
                     matches: { isOtpkitError($0, .notOtpauthUri, "InvalidInput") })
    }

    /// migration and steam
    func testMigrationAndSteam() throws {
        let a = try parseOtpauthUri(
            uri: "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME").account
        let uris = try encodeMigration(accounts: [a], perBatch: 10)
        XCTAssertEqual(uris.count, 1)
        let batch = try decodeMigration(uri: uris[0])
        XCTAssertEqual(batch.entries, [.account(account: a)])
        var steam = a
        steam.kind = .steam
        assertThrows("steam in a migration", { _ = try encodeMigration(accounts: [steam]) },
                     matches: { isOtpkitError($0, .steamUnsupported, "Unsupported") })
        let secret = try parseSteamUri(uri: "steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        let code = try SteamGuard(secret: secret).codeAt(unixTime: 59)
        XCTAssertEqual(code.count, 5)
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
                    if !(first.ok && again.reason == .replayed) { ok = false }
                } catch {
                    ok = false
                }
            }
            lock.lock(); results.append(ok); lock.unlock()
        }
        XCTAssertEqual(results, Array(repeating: true, count: 8))
    }

    /// secret: generated length follows the algorithm, values differ
    func testSecretGenerateLengthFollowsTheAlgorithm() throws {
        XCTAssertEqual(try Secret.generate(algorithm: .sha1).len(), 20)
        XCTAssertEqual(try Secret.generate(algorithm: .sha256).len(), 32)
        XCTAssertEqual(try Secret.generate(algorithm: .sha512).len(), 64)
        XCTAssertFalse(try Secret.generate(algorithm: .sha1) == Secret.generate(algorithm: .sha1))
    }

    /// errors: every failure is an OtpkitError of the facade's category, with the core's code
    func testEveryFailureIsAnOtpkitErrorOfItsCategoryWithItsCode() throws {
        let totp = try Totp(secret: rfcSecret(.sha1))
        let verifier = try Verifier.totp(generator: totp)
        let cases: [(String, ErrorCode, () throws -> Void)] = [
            ("InvalidInput", .secretInvalidCharacter,
             { _ = try Secret.fromBase32(text: "GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ") }),
            ("InvalidInput", .windowTooLarge, { _ = try totp.verify(code: "123456", unixTime: 59, behind: 121) }),
            ("Password", .passwordRequired, { _ = try importPskc(xml: rfc6030Figure(7)) }),
            ("Damaged", .notAState, { _ = try verifier.verify(state: "{\"step\":5}", code: "123456", now: 0) }),
            ("Unsupported", .unsupportedType,
             { _ = try parseOtpauthUri(uri: "otpauth://yubikey/x?secret=GEZDGNBVGY3TQOJQ") }),
            ("WrongState", .notEnrolled,
             { _ = try verifier.verify(state: verifier.beginEnrollment(), code: "123456", now: 1_700_000_000) }),
            ("Clock", .beforeEpoch, { _ = try Totp(secret: rfcSecret(.sha1), t0: 100).codeAt(unixTime: 99) }),
        ]
        for (category, reason, call) in cases {
            do {
                try call()
                XCTFail("\(reason): no error thrown")
            } catch let e as OtpkitError {
                XCTAssertEqual(caseName(e), category, "\(reason)")
                XCTAssertEqual(e.reason(), reason)
                // The sentence: detail(), description, "\(e)" and localizedDescription.
                XCTAssertFalse(e.detail().isEmpty)
                XCTAssertEqual(e.description, e.detail())
                XCTAssertEqual("\(e)", e.detail())
                XCTAssertTrue(e.localizedDescription.contains(e.detail()), e.localizedDescription)
                XCTAssertFalse(e.detail().contains("GEZ1"), e.detail())
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
        XCTAssertEqual(try totp.verify(code: totp.codeAt(unixTime: now - 30), unixTime: now)?.offset, -1)
        XCTAssertNil(try totp.verify(code: totp.codeAt(unixTime: now - 60), unixTime: now))
        XCTAssertEqual(try Hotp(secret: secret).code(counter: 0), "755224")
        XCTAssertEqual(Policy(maxFailures: 3).maxFailures, 3)
        XCTAssertNil(Policy().maxFailures)
        let account = Account(name: "alice", secret: secret, algorithm: .sha1, kind: .totp(period: 30))
        XCTAssertNil(account.issuer)
        XCTAssertEqual(account.digits, 6)
        XCTAssertTrue(account.extra.isEmpty)
        XCTAssertEqual(try parseOtpauthUri(uri: account.toUri()).account, account)
    }

    /// traits: everything describes itself readably, never the secret; records compare by value
    func testDescriptionsAndEquality() throws {
        let secret = try rfcSecret(.sha256)
        let totp = try Totp(secret: secret, algorithm: .sha256, digits: 8, period: 60)
        XCTAssertEqual("\(totp)", "TOTP SHA-256, 8 digits, 60 s")
        XCTAssertEqual(try Hotp(secret: secret).description, "HOTP SHA-1, 6 digits")
        XCTAssertEqual(SteamGuard(secret: secret).description, "Steam Guard")
        let prefix = String(secret.base32().prefix(8))
        let account = Account(name: "a", secret: secret, algorithm: .sha256, kind: .steam)
        let parsed = try parseOtpauthUri(uri: acmeUri)
        let codes = try generateRecoveryCodes(count: 2)
        XCTAssertEqual(codes.description, "2 recovery codes")
        for text in [String(describing: totp), String(reflecting: totp), String(reflecting: secret),
                     String(describing: account), String(reflecting: account), "\([account])",
                     String(describing: parsed), String(reflecting: parsed)] {
            XCTAssertFalse(text.contains(prefix) || text.contains("1234") || text.contains("HXDMVJEC"), text)
        }
        for text in [String(describing: codes), String(reflecting: codes)] {
            XCTAssertFalse(text.contains(codes.codes[0]), text)
        }
        XCTAssertEqual(Set([Match(step: 1, offset: -1), Match(step: 1, offset: -1)]).count, 1)
        XCTAssertEqual(Set<Algorithm>([.sha1, .sha1]).count, 1)
        XCTAssertEqual(Set<ErrorCode>([.replayed, .replayed, .codeMismatch]).count, 2)
        // Records holding objects are Equatable through Rust's equality.
        XCTAssertEqual(try parseOtpauthUri(uri: acmeUri), try parseOtpauthUri(uri: acmeUri))
        XCTAssertNotEqual(try parseOtpauthUri(uri: acmeUri).account, account)
    }
}
