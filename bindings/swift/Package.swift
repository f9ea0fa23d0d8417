// swift-tools-version:5.7
// The otpkit Swift package: the uniffi-generated Swift API over libotpkit_ffi.
//
// Its sources and the library are generated, not committed. From the repository root:
//   bindings/package.sh swift        # builds libotpkit_ffi, writes Sources/ and lib/
//   cd bindings/swift && swift test  # builds the package and runs the XCTest suite
// which writes
//   Sources/Otpkit/otpkit.swift           the Swift API
//   Sources/otpkitFFI/otpkitFFI.h         the C ABI
//   Sources/otpkitFFI/module.modulemap    the C ABI as a Clang module
//   lib/libotpkit_ffi.so                  the Rust library (.dylib on macOS)
// The library is linked from lib/ and found there at run time through an rpath, so
// `swift build`, `swift test` and `swift run` need no LD_LIBRARY_PATH.
import PackageDescription

let libDir = Context.packageDirectory + "/lib"

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
            linkerSettings: [
                .linkedLibrary("otpkit_ffi"),
                .unsafeFlags(["-L", libDir, "-Xlinker", "-rpath", "-Xlinker", libDir]),
            ]
        ),
        .testTarget(
            name: "OtpkitTests",
            dependencies: ["Otpkit"],
            path: "Tests/OtpkitTests"
        ),
    ]
)
