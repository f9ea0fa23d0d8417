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
