// Tests of the generated Swift bindings against the real libotpkit_ffi.
// A plain program, so it runs wherever swiftc does (no XCTest needed): it prints one
// line per test and closes with `swift: N passed, M failed`, exiting non-zero on failure.
// Built either by SwiftPM (where the bindings are the `Otpkit` module) or by one
// swiftc call together with the generated otpkit.swift (one module), see test.sh.

import Dispatch
import Foundation
#if canImport(Otpkit)
import Otpkit
#endif

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
    if !condition { throw Failure(description: "line \(line): \(message())") }
}

func expectEqual<T: Equatable>(_ actual: T, _ expected: T, line: Int = #line) throws {
    if actual != expected {
        throw Failure(description: "line \(line): expected \(expected), got \(actual)")
    }
}

/// Runs `body`, which must throw an error for which `matches` is true.
func expectThrows(
    _ what: String, line: Int = #line, _ body: () throws -> Void, matches: (Error) -> Bool
) throws {
    do {
        try body()
    } catch {
        if matches(error) { return }
        throw Failure(description: "line \(line): \(what): wrong error \(error)")
    }
    throw Failure(description: "line \(line): \(what): no error thrown")
}

var tests: [(String, () throws -> Void)] = []
func test(_ name: String, _ body: @escaping () throws -> Void) { tests.append((name, body)) }

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

test("secret: Base32 as pasted, canonical and grouped output") {
    let s = try Secret.fromBase32(text: "gezd-gnbv gy3t qojq gezd gnbv gy3t qojq====")
    try expectEqual(s.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    try expectEqual(s.base32Grouped(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")
    try expectEqual(s.bytes(), Data("12345678901234567890".utf8))
    try expectEqual(s.len(), 20)
    try expect(s == Secret.fromBase32(text: s.base32Grouped()), "grouped text reads back")
}

test("secret: debugDescription shows no key material") {
    let text = try String(reflecting: rfcSecret(.sha1))
    try expect(!text.contains("GEZD") && text.contains("len: 20"), text)
}

test("secret: typed errors carrying the core's message") {
    try expectThrows("invalid character", {
        _ = try Secret.fromBase32(text: "GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
    }, matches: { error in
        if case let SecretError.InvalidCharacter(message) = error {
            return message.contains("position 16") && !message.contains("GEZD")
        }
        return false
    })
    try expectThrows("too short", { _ = try Secret.fromBase32(text: "JBSWY3DPEHPK3PXP") },
                     matches: { if case SecretError.TooShort = $0 { return true } else { return false } })
    try expect(Secret.fromBase32(text: "JBSWY3DPEHPK3PXP", allowShort: true).isShort(), "allowShort")
}

test("totp: RFC 6238 vectors for SHA1/256/512 with 20/32/64-byte seeds") {
    let algorithms: [Algorithm] = [.sha1, .sha256, .sha512]
    for (time, codes) in rfc6238 {
        for (i, algorithm) in algorithms.enumerated() {
            let totp = try Totp(secret: rfcSecret(algorithm), algorithm: algorithm, digits: 8)
            try expectEqual(totp.codeAt(unixTime: time), codes[i])
        }
    }
}

test("totp: seconds left, stateless verify, typed errors") {
    let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
    try expectEqual(totp.secondsLeft(unixTime: 59), 1)
    try expectEqual(totp.secondsLeft(unixTime: 60), 30)
    let code = try totp.codeAt(unixTime: 59)
    try expectEqual(totp.verify(code: code, unixTime: 89, behind: 1, ahead: 0), Match(step: 1, offset: -1))
    try expectThrows("mismatch", { _ = try totp.verify(code: code, unixTime: 89, behind: 0, ahead: 0) },
                     matches: { if case VerifyError.Mismatch = $0 { return true } else { return false } })
    try expectThrows("digits", { _ = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1, digits: 5) },
                     matches: { if case ParameterError.Digits = $0 { return true } else { return false } })
}

test("hotp: RFC 4226 vectors") {
    let hotp = try Hotp(secret: rfcSecret(.sha1), algorithm: .sha1)
    try expectEqual(hotp.code(counter: 0), "755224")
    try expectEqual(hotp.code(counter: 9), "520489")
    try expectEqual(hotp.verify(code: "520489", counter: 5, lookAhead: 4), Match(step: 9, offset: 4))
}

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

test("otpauth: parse a URI, its warnings, and build it back") {
    let parsed = try parseOtpauthUri(uri: acmeUri)
    let account = parsed.account
    try expectEqual(account.issuer, "ACME Co")
    try expectEqual(account.name, "john.doe@email.com")
    try expectEqual(account.kind, .totp(period: 30))
    try expect(parsed.warnings.isEmpty, "no warnings for a canonical URI")
    try expectEqual(account.label(), "ACME Co:john.doe@email.com")
    let again = try parseOtpauthUri(uri: account.toUri()).account
    try expect(again.secret == account.secret && again.name == account.name
        && again.issuer == account.issuer && again.kind == account.kind, "URI round trip")
    let odd = try parseOtpauthUri(uri: "otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
    let kinds: [UriWarningKind] = odd.warnings.map { $0.kind }
    try expectEqual(kinds, [.secretLowercase, .shortSecret, .algorithmIgnoredByApps])
}

test("otpauth: a bad URI is a typed error with the core's message") {
    try expectThrows("not otpauth", { _ = try parseOtpauthUri(uri: "https://example.com/") },
                     matches: { if case UriError.NotOtpauth = $0 { return true } else { return false } })
    try expectThrows("bad secret", { _ = try parseOtpauthUri(uri: "otpauth://totp/x?secret=GEZ1GEZD") },
                     matches: { error in
        if case let UriError.Secret(message) = error {
            return message.contains("position 4") && !message.contains("GEZ1")
        }
        return false
    })
}

test("migration and steam") {
    let a = try parseOtpauthUri(
        uri: "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME").account
    let uris = try encodeMigration(accounts: [a], perBatch: 10)
    try expectEqual(uris.count, 1)
    let batch = try decodeMigration(uri: uris[0])
    guard batch.entries.count == 1, case let .account(decoded) = batch.entries[0] else {
        throw Failure(description: "expected one account, got \(batch.entries)")
    }
    try expect(decoded.secret == a.secret && decoded.name == "alice" && decoded.issuer == "ACME",
               "decoded account")
    let secret = try parseSteamUri(uri: "steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    let code = try SteamGuard(secret: secret).codeAt(unixTime: 59)
    try expectEqual(code.count, 5)
}

test("server: enrol with two codes, verify, reject the replay, persist the state") {
    let totp = try Totp(secret: rfcSecret(.sha1), algorithm: .sha1)
    let verifier = try Verifier.totp(generator: totp)
    let now: UInt64 = 1_700_000_000
    let step = try totp.stepAt(unixTime: now)
    let enrolled = try verifier.enroll(
        code1: totp.codeAtStep(step: step - 1), code2: totp.codeAtStep(step: step), now: now)
    try expectEqual(enrolled.lastStep(), step)
    let stored = enrolled.encode()
    let loaded = try DeviceState.decode(text: stored)
    try expect(loaded == enrolled, "the state survives its string form")
    let code = try totp.codeAt(unixTime: now + 30)
    let first = try verifier.verify(state: loaded, code: code, now: now + 30)
    try expectEqual(first.outcome, .accepted(step: step + 1, drift: 0))
    let replay = try verifier.verify(state: first.state, code: code, now: now + 31)
    try expectEqual(replay.outcome, .replayed)
    try expectEqual(replay.state.failures(), 1)
    try expectThrows("same code twice", { _ = try verifier.enroll(code1: code, code2: code, now: now + 30) },
                     matches: { if case EnrollError.SameCodeTwice = $0 { return true } else { return false } })
    var tampered = Array(stored)
    tampered[8] = tampered[8] == "1" ? "2" : "1"
    try expectThrows("tampered state", { _ = try DeviceState.decode(text: String(tampered)) },
                     matches: { if case StateError.ChecksumMismatch = $0 { return true } else { return false } })
    let wrong = try wrongCodes(totp, now)
    let failed = try verifier.verify(state: loaded, code: wrong[0], now: now + 30)
    try expectEqual(failed.outcome, .invalid)
}

test("threads: one Verifier shared by 8 threads") {
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
                    code1: totp.codeAtStep(step: step - 1), code2: totp.codeAtStep(step: step), now: now)
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
    try expectEqual(results, Array(repeating: true, count: 8))
}

test("threads: one Totp shared by 8 threads gives the same codes") {
    let totp = try Totp(secret: rfcSecret(.sha256), algorithm: .sha256, digits: 8)
    let lock = NSLock()
    var seen = Set<String>()
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
        for _ in 0..<200 {
            let code = (try? totp.codeAt(unixTime: 1111111109)) ?? "error"
            lock.lock(); seen.insert(code); lock.unlock()
        }
    }
    try expectEqual(seen, ["68084774"])
}

var passed = 0
var failed = 0
for (name, body) in tests {
    do {
        try body()
        passed += 1
        print("PASS \(name)")
    } catch {
        failed += 1
        print("FAIL \(name): \(error)")
    }
}
print("swift: \(passed) passed, \(failed) failed")
exit(failed == 0 && passed > 0 ? 0 : 1)
