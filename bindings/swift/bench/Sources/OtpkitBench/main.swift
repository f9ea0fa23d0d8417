// Per-call cost of the Swift binding (uniffi over libotpkit_ffi), in one run: the
// binding's trivial calls, generating a code and verifying one within ±1, and, through
// the same exported C functions the generated code calls, the layers underneath (a bare
// FFI call, the handle clone each method call makes, the RustBuffer round trip a String
// costs, the Rust side of verify). What the generated Swift adds on top (reading a record
// or an error out of its RustBuffer, throwing) is the difference between a public call
// and its layer: the converters are inlined into the Otpkit module, so calling them from
// here would time an unspecialised generic path instead. No Swift HMAC ships with the toolchain on Linux (no CryptoKit, and swift-crypto
// needs the network), so the baseline is the core's own criterion figures, which run.sh
// measures in the same session.
//
// Method: each operation runs in batches sized to about 20 ms, 20 batches of warm-up,
// then 15 timed batches; the median and the minimum ns per call are printed.

import Foundation
import Otpkit
import otpkitFFI

var sink: UInt64 = 0

func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Median and minimum ns per call of `op` over 15 timed batches, after warm-up.
@inline(never) @discardableResult
func bench(_ name: String, _ op: () throws -> UInt64) rethrows -> (median: Double, min: Double) {
    var batch = 1
    while true { // size a batch to ~20 ms
        let t = nowNs()
        for _ in 0..<batch { sink &+= try op() }
        if nowNs() - t > 20_000_000 || batch > (1 << 26) { break }
        batch *= 2
    }
    for _ in 0..<20 { for _ in 0..<batch { sink &+= try op() } } // warm-up
    var samples: [Double] = []
    for _ in 0..<15 {
        let t = nowNs()
        for _ in 0..<batch { sink &+= try op() }
        samples.append(Double(nowNs() - t) / Double(batch))
    }
    samples.sort()
    let median = samples[samples.count / 2]
    print(String(format: "%-60@ %10.1f ns  (min %.1f, max %.1f)",
                 name.padding(toLength: 60, withPad: " ", startingAt: 0) as NSString,
                 median, samples.first!, samples.last!))
    return (median, samples.first!)
}

// RFC 6238's SHA-1 seed, as in the core's criterion benches (benches/).
let key = Data("12345678901234567890".utf8)
let secret = try! Secret.fromBytes(bytes: key)
let totp = try! Totp(secret: secret, algorithm: .sha1)
let t0: UInt64 = 1_700_000_025

// The codes the benchmark uses, checked before anything is timed.
let step = try! totp.stepAt(unixTime: t0)
let previous = totp.codeAtStep(step: step - 1) // valid within ±1, one step late
let current = try! totp.codeAt(unixTime: t0)
precondition(step == t0 / 30, "stepAt")
precondition(try! totp.codeAt(unixTime: 59) == "287082", "RFC 6238 SHA-1 code at T=59")
precondition(current.count == 6 && current == totp.codeAtStep(step: step), "codeAt")
precondition((try! totp.verify(code: previous, unixTime: t0, behind: 1, ahead: 1))?.step == step - 1, "verify")
let near = Set((step - 1...step + 1).map { totp.codeAtStep(step: $0) })
let wrong = (0..<1_000_000).lazy.map { String(format: "%06d", $0) }.first { !near.contains($0) }!
precondition((try! totp.verify(code: wrong, unixTime: t0, behind: 1, ahead: 1)) == nil, "wrong code")

print("Swift binding: per-call cost (ns per call; median of 15 batches of ~20 ms)")
var t: UInt64 = t0
bench("trivial: totp.digits()") { UInt64(totp.digits()) }
try bench("trivial: totp.stepAt(unixTime:)") { t &+= 1; return try totp.stepAt(unixTime: t) }
try bench("generate: totp.codeAt(unixTime:)") {
    t &+= 30; return UInt64(try totp.codeAt(unixTime: t).utf8.first!)
}
bench("generate: totp.codeAtStep(step:)") {
    t &+= 1; return UInt64(totp.codeAtStep(step: t).utf8.first!)
}
try bench("verify ±1, valid (one step late): totp.verify") {
    try totp.verify(code: previous, unixTime: t0, behind: 1, ahead: 1)?.step ?? 0
}
try bench("verify ±1, wrong code (nil): totp.verify") {
    try totp.verify(code: wrong, unixTime: t0, behind: 1, ahead: 1) == nil ? 1 : 0
}

print("layers, calling the exported C functions as the generated code does:")
bench("bare FFI call (ffi_…_uniffi_contract_version)") {
    UInt64(ffi_otpkit_ffi_uniffi_contract_version())
}
// One handle of our own, cloned per call as every generated method does.
let handle = totp.uniffiCloneHandle()
bench("handle clone + free, no method") {
    var status = RustCallStatus()
    let h = uniffi_otpkit_ffi_fn_clone_totp(handle, &status)
    uniffi_otpkit_ffi_fn_free_totp(h, &status)
    return UInt64(status.code)
}
bench("handle clone + step_at (what stepAt calls)") {
    var status = RustCallStatus()
    t &+= 1
    let s = uniffi_otpkit_ffi_fn_method_totp_step_at(
        uniffi_otpkit_ffi_fn_clone_totp(handle, &status), t, &status)
    return s &+ UInt64(status.code)
}
bench("handle clone + code_at_step, buffer freed unread") {
    var status = RustCallStatus()
    t &+= 1
    let buf = uniffi_otpkit_ffi_fn_method_totp_code_at_step(
        uniffi_otpkit_ffi_fn_clone_totp(handle, &status), t, &status)
    let len = UInt64(buf.len)
    ffi_otpkit_ffi_rustbuffer_free(buf, &status)
    return len
}
/// `previous` lowered to a RustBuffer, as FfiConverterString.lower does.
func lowered(_ code: String, _ status: inout RustCallStatus) -> RustBuffer {
    code.utf8CString.withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: UInt8.self) { p in
            ffi_otpkit_ffi_rustbuffer_from_bytes(
                ForeignBytes(len: Int32(p.count - 1), data: p.baseAddress), &status)
        }
    }
}
/// `behind`/`ahead` of 1 as the generated code lowers an `Optional<UInt32>`: a RustBuffer
/// of a 1 (present) and the big-endian value.
func one(_ status: inout RustCallStatus) -> RustBuffer {
    [UInt8]([1, 0, 0, 0, 1]).withUnsafeBufferPointer { p in
        ffi_otpkit_ffi_rustbuffer_from_bytes(ForeignBytes(len: 5, data: p.baseAddress), &status)
    }
}
bench("a String lowered to a RustBuffer and freed") {
    var status = RustCallStatus()
    let buf = lowered(previous, &status)
    let len = UInt64(buf.len)
    ffi_otpkit_ffi_rustbuffer_free(buf, &status)
    return len
}
bench("handle clone + verify ±1 (code and window lowered), Match freed unread") {
    var status = RustCallStatus()
    let code = lowered(previous, &status)
    let buf = uniffi_otpkit_ffi_fn_method_totp_verify(
        uniffi_otpkit_ffi_fn_clone_totp(handle, &status), code, t0, one(&status), one(&status), &status)
    let len = UInt64(buf.len)
    ffi_otpkit_ffi_rustbuffer_free(buf, &status)
    return len &+ UInt64(status.code)
}
bench("handle clone + verify ±1 wrong code, no match freed unread") {
    var status = RustCallStatus()
    let code = lowered(wrong, &status)
    let buf = uniffi_otpkit_ffi_fn_method_totp_verify(
        uniffi_otpkit_ffi_fn_clone_totp(handle, &status), code, t0, one(&status), one(&status), &status)
    let len = UInt64(buf.len)
    ffi_otpkit_ffi_rustbuffer_free(buf, &status)
    return len &+ UInt64(status.code)
}
print("plain Swift, no FFI:")
// How the generated code reads a record out of a RustBuffer (its createReader/readInt):
// a Foundation Data over the bytes without copying, then copyBytes per field.
var matchBytes = [UInt8](repeating: 1, count: 16)
bench("Foundation Data over 16 bytes, two UInt64 read (a Match)") {
    matchBytes.withUnsafeMutableBytes { p in
        var reader = (data: Data(bytesNoCopy: p.baseAddress!, count: p.count, deallocator: .none),
                      offset: 0)
        var sum: UInt64 = 0
        for _ in 0..<2 {
            let range = reader.offset..<reader.offset + 8
            guard reader.data.count >= range.upperBound else { return 0 }
            var value: UInt64 = 0
            _ = withUnsafeMutableBytes(of: &value) { reader.data.copyBytes(to: $0, from: range) }
            reader.offset = range.upperBound
            sum &+= value.bigEndian
        }
        return sum
    }
}
var status = RustCallStatus()
uniffi_otpkit_ffi_fn_free_totp(handle, &status)
print("sink \(sink % 10)")
