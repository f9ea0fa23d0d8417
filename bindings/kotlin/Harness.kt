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

/**
 * Runs `body`, which must throw the one binding exception, `OtpkitException`, as
 * its subclass `T` and with `reason` (any reason when null). Returns it.
 */
inline fun <reified T : uniffi.otpkit.OtpkitException> expectError(
    reason: uniffi.otpkit.ErrorCode?,
    what: String = "",
    body: () -> Unit,
): T {
    val e = kotlin.test.assertFailsWith<uniffi.otpkit.OtpkitException>(what) { body() }
    kotlin.test.assertTrue(e is T, "$what: expected ${T::class.simpleName}, got ${e::class.simpleName}: ${e.message}")
    if (reason != null) kotlin.test.assertEquals(reason, e.reason(), "$what: ${e.message}")
    return e
}
