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
let transferFixtures: [(String, String, Bool, Int, Int)] = [
    ("aegis_plain.json", "aegis", false, 5, 7),
    ("aegis_encrypted.json", "aegis", true, 5, 7),
    ("twofas_plain.2fas", "2fas", false, 4, 5),
    ("twofas_encrypted.2fas", "2fas", true, 4, 5),
    ("andotp_plain.json", "andotp", false, 4, 4),
    ("andotp_encrypted.bin", "andotp", true, 4, 4),
    ("andotp_encrypted_old.bin", "andotp", true, 4, 4),
    ("bitwarden_plain.json", "bitwarden", false, 3, 4),
    ("bitwarden_encrypted.json", "bitwarden", true, 3, 4),
    ("freeotp_plus.json", "freeotp-plus", false, 2, 3),
    ("authpro_plain.json", "authenticator-pro", false, 4, 4),
    ("otpauth_list.txt", "otpauth-list", false, 4, 6),
]

/// Twelve accounts Google's format carries: two QR codes' worth.
func twelveAccounts() throws -> [Account] {
    var lines: [String] = []
    for i in 0..<12 {
        let bytes = Data((0..<20).map { UInt8((i * 7 + $0) & 0xff) })
        let secret = try Secret.fromBytes(bytes: bytes, allowShort: false).base32()
        lines.append("otpauth://totp/Issuer\(i):user\(i)?secret=\(secret)&issuer=Issuer\(i)")
    }
    return try importAccounts(format: "otpauth-list", data: Data(lines.joined(separator: "\n").utf8)).accounts
}

final class TransferTests: XCTestCase {
    func testEveryFixtureImportsWithOneReportPerEntry() throws {
        for (name, format, encrypted, count, entries) in transferFixtures {
            let r = try importAccounts(
                format: format, data: transferFixture(name), password: encrypted ? fixturePassword : nil)
            XCTAssertEqual(r.accounts.count, count, name)
            XCTAssertEqual(r.entries.count, entries, name)
            XCTAssertEqual(r.entries.filter { $0.error == nil }.count, count, name)
            for e in r.entries { XCTAssertEqual(e.error == nil, e.reason == nil, "\(name) \(e.index)") }
            XCTAssertTrue(r.missingBatches.isEmpty)
        }
    }

    func testImportFormatsListsEveryFormatAndDetectFormatNamesEachFixtures() throws {
        let formats = importFormats()
        XCTAssertFalse(formats.contains("pskc"))
        for (name, format, encrypted, _, _) in transferFixtures {
            XCTAssertTrue(formats.contains(format), format)
            let data = try transferFixture(name)
            let detected = detectFormat(data: data)
            if name.hasPrefix("andotp_encrypted") {
                // Random bytes from the first one on: never told from the content.
                XCTAssertNil(detected, name)
            } else {
                XCTAssertEqual(detected, format, name)
                _ = try importAccounts(
                    format: detected!, data: data, password: encrypted ? fixturePassword : nil)
            }
        }
        XCTAssertEqual(detectFormat(data: Data(try rfc6030Figure(3).utf8)), "pskc")
        XCTAssertNil(detectFormat(data: Data("my accounts".utf8)))
    }

    func testReportNamesFailuresAndTheLenientBase32Warning() throws {
        let r = try importAccounts(format: "aegis", data: transferFixture("aegis_plain.json"))
        XCTAssertEqual(r.entries[3].label, "Steam:gamer")
        XCTAssertEqual(r.entries[3].warnings.first?.code, "TRAILING_BITS_DROPPED")
        XCTAssertNil(r.entries[4].error, "\(r.entries[4])")
        XCTAssertEqual(r.accounts[4].pin, "1234")
        XCTAssertNotNil(r.entries[5].reason)
        let encrypted = try importAccounts(
            format: "aegis", data: transferFixture("aegis_encrypted.json"), password: fixturePassword)
        XCTAssertEqual(encrypted, r)
        let secret = r.accounts[0].secret.base32()
        XCTAssertFalse(String(describing: r).contains(secret))
    }

    func testWrongOrMissingPasswordUnknownFormatAndTheKdfBudgetAreTypedErrors() throws {
        let data = try transferFixture("aegis_encrypted.json")
        assertThrows("none", { _ = try importAccounts(format: "aegis", data: data) },
                     matches: { isOtpkitError($0, .passwordRequired, "Password") })
        assertThrows("wrong", { _ = try importAccounts(format: "aegis", data: data, password: "nope-nope") },
                     matches: { isOtpkitError($0, .wrongPassword, "Password")
                         && !"\($0)".contains("nope-nope") })
        assertThrows("unknown", { _ = try importAccounts(format: "lotus-notes", data: data) },
                     matches: { isOtpkitError($0, .unknownFormat, "InvalidInput") })
        assertThrows("junk", { _ = try importAccounts(format: "2fas", data: Data("{[".utf8)) },
                     matches: { isOtpkitError($0, .fileMalformed, "InvalidInput") })
        assertThrows("budget", {
            _ = try importAccounts(format: "aegis", data: data, password: fixturePassword, budget: KdfBudget(work: 1))
        }, matches: { isOtpkitError($0, .kdfBudget, "Unsupported") })
    }

    func testAssemblerTakesAnyOrderDuplicatesAndReportsMissing() throws {
        let accounts = try twelveAccounts()
        let exported = try exportAccounts(format: "google-migration", accounts: accounts)
        XCTAssertEqual(exported.output.count, 2)
        XCTAssertEqual(exported.description, "2 output texts, 0 notes")
        XCTAssertFalse(String(reflecting: exported).contains("otpauth-migration"))
        let assembler = MigrationAssembler()
        XCTAssertNil(assembler.batchSize())
        XCTAssertTrue(try assembler.add(uri: exported.output[1]))
        XCTAssertEqual(assembler.missing(), [0])
        XCTAssertFalse(try assembler.add(uri: exported.output[1]))
        let other = try exportAccounts(format: "google-migration", accounts: [accounts[0]]).output[0]
        assertThrows("other export", { _ = try assembler.add(uri: other) },
                     matches: { isOtpkitError($0, .differentExport, "InvalidInput") })
        _ = try assembler.add(uri: exported.output[0])
        XCTAssertTrue(assembler.isComplete())
        XCTAssertEqual(try assembler.finish().accounts, accounts)
    }

    func testExportsRoundTripAndNoteWhatTheyCannotCarry() throws {
        let accounts = try twelveAccounts()
        let vault = try exportAccounts(format: "aegis", accounts: accounts, password: "vault password")
        XCTAssertEqual(try importAccounts(format: "aegis", data: Data(vault.output[0].utf8), password: "vault password").accounts, accounts)
        let list = try exportAccounts(format: "otpauth-list", accounts: accounts)
        XCTAssertEqual(try importAccounts(format: "otpauth-list", data: Data(list.output[0].utf8)).accounts, accounts)
        assertThrows("empty password", { _ = try exportAccounts(format: "aegis", accounts: accounts, password: "") },
                     matches: { isOtpkitError($0, .emptyPassword, "InvalidInput") })
        let aegis = try importAccounts(format: "aegis", data: transferFixture("aegis_plain.json")).accounts
        let migration = try exportAccounts(format: "google-migration", accounts: aegis)
        XCTAssertEqual(migration.notes.count, 4)
        XCTAssertTrue(migration.notes[0].contains("60-second period"), migration.notes[0])
    }

    func testPortabilityFindingsNameAppProblemAndSources() throws {
        let findings = try checkPortabilityUri(uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha256&digits=8")
        XCTAssertTrue(findings.contains { $0.app == "MICROSOFT_AUTHENTICATOR" && $0.problem == "ALGORITHM_IGNORED" })
        XCTAssertTrue(findings.contains { $0.problem == "LOWERCASE_ALGORITHM" })
        XCTAssertTrue(findings.allSatisfy { !$0.sources.isEmpty && $0.description == $0.message })
        var plain = try parseOtpauthUri(uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").account
        XCTAssertTrue(try checkPortability(account: plain).isEmpty)
        plain.kind = .totp(period: 60)
        XCTAssertTrue(try checkPortability(account: plain).contains { $0.problem == "PERIOD_IGNORED" })
    }
}
