// The package as the tests use it, type-checked with `tsc --strict` (test.sh): the
// generated declarations must describe every call, record and outcome used here.
import {
  Secret, Totp, Hotp, SteamGuard, Verifier, unixNow, parseOtpauthUri, accountToUri, accountLabel,
  decodeMigration, encodeMigration, parseSteamUri, generateRecoveryCodes, verifyRecoveryCode,
  importAccounts, exportAccounts, importPskc, operations, MigrationAssembler, checkPortability,
  checkPortabilityUri, type PortabilityFinding, type KdfOptions,
  type Account, type Policy, type Outcome, type TotpMatch, type HotpMatch, type ImportResult,
  type PskcKey, type RecoveryCodeSet, type EnrollOutcome, type ResyncOutcome,
  UserDevices, type UserDevice, type UserSignIn, type UserStatus, type RememberCheck,
  type UserEvent, type UserRecoveryOutcome, type DeviceOptions,
} from 'otpkit';

const secret: Secret = Secret.fromBase32('JBSWY3DPEHPK3PXP', true);
const generated: Secret = Secret.generate('SHA256');
const bytes: Uint8Array = Secret.fromBytes(new Uint8Array(20)).bytes();
const totp = new Totp(secret, 'SHA1', 6, 30, 0);
const hotp = new Hotp(generated, 'SHA256', 8);
const steam = new SteamGuard(parseSteamUri('steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));
const m: TotpMatch | null = totp.verify(totp.codeAt(59), 59, 1, 1);
const step: number | undefined = m?.step;
const h: HotpMatch | null = hotp.verify(hotp.code(5n), 0n, 10);
const counter: bigint | undefined = h?.step;
const s: TotpMatch | null = steam.verify(steam.codeAt(59), 59);
const left: number = totp.secondsLeft(unixNow()) + steam.secondsLeft(unixNow());

const policy: Policy = { maxFailures: 5, lockoutBaseSecs: 60, windowBehind: 1, windowAhead: 1 };
const verifier = Verifier.totp(totp, policy);
const p: number = Verifier.hotp(hotp).worstCaseGuessProbability();
const pending: string = verifier.beginEnrollment();
const first = verifier.enrollCode(pending, '123456', unixNow());
const enrolled: EnrollOutcome = verifier.enroll(first.state, '123456', '654321', unixNow()).outcome;
const signIn = verifier.verify(first.state, '123456', unixNow());
const outcome: Outcome = signIn.outcome;
const why: string | undefined = outcome.accepted ? undefined : outcome.reason;
const until: number | undefined = outcome.until;
const resynced: ResyncOutcome = verifier.resync(signIn.state, '1', '2', unixNow()).outcome;
const printed: string = String(outcome) + enrolled.message + resynced.kind;
const fromCounter: string = Verifier.hotp(hotp).beginEnrollment(8n);

const set: RecoveryCodeSet = generateRecoveryCodes(10, 16);
const recovery = verifyRecoveryCode(set.state, set.codes[0], unixNow(), { maxFailures: 3 });
const remaining: number = recovery.outcome.remaining;

const { account, warnings } = parseOtpauthUri('otpauth://totp/x?secret=JBSWY3DPEHPK3PXP');
const codes: string[] = warnings.map((w) => w.code + w.message);
const a: Account = account;
const uri: string = accountToUri(a) + accountLabel(a);
const period: number | undefined = a.type === 'totp' ? a.period : undefined;
const fromAccount: Totp | undefined = Totp.fromAccount(a);
const batch = decodeMigration(encodeMigration([a], 10)[0]);
const first_: Account | undefined = batch.entries[0].account;

const exported = exportAccounts('aegis', [a], 'password');
const imported: ImportResult = importAccounts('aegis', exported.output[0], 'password');
const refused: (string | undefined)[] = imported.entries.map((e) => e.code);
const keys: PskcKey[] = importPskc('<xml/>', { password: 'qwerty', allowUnauthenticated: false });
const names: string[] = operations().map((o) => o.name);
const kdf: KdfOptions = { kdfBudget: 4_000_000, kdfMemory: 1 << 30 };
const trusted: ImportResult = importAccounts('bitwarden', '{}', 'password', kdf);
const assembler = new MigrationAssembler();
const isNew: boolean = assembler.add('otpauth-migration://offline?data=');
const missing: number[] = assembler.missing();
const size: number | undefined = assembler.batchSize();
const assembled: ImportResult | undefined = assembler.isComplete() ? assembler.finish() : undefined;
const findings: PortabilityFinding[] = checkPortability(a).concat(checkPortabilityUri(uri));
const apps: string[] = findings.map((f) => f.app + f.problem + f.sources.join(' '));

const users = new UserDevices('memory:', 'k1', new Uint8Array(32), { maxFailures: 5 });
const deviceOptions: DeviceOptions = { algorithm: 'SHA256', digits: 8, period: 30 };
users.addDevice('alice', 'phone', secret.base32(), unixNow(), deviceOptions);
const deviceEnrolled: EnrollOutcome = users.enrollDevice('alice', 'phone', '123456', '654321', unixNow());
const userDevices: UserDevice[] = users.devices('alice');
const addedAt: number = userDevices[0].addedAt;
users.renameDevice('alice', 'phone', 'old phone', unixNow());
const removed: boolean = users.removeDevice('alice', 'old phone', unixNow());
const userSignIn: UserSignIn = users.signIn('alice', '123456', unixNow(), 'phone');
const signedDevice: string | undefined = userSignIn.accepted ? userSignIn.device : userSignIn.reason;
const userResynced: ResyncOutcome = users.resyncDevice('alice', 'phone', '1', '2', unixNow());
users.clearUserLockout('alice', unixNow());
const userStatus: UserStatus = users.userStatus('alice');
const codesLeft: number | undefined = userStatus.recoveryCodesLeft;
const userCodes: string[] = users.regenerateRecoveryCodes('alice', unixNow(), 10, 16);
const userRecovery: UserRecoveryOutcome = users.useRecoveryCode('alice', userCodes[0], unixNow());
const cookie: string = users.rememberDevice('alice', userSignIn, unixNow());
const check: RememberCheck = users.checkRemembered('alice', cookie, unixNow());
const nextCookie: string | undefined = check.nextToken;
const forgotten: number = users.forgetRemembered('alice', unixNow());
const events: UserEvent[] = users.recentEvents('alice');

try {
  Secret.fromBase32('not base32');
} catch (e) {
  if (e instanceof Error && e.name === 'OtpkitError') console.log(e.message);
}

export {
  bytes, step, counter, s, left, p, why, until, printed, fromCounter, remaining, codes, uri, period,
  fromAccount, first_, refused, keys, names, trusted, isNew, missing, size, assembled, apps,
  deviceEnrolled, addedAt, removed, signedDevice, userResynced, codesLeft, userRecovery, nextCookie,
  forgotten, events,
};
