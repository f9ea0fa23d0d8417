// swift-tools-version:5.7
// Per-call cost of the Swift binding, in one run: bindings/swift/bench/run.sh builds the
// release library (bindings/package.sh swift --release) and runs this package with
// `swift run -c release`. A separate package so the Otpkit package and its tests are
// untouched; it depends on the Otpkit package beside it by path.
import PackageDescription

let package = Package(
    name: "OtpkitBench",
    dependencies: [
        .package(name: "Otpkit", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "OtpkitBench",
            dependencies: [.product(name: "Otpkit", package: "Otpkit")],
            path: "Sources/OtpkitBench"
        ),
    ]
)
