// swift-tools-version:5.7
// The otpkit Swift package. Its sources are generated, not committed: run
// `bindings/test.sh` (or the `generate` step in it) to build libotpkit_ffi and write
//   Sources/Otpkit/otpkit.swift           (the Swift API)
//   Sources/otpkitFFI/otpkitFFI.h         (the C ABI)
//   Sources/otpkitFFI/module.modulemap
// Then link with the library's folder on the search path, e.g.
//   swift run -Xlinker -L"$CARGO_TARGET_DIR/debug" OtpkitTests
import PackageDescription

let package = Package(
    name: "Otpkit",
    products: [
        .library(name: "Otpkit", targets: ["Otpkit"]),
    ],
    targets: [
        .systemLibrary(name: "otpkitFFI", path: "Sources/otpkitFFI"),
        .target(
            name: "Otpkit",
            dependencies: ["otpkitFFI"],
            path: "Sources/Otpkit",
            linkerSettings: [.linkedLibrary("otpkit_ffi")]
        ),
        // A plain test program (no XCTest needed): prints `swift: N passed, M failed`
        // and exits non-zero on failure.
        .executableTarget(
            name: "OtpkitTests",
            dependencies: ["Otpkit"],
            path: "Tests/OtpkitTests"
        ),
    ]
)
