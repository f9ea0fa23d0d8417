// A minimal test runner: no JUnit on this machine, so each test is a named lambda.
// It prints one line per test and closes with `kotlin: N passed, M failed`, exiting
// non-zero when anything failed.

import kotlin.system.exitProcess

class Harness {
    private val tests = mutableListOf<Pair<String, () -> Unit>>()

    fun test(name: String, body: () -> Unit) {
        tests.add(name to body)
    }

    fun run(): Nothing {
        var passed = 0
        var failed = 0
        for ((name, body) in tests) {
            try {
                body()
                passed++
                println("PASS $name")
            } catch (t: Throwable) {
                failed++
                println("FAIL $name: $t")
                t.printStackTrace(System.out)
            }
        }
        println("kotlin: $passed passed, $failed failed")
        exitProcess(if (failed == 0 && passed > 0) 0 else 1)
    }
}
