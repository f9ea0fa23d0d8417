// Copied into Sources/Otpkit by bindings/package.sh swift, beside the generated API.
//
// uniffi gives `OtpkitError` the Rust `Display` as `description` but declares no
// `CustomStringConvertible` on errors; declaring it makes `"\(error)"`, `print(error)`
// and `localizedDescription` the sentence (which never holds a secret) instead of the
// case with its fields.
extension OtpkitError: CustomStringConvertible {}
