// XCTest suite of import, export, multi-QR assembly and portability through the Swift
// bindings. The files are the ones otpkit-transfer's Rust tests use
// (crates/otpkit-transfer/tests/data; every encrypted one has the password
// "otpkit-test"); bindings/test.sh mounts the whole repository in its Swift tree, so
// they are visible there too.

import Foundation
import Otpkit
import XCTest

let fixturePassword = "otpkit-test"

/// A file of crates/otpkit-transfer/tests/data, or a skip when not visible.
func transferFixture(_ name: String) throws -> Data {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        let url = dir.appendingPathComponent("crates/otpkit-transfer/tests/data/\(name)")
        if let data = try? Data(contentsOf: url) { return data }
        dir = dir.deletingLastPathComponent()
    }
    throw XCTSkip("crates/otpkit-transfer/tests/data is not visible from here")
}

/// Every committed fixture: file, format, encrypted, accounts it holds, entries in it.
let transferFixtures: [(String, TransferFormat, Bool, Int, Int)] = [
    ("aegis_plain.json", .aegis, false, 4, 7),
    ("aegis_encrypted.json", .aegis, true, 4, 7),
    ("twofas_plain.2fas", .twoFas, false, 4, 5),
    ("twofas_encrypted.2fas", .twoFas, true, 4, 5),
    ("andotp_plain.json", .andOtp, false, 3, 4),
    ("andotp_encrypted.bin", .andOtp, true, 3, 4),
    ("andotp_encrypted_old.bin", .andOtp, true, 3, 4),
    ("bitwarden_plain.json", .bitwarden, false, 3, 4),
    ("bitwarden_encrypted.json", .bitwarden, true, 3, 4),
    ("freeotp_plus.json", .freeOtpPlus, false, 2, 3),
    ("authpro_plain.json", .authenticatorPro, false, 3, 4),
    ("otpauth_list.txt", .otpauthList, false, 4, 6),
]

/// The accounts as canonical URIs: what the tests compare (records holding a
/// `Secret` object are compared through it).
func uris(_ accounts: [Account]) throws -> [String] {
    try accounts.map { try $0.toUri() }
}

/// Twelve accounts Google's format carries: two QR codes' worth.
func twelveAccounts() throws -> [Account] {
    var lines: [String] = []
    for i in 0..<12 {
        let bytes = Data((0..<20).map { UInt8((i * 7 + $0) & 0xff) })
        let secret = try Secret.fromBytes(bytes: bytes, allowShort: false).base32()
        lines.append("otpauth://totp/Issuer\(i):user\(i)?secret=\(secret)&issuer=Issuer\(i)")
    }
    return try importAccounts(format: .otpauthList, data: Data(lines.joined(separator: "\n").utf8)).accounts
}

final class TransferTests: XCTestCase {
    func testEveryFixtureImportsWithOneReportPerEntry() throws {
        for (name, format, encrypted, count, entries) in transferFixtures {
            let r = try importAccounts(
                format: format, data: try transferFixture(name),
                password: encrypted ? fixturePassword : nil)
            XCTAssertEqual(r.accounts.count, count, name)
            XCTAssertEqual(r.entries.count, entries, name)
            XCTAssertEqual(try uris(r.entries.compactMap { $0.account }), try uris(r.accounts), name)
            for e in r.entries {
                XCTAssertNotEqual(e.account == nil, e.error == nil, "\(name) entry \(e.index)")
            }
            XCTAssertTrue(r.missingBatches.isEmpty)
        }
        XCTAssertEqual(transferFormatName(format: .twoFas), "2fas")
    }

    func testReportNamesFailuresAndTheLenientBase32Warning() throws {
        let r = try importAccounts(format: .aegis, data: try transferFixture("aegis_plain.json"))
        let steam = r.entries[3]
        XCTAssertEqual(steam.label, "Steam:gamer")
        XCTAssertEqual(steam.account?.kind, .steam)
        XCTAssertEqual(steam.warnings.first?.kind, .trailingBitsDropped)
        XCTAssertNil(r.entries[4].account)
        XCTAssertTrue(r.entries[4].error?.contains("unsupported OTP type \"motp\"") ?? false)
        let encrypted = try importAccounts(
            format: .aegis, data: try transferFixture("aegis_encrypted.json"), password: fixturePassword)
        XCTAssertEqual(try uris(encrypted.accounts), try uris(r.accounts))
        XCTAssertEqual(encrypted.entries.map { $0.label }, r.entries.map { $0.label })
        XCTAssertEqual(encrypted.entries.map { $0.error }, r.entries.map { $0.error })
    }

    func testWrongOrMissingPasswordAndHostileFilesAreTypedErrors() throws {
        for (name, format, encrypted, _, _) in transferFixtures where encrypted {
            let data = try transferFixture(name)
            assertThrows(name, { _ = try importAccounts(format: format, data: data, password: "not-the-password") },
                         matches: { isOtpkitError($0, .wrongPassword, "Password") && !"\($0)".contains("not-the") })
            assertThrows(name, { _ = try importAccounts(format: format, data: data) },
                         matches: { isOtpkitError($0, .passwordRequired, "Password") })
        }
        let formats: [TransferFormat] = [.googleMigration, .aegis, .twoFas, .andOtp, .bitwarden, .freeOtpPlus, .authenticatorPro]
        for format in formats {
            assertThrows("junk", { _ = try importAccounts(format: format, data: Data([0, 0xff, 0x7b, 0x5b]), password: "x") },
                         matches: { isOtpkitError($0, nil, "InvalidInput") })
        }
    }

    func testAssemblerTakesAnyOrderDuplicatesAndReportsMissing() throws {
        let accounts = try twelveAccounts()
        XCTAssertEqual(accounts.count, 12)
        let exported = try exportGoogleMigration(accounts: accounts)
        XCTAssertEqual(exported.uris.count, 2)
        let assembler = MigrationAssembler()
        XCTAssertNil(assembler.batchSize())
        XCTAssertEqual(try assembler.add(uri: exported.uris[1]), .new)
        XCTAssertEqual(assembler.missing(), [0])
        XCTAssertEqual(try assembler.add(uri: exported.uris[1]), .duplicate)
        let other = try exportGoogleMigration(accounts: Array(accounts.prefix(1))).uris[0]
        assertThrows("other export", { _ = try assembler.add(uri: other) },
                     matches: { isOtpkitError($0, .differentExport, "InvalidInput") })
        _ = try assembler.add(uri: exported.uris[0])
        XCTAssertTrue(assembler.isComplete())
        XCTAssertEqual(try uris(assembler.finish().accounts), try uris(accounts))
        let half = try importAccounts(format: .googleMigration, data: Data(exported.uris[1].utf8))
        XCTAssertEqual(try uris(half.accounts), try uris(Array(accounts.suffix(2))))
        XCTAssertEqual(half.missingBatches, [0])
    }

    func testExportsRoundTripAndNoteWhatTheyCannotCarry() throws {
        let accounts = try twelveAccounts()
        let vault = try exportAegis(accounts: accounts, password: "vault password")
        XCTAssertEqual(
            try uris(try importAccounts(format: .aegis, data: Data(vault.text.utf8), password: "vault password").accounts),
            try uris(accounts))
        let list = try exportOtpauthList(accounts: accounts)
        XCTAssertEqual(try uris(try importAccounts(format: .otpauthList, data: Data(list.text.utf8)).accounts), try uris(accounts))
        assertThrows("empty password", { _ = try exportAegis(accounts: accounts, password: "") },
                     matches: { isOtpkitError($0, .emptyPassword, "InvalidInput") })
        let aegis = try importAccounts(format: .aegis, data: try transferFixture("aegis_plain.json")).accounts
        let migration = try exportGoogleMigration(accounts: aegis)
        XCTAssertEqual(migration.notes.filter { $0.skipped }.map { $0.index }, [1, 2, 3])
        XCTAssertEqual(
            try uris(try importAccounts(format: .googleMigration, data: Data(migration.uris.joined(separator: "\n").utf8)).accounts),
            try uris([aegis[0]]))
    }

    func testPortabilityFindingsNameAppProblemAndSources() throws {
        let findings = try checkPortabilityUri(uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha256")
        XCTAssertTrue(findings.contains { $0.app == .microsoftAuthenticator && $0.problem == .algorithmIgnored })
        XCTAssertTrue(findings.contains { $0.problem == .lowercaseAlgorithm })
        XCTAssertTrue(findings.allSatisfy { !$0.sources.isEmpty })
        let plain = try parseOtpauthUri(uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").account
        XCTAssertTrue(try checkPortability(account: plain).isEmpty)
        assertThrows("not a URI", { _ = try checkPortabilityUri(uri: "https://example.com") },
                     matches: { isOtpkitError($0, .notOtpauthUri, "InvalidInput") })
    }
}
