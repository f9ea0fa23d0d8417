import { Secret, Totp } from 'otpkit';
const ours = new Totp(Secret.fromBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));
const T=1_700_000_000;
let s=0; const st=process.hrtime.bigint();
for (let i=0;i<3000000;i++){ s+=ours.stepAt(T+i); }
console.log(Number(process.hrtime.bigint()-st)/3000000);
