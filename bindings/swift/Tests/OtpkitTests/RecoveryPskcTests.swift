// XCTest suite of recovery codes and PSKC import through the Swift bindings.
// RFC 6030's encrypted figures are read from crates/otpkit-pskc/tests/data when that
// directory is visible (it is not inside the Swift chroot of bindings/test.sh, which
// mounts only bindings/swift; those two tests then skip and say so); the plain
// document below is written for this suite.

import Foundation
import Otpkit
import XCTest

/// Two tokens in the clear: a TOTP one (RFC 6238's SHA-1 seed) and an HOTP one.
let plainPskc = """
<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>T-1</SerialNo></DeviceInfo>
    <Key Id="t1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
        <TimeDrift><PlainValue>-1</PlainValue></TimeDrift>
      </Data>
    </Key>
  </KeyPackage>
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>H-2</SerialNo></DeviceInfo>
    <Key Id="h2" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <Counter><PlainValue>7</PlainValue></Counter>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>
"""

/// RFC 6030 figure `n` from otpkit-pskc's test data, or a skip when not visible.
func rfc6030Figure(_ n: Int) throws -> String {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        let url = dir.appendingPathComponent("crates/otpkit-pskc/tests/data/rfc6030-figure-\(n).xml")
        if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        dir = dir.deletingLastPathComponent()
    }
    throw XCTSkip("crates/otpkit-pskc/tests/data is not visible from here (Swift chroot)")
}

final class RecoveryPskcTests: XCTestCase {
    func testEveryCodeVerifiesOnceInAnySpelling() throws {
        let set = try generateRecoveryCodes(count: 4, length: 16)
        XCTAssertEqual(set.codes.count, 4)
        XCTAssertTrue(set.state.hasPrefix("otpr1."))
        var state = set.state
        for (i, code) in set.codes.enumerated() {
            let v = try verifyRecoveryCode(state: state, code: code.lowercased().replacingOccurrences(of: "-", with: " "), now: 1000)
            XCTAssertTrue(v.ok, v.description)
            XCTAssertEqual(v.kind, .recovery)
            XCTAssertEqual(v.index, UInt64(i))
            XCTAssertEqual(v.remaining, UInt64(3 - i))
            XCTAssertEqual(try verifyRecoveryCode(state: v.state, code: code, now: 1001).reason, .replayed)
            state = v.state
        }
    }

    func testOtherSetsFailLockAndErrorsAreTyped() throws {
        let mine = try generateRecoveryCodes()
        let theirs = try generateRecoveryCodes()
        var state = mine.state
        for _ in 0..<5 { state = try verifyRecoveryCode(state: state, code: theirs.codes[0], now: 1000).state }
        XCTAssertEqual(try verifyRecoveryCode(state: state, code: mine.codes[0], now: 1001).reason, .locked)
        XCTAssertEqual(try verifyRecoveryCode(state: mine.state, code: "nope", now: 1000).reason, .codeMalformed)
        assertThrows("weak", { _ = try generateRecoveryCodes(length: 10) },
                     matches: { isOtpkitError($0, .recoveryCodesTooWeak, "InvalidInput") })
        assertThrows("damaged", { _ = try verifyRecoveryCode(state: "otpr1.x", code: mine.codes[0], now: 0) },
                     matches: { isOtpkitError($0, nil, "Damaged") })
    }

    func testPlainPskcTokens() throws {
        let keys = try importPskc(xml: plainPskc)
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(keys[0].serialNumber, "T-1")
        XCTAssertEqual(keys[0].protection, "inTheClear")
        let totp = try XCTUnwrap(keys[0].account?.totp())
        XCTAssertEqual(try totp.codeAt(unixTime: 59), "94287082")
        XCTAssertEqual(keys[1].account?.kind, .hotp(counter: 7))
        XCTAssertNil(keys[1].error)
        XCTAssertEqual(keys, try importPskc(xml: plainPskc))
    }

    func testPskcContainerErrors() throws {
        assertThrows("both", { _ = try importPskc(xml: plainPskc, preSharedKey: Data(count: 16), password: "x") },
                     matches: { isOtpkitError($0, .keyAndPassword, "InvalidInput") })
        assertThrows("DTD", { _ = try importPskc(xml: "<!DOCTYPE x><KeyContainer/>") },
                     matches: { isOtpkitError($0, .fileMalformed, "InvalidInput") })
    }

    func testRfc6030PreSharedKeyFigure() throws {
        let psk = Data([0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12])
        let key = try importPskc(xml: rfc6030Figure(6), preSharedKey: psk)[0]
        XCTAssertEqual(key.account?.secret.bytes(), Data("12345678901234567890".utf8))
        XCTAssertEqual(key.protection, "macChecked")
        assertThrows("wrong key", { _ = try importPskc(xml: rfc6030Figure(6), preSharedKey: Data(count: 16)) },
                     matches: { isOtpkitError($0, .wrongKeyOrPassword, "Password") })
    }

    func testRfc6030PasswordFigureAndTheKdfBudget() throws {
        let key = try importPskc(xml: rfc6030Figure(7), password: "qwerty")[0]
        XCTAssertEqual(key.account?.secret.bytes(), Data("12345678901234567890".utf8))
        assertThrows("budget", { _ = try importPskc(xml: rfc6030Figure(7), password: "qwerty", budget: KdfBudget(work: 1)) },
                     matches: { isOtpkitError($0, .kdfBudget, "Unsupported") })
    }
}
