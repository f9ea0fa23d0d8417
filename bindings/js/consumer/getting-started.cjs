const { Secret, Totp, Verifier, unixNow } = require('otpkit');

// The code an authenticator app shows now for a Base32 secret.
const totp = new Totp(Secret.fromBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));   // SHA1, 6 digits, 30 s
console.log('code:', totp.codeAt(unixNow()));

// Server: enrol a device with two consecutive codes, then sign in with the next one.
// States are strings to store (one DB column, no secret), whatever the outcome.
const verifier = Verifier.totp(totp);
const now = unixNow();
const enrolment = verifier.enroll(verifier.beginEnrollment(), totp.codeAt(now - 30), totp.codeAt(now), now);
console.log(String(enrolment.outcome));                         // the device is enrolled
const signIn = verifier.verify(enrolment.state, totp.codeAt(now + 30), now + 30);
console.log(String(signIn.outcome));                            // the code was accepted
