// Parity with the facade: every operation of `operations()` (the facade's OPERATIONS)
// has an entry here that refers to the Swift API, so the compiler checks that each one
// exists; the table's names must equal operations() minus the exclusions.

import Otpkit
import XCTest

/// Operations Swift offers in another shape, each with why.
let notInSwift: [String: String] = [
    "Totp.from_account": "a uniffi constructor cannot return nil: account.totp() is the generator or nil",
    "Hotp.from_account": "a uniffi constructor cannot return nil: account.hotp()",
    "SteamGuard.from_account": "a uniffi constructor cannot return nil: account.steam()",
    "account_to_uri": "a method of the Account record: account.toUri()",
    "account_label": "a method of the Account record: account.label()",
]

/// Each operation, by its facade name, as a reference to the Swift API (never called).
let swiftOperations: [String: () -> Void] = [
    "Secret.generate": { _ = Secret.generate(algorithm:) },
    "Secret.from_base32": { _ = Secret.fromBase32(text:allowShort:) },
    "Secret.from_bytes": { _ = Secret.fromBytes(bytes:allowShort:) },
    "Secret.bytes": { _ = Secret.bytes },
    "Secret.base32": { _ = Secret.base32 },
    "Secret.base32_grouped": { _ = Secret.base32Grouped },
    "Totp.new": { _ = Totp.init(secret:algorithm:digits:period:t0:) },
    "Totp.code_at": { _ = Totp.codeAt(unixTime:) },
    "Totp.code_at_step": { _ = Totp.codeAtStep(step:) },
    "Totp.step_at": { _ = Totp.stepAt(unixTime:) },
    "Totp.seconds_left": { _ = Totp.secondsLeft(unixTime:) },
    "Totp.verify": { _ = Totp.verify(code:unixTime:behind:ahead:) },
    "Hotp.new": { _ = Hotp.init(secret:algorithm:digits:) },
    "Hotp.code": { _ = Hotp.code(counter:) },
    "Hotp.verify": { _ = Hotp.verify(code:counter:lookAhead:) },
    "SteamGuard.new": { _ = SteamGuard.init(secret:) },
    "SteamGuard.code_at": { _ = SteamGuard.codeAt(unixTime:) },
    "SteamGuard.seconds_left": { _ = SteamGuard.secondsLeft(unixTime:) },
    "SteamGuard.verify": { _ = SteamGuard.verify(code:unixTime:behind:ahead:) },
    "parse_otpauth_uri": { _ = parseOtpauthUri(uri:) },
    "decode_migration": { _ = decodeMigration(uri:) },
    "encode_migration": { _ = encodeMigration(accounts:perBatch:) },
    "parse_steam_uri": { _ = parseSteamUri(uri:) },
    "Verifier.totp": { _ = Verifier.totp(generator:policy:) },
    "Verifier.hotp": { _ = Verifier.hotp(generator:policy:) },
    "Verifier.begin_enrollment": { _ = Verifier.beginEnrollment(fromCounter:) },
    "Verifier.enroll_code": { _ = Verifier.enrollCode(state:code:now:) },
    "Verifier.enroll": { _ = Verifier.enroll(state:code1:code2:now:) },
    "Verifier.verify": { _ = Verifier.verify(state:code:now:) },
    "Verifier.resync": { _ = Verifier.resync(state:code1:code2:now:) },
    "generate_recovery_codes": { _ = generateRecoveryCodes(count:length:) },
    "verify_recovery_code": { _ = verifyRecoveryCode(state:code:now:policy:) },
    "import_accounts": { _ = importAccounts(format:data:password:budget:) },
    "import_formats": { _ = importFormats },
    "detect_format": { _ = detectFormat(data:) },
    "MigrationAssembler.new": { _ = MigrationAssembler.init as () -> MigrationAssembler },
    "MigrationAssembler.add": { _ = MigrationAssembler.add(uri:) },
    "MigrationAssembler.missing": { _ = MigrationAssembler.missing },
    "MigrationAssembler.is_complete": { _ = MigrationAssembler.isComplete },
    "MigrationAssembler.finish": { _ = MigrationAssembler.finish },
    "export_accounts": { _ = exportAccounts(format:accounts:password:) },
    "import_pskc": { _ = importPskc(xml:preSharedKey:password:allowUnauthenticated:budget:) },
    "check_portability": { _ = checkPortability(account:) },
    "check_portability_uri": { _ = checkPortabilityUri(uri:) },
    "UserDevices.open": { _ = UserDevices.open(store:keyId:key:policy:) },
    "UserDevices.add_device": { _ = UserDevices.addDevice(user:name:secretBase32:algorithm:digits:period:now:) },
    "UserDevices.enroll_device": { _ = UserDevices.enrollDevice(user:name:code1:code2:now:) },
    "UserDevices.devices": { _ = UserDevices.devices(user:) },
    "UserDevices.rename_device": { _ = UserDevices.renameDevice(user:name:newName:now:) },
    "UserDevices.remove_device": { _ = UserDevices.removeDevice(user:name:now:) },
    "UserDevices.sign_in": { _ = UserDevices.signIn(user:code:device:now:) },
    "UserDevices.resync_device": { _ = UserDevices.resyncDevice(user:name:code1:code2:now:) },
    "UserDevices.clear_user_lockout": { _ = UserDevices.clearUserLockout(user:now:) },
    "UserDevices.user_status": { _ = UserDevices.userStatus(user:) },
    "UserDevices.regenerate_recovery_codes": { _ = UserDevices.regenerateRecoveryCodes(user:count:length:now:) },
    "UserDevices.use_recovery_code": { _ = UserDevices.useRecoveryCode(user:code:now:) },
    "UserDevices.remember_device": { _ = UserDevices.rememberDevice(user:signedIn:now:) },
    "UserDevices.check_remembered": { _ = UserDevices.checkRemembered(user:token:now:) },
    "UserDevices.forget_remembered": { _ = UserDevices.forgetRemembered(user:now:) },
    "UserDevices.recent_events": { _ = UserDevices.recentEvents(user:) },
]

final class ParityTests: XCTestCase {
    func testEveryFacadeOperationIsOnTheSwiftApiButTheListedExclusions() {
        let names = Set(operations().map { $0.name })
        XCTAssertGreaterThan(names.count, 40)
        XCTAssertTrue(operations().allSatisfy { !$0.description.isEmpty })
        for excluded in notInSwift.keys {
            XCTAssertTrue(names.contains(excluded), "\(excluded) is excluded but is no operation")
        }
        let expected = names.subtracting(notInSwift.keys)
        XCTAssertEqual(expected.subtracting(swiftOperations.keys).sorted(), [], "operations missing from Swift")
        XCTAssertEqual(Set(swiftOperations.keys).subtracting(expected).sorted(), [], "entries that are no operation")
    }
}
