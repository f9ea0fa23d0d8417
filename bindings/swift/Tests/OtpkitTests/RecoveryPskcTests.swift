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
        let stored = set.state.encode()
        XCTAssertTrue(stored.hasPrefix("otpr1."))
        for code in set.codes {
            XCTAssertFalse(stored.contains(code.replacingOccurrences(of: "-", with: "")))
        }
        var state = try RecoveryState.decode(text: stored)
        for (i, code) in set.codes.enumerated() {
            let typed = code.lowercased().replacingOccurrences(of: "-", with: " ")
            let v = try state.verify(code: typed, now: 1000)
            XCTAssertEqual(v.outcome, .accepted(index: UInt32(i), remaining: UInt32(3 - i)))
            XCTAssertEqual(try v.state.verify(code: code, now: 1001).outcome, .alreadyUsed)
            state = v.state
        }
        XCTAssertEqual(state.remaining(), 0)
    }

    func testOtherSetsFailLockAndErrorsAreTyped() throws {
        let mine = try generateRecoveryCodes()
        let theirs = try generateRecoveryCodes()
        XCTAssertNotEqual(mine.state.setId(), theirs.state.setId())
        var state = mine.state
        XCTAssertEqual(try state.verify(code: theirs.codes[0], now: 1000).outcome, .invalid)
        XCTAssertEqual(try state.verify(code: "nope", now: 1000).outcome, .malformed)
        for _ in 0..<5 { state = try state.verify(code: theirs.codes[0], now: 1000).state }
        if case .locked = try state.verify(code: mine.codes[0], now: 1001).outcome {} else {
            XCTFail("not locked after 5 failures")
        }
        assertThrows("weak codes", { _ = try generateRecoveryCodes(count: 10, length: 10) },
                     matches: { isOtpkitError($0, .recoveryCodesTooWeak, "InvalidInput") })
        assertThrows("damaged state", { _ = try RecoveryState.decode(text: "otpr1.x") },
                     matches: { isOtpkitError($0, .recoveryStateDamaged, "Damaged") })
    }

    func testPlainPskcTokens() throws {
        let reports = try importPskc(xml: plainPskc)
        XCTAssertEqual(reports.count, 2)
        let totp = try XCTUnwrap(reports[0].token)
        XCTAssertEqual(totp.serialNumber, "T-1")
        XCTAssertEqual(totp.manufacturer, "Acme")
        XCTAssertEqual(totp.drift, -1)
        XCTAssertEqual(totp.deviceState.drift(), -1)
        XCTAssertEqual(try XCTUnwrap(totp.totp).codeAt(unixTime: 59), "94287082") // RFC 6238
        let hotp = try XCTUnwrap(reports[1].token)
        XCTAssertEqual(hotp.account.kind, .hotp(counter: 7))
        XCTAssertEqual(try XCTUnwrap(hotp.hotp).code(counter: 0), "755224") // RFC 4226, 6 digits (no ResponseFormat)
        XCTAssertEqual(hotp.deviceState.nextCounter(), 7)
        XCTAssertNil(reports[0].error)
    }

    func testPskcContainerErrors() throws {
        assertThrows("a DTD", { _ = try importPskc(xml: "<!DOCTYPE x><KeyContainer/>") },
                     matches: { isOtpkitError($0, .fileMalformed, "InvalidInput") })
        assertThrows("key and password", {
            _ = try importPskc(xml: plainPskc, preSharedKey: Data(count: 16), password: "x")
        }, matches: { isOtpkitError($0, .keyAndPassword, "InvalidInput") })
    }

    func testRfc6030PreSharedKeyFigure() throws {
        let xml = try rfc6030Figure(6)
        let psk = Data([0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56,
                        0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12])
        let token = try XCTUnwrap(try importPskc(xml: xml, preSharedKey: psk)[0].token)
        XCTAssertEqual(token.account.secret.bytes(), Data("12345678901234567890".utf8))
        assertThrows("wrong key", { _ = try importPskc(xml: xml, preSharedKey: Data(count: 16)) },
                     matches: { isOtpkitError($0, .wrongKeyOrPassword, "Password") })
    }

    func testRfc6030PasswordFigure() throws {
        let xml = try rfc6030Figure(7)
        let token = try XCTUnwrap(try importPskc(xml: xml, password: "qwerty")[0].token)
        XCTAssertEqual(token.manufacturer, "TokenVendorAcme")
        assertThrows("no password", { _ = try importPskc(xml: xml) },
                     matches: { isOtpkitError($0, .passwordRequired, "Password") })
    }
}
