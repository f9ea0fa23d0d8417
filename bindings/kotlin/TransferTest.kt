// Import, export, multi-QR assembly and portability through the Kotlin bindings;
// registered with the Harness from OtpkitTest.kt's main. The files are the ones
// otpkit-transfer's Rust tests use (crates/otpkit-transfer/tests/data; every encrypted
// one has the password "otpkit-test").

import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.otpkit.*

/** A file of crates/otpkit-transfer/tests/data, found by walking up from the working directory. */
fun transferFixture(name: String): ByteArray {
    var dir: File? = File("").absoluteFile
    while (dir != null) {
        val f = File(dir, "crates/otpkit-transfer/tests/data/$name")
        if (f.isFile) return f.readBytes()
        dir = dir.parentFile
    }
    error("$name not found above ${File("").absolutePath}")
}

const val FIXTURE_PASSWORD = "otpkit-test"

/** Every committed fixture: file, format, encrypted, accounts it holds, entries in it. */
val transferFixtures = listOf(
    listOf("aegis_plain.json", "aegis", false, 5, 7),
    listOf("aegis_encrypted.json", "aegis", true, 5, 7),
    listOf("twofas_plain.2fas", "2fas", false, 4, 5),
    listOf("twofas_encrypted.2fas", "2fas", true, 4, 5),
    listOf("andotp_plain.json", "andotp", false, 4, 4),
    listOf("andotp_encrypted.bin", "andotp", true, 4, 4),
    listOf("andotp_encrypted_old.bin", "andotp", true, 4, 4),
    listOf("bitwarden_plain.json", "bitwarden", false, 3, 4),
    listOf("bitwarden_encrypted.json", "bitwarden", true, 3, 4),
    listOf("freeotp_plus.json", "freeotp-plus", false, 2, 3),
    listOf("authpro_plain.json", "authenticator-pro", false, 4, 4),
    listOf("otpauth_list.txt", "otpauth-list", false, 4, 6),
)

/** Twelve accounts Google's format carries: two QR codes' worth. */
fun twelveAccounts(): List<Account> {
    val text = (0 until 12).joinToString("\n") { i ->
        val secret = Secret.fromBytes(ByteArray(20) { (i * 7 + it).toByte() }, false).base32()
        "otpauth://totp/Issuer$i:user$i?secret=$secret&issuer=Issuer$i"
    }
    return importAccounts("otpauth-list", text.toByteArray()).accounts
}

fun transferTests(h: Harness) {
    h.test("transfer: every fixture imports, one report per entry, accounts in order") {
        for ((name, format, encrypted, count, entries) in transferFixtures) {
            val password = if (encrypted as Boolean) FIXTURE_PASSWORD else null
            val r = importAccounts(format as String, transferFixture(name as String), password)
            assertEquals(count, r.accounts.size, name)
            assertEquals(entries, r.entries.size, name)
            assertEquals(count, r.entries.count { it.error == null }, name)
            for (e in r.entries) {
                assertEquals(e.error == null, e.reason == null, "$name entry ${e.index}")
            }
            assertTrue(r.missingBatches.isEmpty())
        }
    }

    h.test("transfer: importFormats lists every format; detectFormat names each fixture's, pskc, or null") {
        val formats = importFormats()
        assertFalse("pskc" in formats)
        for ((name, format, encrypted, _, _) in transferFixtures) {
            assertTrue(format in formats, format as String)
            val data = transferFixture(name as String)
            val detected = detectFormat(data)
            if (name.startsWith("andotp_encrypted")) {
                // Random bytes from the first one on: never told from the content.
                assertNull(detected, name)
            } else {
                assertEquals(format, detected, name)
                importAccounts(detected!!, data, if (encrypted as Boolean) FIXTURE_PASSWORD else null)
            }
        }
        assertEquals("pskc", detectFormat(rfc6030Figure(3).toByteArray()))
        assertNull(detectFormat("my accounts".toByteArray()))
    }

    h.test("transfer: the report names failures and the lenient Base32 warning") {
        val r = importAccounts("aegis", transferFixture("aegis_plain.json"))
        val steam = r.entries[3]
        assertEquals("Steam:gamer", steam.label)
        assertEquals("TRAILING_BITS_DROPPED", steam.warnings[0].code)
        assertTrue(steam.warnings[0].message.contains("11 Base32 characters"), steam.warnings[0].message)
        assertEquals("mOTP:vpn", r.entries[4].label)
        assertTrue(r.entries[4].error == null, r.entries[4].error)
        assertEquals("1234", r.accounts[4].pin)
        assertNotNull(r.entries[5].reason)
        assertTrue(r.entries[6].error!!.contains("11 digits"), r.entries[6].error)
        assertFalse(r.toString().contains(r.accounts[0].secret.base32()), r.toString())
        // Plain and encrypted hold the same vault.
        val encrypted = importAccounts("aegis", transferFixture("aegis_encrypted.json"), FIXTURE_PASSWORD)
        assertEquals(r, encrypted)
    }

    h.test("transfer: a wrong or missing password, an unknown format, hostile files and the KDF budget are typed errors") {
        for ((name, format, encrypted) in transferFixtures) {
            if (!(encrypted as Boolean)) continue
            val data = transferFixture(name as String)
            val wrong = expectError<OtpkitException.Password>(ErrorCode.WRONG_PASSWORD, name) {
                importAccounts(format as String, data, "not-the-password")
            }
            assertFalse(wrong.message.contains("not-the-password"))
            expectError<OtpkitException.Password>(ErrorCode.PASSWORD_REQUIRED, name) { importAccounts(format as String, data) }
        }
        for (format in listOf("aegis", "2fas", "andotp", "bitwarden", "freeotp-plus", "authenticator-pro", "google-migration")) {
            val e = expectError<OtpkitException.InvalidInput>(null, format) {
                // With a password: andOTP's encrypted form is binary, so junk reads as encrypted.
                importAccounts(format, byteArrayOf(0, -1, '{'.code.toByte(), '['.code.toByte()), "x")
            }
            assertTrue(e.message.isNotEmpty())
        }
        expectError<OtpkitException.InvalidInput>(ErrorCode.UNKNOWN_FORMAT) { importAccounts("lotus-notes", ByteArray(1)) }
        expectError<OtpkitException.Unsupported>(ErrorCode.KDF_BUDGET) {
            importAccounts("aegis", transferFixture("aegis_encrypted.json"), FIXTURE_PASSWORD, KdfBudget(work = 1uL))
        }
        // In a list, a bad line fails alone.
        val list = importAccounts("otpauth-list", "not a uri\n".toByteArray())
        assertTrue(list.accounts.isEmpty())
        assertNotNull(list.entries.single().error)
    }

    h.test("transfer: multi-QR assembler in any order, duplicates, missing batches, other exports") {
        val accounts = twelveAccounts()
        assertEquals(12, accounts.size)
        val exported = exportAccounts("google-migration", accounts)
        assertEquals(2, exported.output.size)
        assertTrue(exported.notes.isEmpty())
        assertEquals("2 output texts, 0 notes", exported.toString())
        val assembler = MigrationAssembler()
        assertEquals(null, assembler.batchSize())
        assertTrue(assembler.add(exported.output[1]))
        assertEquals(listOf(0uL), assembler.missing())
        assertEquals(2uL, assembler.batchSize())
        assertFalse(assembler.isComplete())
        assertFalse(assembler.add(exported.output[1]))
        val other = exportAccounts("google-migration", accounts.take(1)).output.single()
        expectError<OtpkitException.InvalidInput>(ErrorCode.DIFFERENT_EXPORT) { assembler.add(other) }
        expectError<OtpkitException.InvalidInput>(ErrorCode.MIGRATION_INVALID_BASE64) { assembler.add("otpauth-migration://offline?data=%%%") }
        assembler.add(exported.output[0])
        assertTrue(assembler.isComplete())
        val done = assembler.finish()
        assertEquals(accounts, done.accounts)
        assertTrue(done.missingBatches.isEmpty())
        // Only the second code, through import: its accounts and the first missing.
        val half = importAccounts("google-migration", exported.output[1].toByteArray())
        assertEquals(accounts.drop(10), half.accounts)
        assertEquals(listOf(0uL), half.missingBatches)
    }

    h.test("transfer: Aegis and otpauth exports round-trip; what a format cannot carry is noted") {
        val accounts = twelveAccounts()
        val vault = exportAccounts("aegis", accounts, "vault password")
        assertFalse(vault.output[0].contains(accounts[0].secret.base32()))
        assertEquals(accounts, importAccounts("aegis", vault.output[0].toByteArray(), "vault password").accounts)
        expectError<OtpkitException.Password>(ErrorCode.WRONG_PASSWORD) {
            importAccounts("aegis", vault.output[0].toByteArray(), "other")
        }
        val plain = exportAccounts("aegis", accounts)
        assertFalse(plain.toString().contains(accounts[0].secret.base32()), plain.toString())
        assertEquals(accounts, importAccounts("aegis", plain.output[0].toByteArray()).accounts)
        val list = exportAccounts("otpauth-list", accounts)
        assertEquals(12, list.output[0].lines().filter { it.isNotEmpty() }.size)
        assertEquals(accounts, importAccounts("otpauth-list", list.output[0].toByteArray()).accounts)
        expectError<OtpkitException.InvalidInput>(ErrorCode.EMPTY_PASSWORD) { exportAccounts("aegis", accounts, "") }
        expectError<OtpkitException.Unsupported>(ErrorCode.UNSUPPORTED_ENCRYPTION) { exportAccounts("otpauth-list", accounts, "pw") }
        expectError<OtpkitException.InvalidInput>(ErrorCode.UNKNOWN_FORMAT) { exportAccounts("2fas", accounts) }

        val aegis = importAccounts("aegis", transferFixture("aegis_plain.json")).accounts
        val migration = exportAccounts("google-migration", aegis)
        assertEquals(4, migration.notes.size)
        assertTrue(migration.notes[0].contains("60-second period"), migration.notes[0])
        assertEquals(listOf(aegis[0]), importAccounts("google-migration", migration.output.joinToString("\n").toByteArray()).accounts)
    }

    h.test("transfer: portability findings name the app, the problem and the sources") {
        val findings = checkPortabilityUri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha256&digits=8")
        assertTrue(findings.any { it.app == "MICROSOFT_AUTHENTICATOR" && it.problem == "ALGORITHM_IGNORED" })
        assertTrue(findings.any { it.problem == "LOWERCASE_ALGORITHM" })
        assertTrue(findings.any { it.problem == "DIGITS_IGNORED" })
        assertTrue(findings.all { it.sources.isNotEmpty() && it.sources.all { s -> s.startsWith("https://") } })
        assertTrue(findings.all { it.toString() == it.message })
        val plain = parseOtpauthUri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").account
        assertTrue(checkPortability(plain).isEmpty())
        val sixty = plain.copy(kind = Kind.Totp(period = 60uL))
        assertTrue(checkPortability(sixty).any { it.problem == "PERIOD_IGNORED" })
        expectError<OtpkitException.InvalidInput>(ErrorCode.NOT_OTPAUTH_URI) { checkPortabilityUri("https://example.com") }
    }
}
