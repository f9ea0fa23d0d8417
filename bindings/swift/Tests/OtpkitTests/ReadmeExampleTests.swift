// Runs bindings/README.md's Swift example, which bindings/package.sh swift copies into
// this target as ReadmeExample.swift: the documented code compiles and does what it says.

import XCTest

final class ReadmeExampleTests: XCTestCase {
    func testReadmeExampleRuns() throws {
        try readmeExample()
    }
}
