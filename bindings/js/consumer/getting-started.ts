import { Secret, Totp, Verifier, unixNow, type EnrollOutcome, type Outcome } from 'otpkit';

// The code an authenticator app shows now for a Base32 secret.
const totp: Totp = new Totp(Secret.fromBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));   // SHA1, 6 digits, 30 s
const code: string = totp.codeAt(unixNow());
console.log('code:', code);

// Server: enrol a device with two consecutive codes, then sign in with the next one.
// States are strings to store (one DB column, no secret), whatever the outcome.
const verifier: Verifier = Verifier.totp(totp);
const now: number = unixNow();
const enrolment = verifier.enroll(verifier.beginEnrollment(), totp.codeAt(now - 30), totp.codeAt(now), now);
const enrolled: EnrollOutcome = enrolment.outcome;
const state: string = enrolment.state;
const signIn: Outcome = verifier.verify(state, totp.codeAt(now + 30), now + 30).outcome;
console.log(String(enrolled), signIn.accepted);
