// UserDevices: users with named devices on a store, over the facade's UserDevices. A
// wrong code is a SignInResult with accepted == false, never a thrown error.

import Foundation
import Otpkit
import XCTest

private let phone = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
private let tablet = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
private let t0: UInt64 = 1_700_000_000
private let key = Data((0..<32).map { UInt8($0) })

final class UsersTests: XCTestCase {
    private func totp(_ base32: String) throws -> Totp {
        try Totp(secret: Secret.fromBase32(text: base32), algorithm: .sha1)
    }

    private func twoDevices() throws -> UserDevices {
        let users = try UserDevices.open(store: "memory:", keyId: "k1", key: key)
        for (name, secret) in [("phone", phone), ("tablet", tablet)] {
            try users.addDevice(user: "alice", name: name, secretBase32: secret, now: t0)
            let t = try totp(secret)
            let enrolled = try users.enrollDevice(
                user: "alice", name: name, code1: t.codeAt(unixTime: t0 - 30), code2: t.codeAt(unixTime: t0), now: t0)
            XCTAssertTrue(enrolled.ok, enrolled.description)
        }
        return users
    }

    func testTwoNamedDevicesSignInWithEachListRemoveAndAWrongCodeIsAValue() throws {
        let users = try twoDevices()
        let byPhone = try users.signIn(user: "alice", code: totp(phone).codeAt(unixTime: t0 + 30), now: t0 + 30)
        XCTAssertTrue(byPhone.accepted, byPhone.description)
        XCTAssertEqual(byPhone.device, "phone")
        let byTablet = try users.signIn(
            user: "alice", code: totp(tablet).codeAt(unixTime: t0 + 60), device: "tablet", now: t0 + 60)
        XCTAssertTrue(byTablet.accepted)
        XCTAssertEqual(byTablet.device, "tablet")
        let wrong = try users.signIn(user: "alice", code: "000000", now: t0 + 90)
        XCTAssertFalse(wrong.accepted)
        XCTAssertEqual(wrong.reason, .codeMismatch)
        XCTAssertNil(wrong.ticket)
        XCTAssertEqual(try users.devices(user: "alice").map { $0.name }, ["phone", "tablet"])
        XCTAssertTrue(try users.removeDevice(user: "alice", name: "phone", now: t0 + 90))
        XCTAssertFalse(try users.removeDevice(user: "alice", name: "phone", now: t0 + 90))
        XCTAssertEqual(try users.devices(user: "alice").map { $0.name }, ["tablet"])
        XCTAssertThrowsError(try users.signIn(user: "alice", code: "123456", device: "watch", now: t0)) { error in
            guard case OtpkitError.WrongState(let reason, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(reason, .unknownDevice)
        }
    }

    func testARememberTokenIsAcceptedOnceThenTheOldOneRevokesEveryToken() throws {
        let users = try twoDevices()
        let signedIn = try users.signIn(user: "alice", code: totp(phone).codeAt(unixTime: t0 + 30), now: t0 + 30)
        let token = try users.rememberDevice(user: "alice", signedIn: signedIn, now: t0 + 30)
        let first = try users.checkRemembered(user: "alice", token: token, now: t0 + 40)
        XCTAssertTrue(first.accepted)
        XCTAssertEqual(first.device, "phone")
        let next = try XCTUnwrap(first.nextToken)
        let old = try users.checkRemembered(user: "alice", token: token, now: t0 + 50)
        XCTAssertFalse(old.accepted)
        XCTAssertEqual(old.reason, "theft")
        XCTAssertFalse(try users.checkRemembered(user: "alice", token: next, now: t0 + 60).accepted)
    }
}
