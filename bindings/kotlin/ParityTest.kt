// Parity with the facade: every operation of `operations()` (the facade's OPERATIONS)
// exists on the generated Kotlin API, found by Java reflection; registered with the
// Harness from OtpkitTest.kt's main.

import kotlin.test.assertEquals
import kotlin.test.assertTrue
import uniffi.otpkit.*

/** Operations Kotlin offers in another shape, each with why. */
val NOT_IN_KOTLIN = mapOf(
    "Totp.from_account" to "a uniffi constructor cannot return null: account.totp() is the TOTP generator or null",
    "Hotp.from_account" to "a uniffi constructor cannot return null: account.hotp()",
    "SteamGuard.from_account" to "a uniffi constructor cannot return null: account.steam()",
    "account_to_uri" to "a method of the Account record: account.toUri()",
    "account_label" to "a method of the Account record: account.label()",
)

/** `code_at` -> `codeAt`. */
fun camel(snake: String): String =
    snake.split('_').mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar { it.uppercase() } }.joinToString("")

/** Whether `cls` has a public method Kotlin names `name` (a JVM name may carry a `-hash` suffix for unsigned types). */
fun hasMethod(cls: Class<*>, name: String): Boolean =
    cls.methods.any { it.name == name || it.name.startsWith("$name-") }

/** Where an operation is missing from the Kotlin API, or null when it is there. */
fun missingFromKotlin(operation: String): String? {
    val dot = operation.indexOf('.')
    if (dot < 0) {
        val file = Class.forName("uniffi.otpkit.OtpkitKt")
        return if (hasMethod(file, camel(operation))) null else "no top-level function ${camel(operation)}"
    }
    val type = operation.substring(0, dot)
    val member = operation.substring(dot + 1)
    val cls = try {
        Class.forName("uniffi.otpkit.$type")
    } catch (e: ClassNotFoundException) {
        return "no class $type"
    }
    if (member == "new") {
        // uniffi's own constructors take a handle or NoHandle; `new` is any other.
        val internal = setOf("UniffiWithHandle", "NoHandle")
        val found = cls.constructors.any { c -> c.parameterTypes.none { it.simpleName in internal } }
        return if (found) null else "no constructor of $type"
    }
    val companion = try {
        Class.forName("uniffi.otpkit.$type\$Companion")
    } catch (e: ClassNotFoundException) {
        null
    }
    val name = camel(member)
    return if (hasMethod(cls, name) || (companion != null && hasMethod(companion, name))) null
    else "no method or companion function $type.$name"
}

fun parityTests(h: Harness) {
    h.test("parity: every facade operation is on the Kotlin API, but the listed exclusions") {
        val names = operations().map { it.name }
        assertTrue(names.size > 40, "operations(): ${names.size}")
        assertTrue(operations().all { it.description.isNotEmpty() })
        for (excluded in NOT_IN_KOTLIN.keys) assertTrue(excluded in names, "$excluded is excluded but is no operation")
        val missing = names.filter { it !in NOT_IN_KOTLIN }.mapNotNull { op -> missingFromKotlin(op)?.let { "$op: $it" } }
        assertEquals(emptyList(), missing)
        // The check itself finds a missing operation.
        assertEquals("no method or companion function Totp.previousCode", missingFromKotlin("Totp.previous_code"))
        assertEquals("no top-level function importKeepass", missingFromKotlin("import_keepass"))
        assertEquals("no class Keyring", missingFromKotlin("Keyring.new"))
    }
}
