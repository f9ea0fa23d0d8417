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
    listOf("aegis_plain.json", TransferFormat.AEGIS, false, 4, 7),
    listOf("aegis_encrypted.json", TransferFormat.AEGIS, true, 4, 7),
    listOf("twofas_plain.2fas", TransferFormat.TWO_FAS, false, 4, 5),
    listOf("twofas_encrypted.2fas", TransferFormat.TWO_FAS, true, 4, 5),
    listOf("andotp_plain.json", TransferFormat.AND_OTP, false, 3, 4),
    listOf("andotp_encrypted.bin", TransferFormat.AND_OTP, true, 3, 4),
    listOf("andotp_encrypted_old.bin", TransferFormat.AND_OTP, true, 3, 4),
    listOf("bitwarden_plain.json", TransferFormat.BITWARDEN, false, 3, 4),
    listOf("bitwarden_encrypted.json", TransferFormat.BITWARDEN, true, 3, 4),
    listOf("freeotp_plus.json", TransferFormat.FREE_OTP_PLUS, false, 2, 3),
    listOf("authpro_plain.json", TransferFormat.AUTHENTICATOR_PRO, false, 3, 4),
    listOf("otpauth_list.txt", TransferFormat.OTPAUTH_LIST, false, 4, 6),
)

/** Twelve accounts Google's format carries: two QR codes' worth. */
fun twelveAccounts(): List<Account> {
    val text = (0 until 12).joinToString("\n") { i ->
        val secret = Secret.fromBytes(ByteArray(20) { (i * 7 + it).toByte() }, false).base32()
        "otpauth://totp/Issuer$i:user$i?secret=$secret&issuer=Issuer$i"
    }
    return importAccounts(TransferFormat.OTPAUTH_LIST, text.toByteArray()).accounts
}

fun transferTests(h: Harness) {
    h.test("transfer: every fixture imports, one report per entry, accounts in order") {
        for ((name, format, encrypted, count, entries) in transferFixtures) {
            val password = if (encrypted as Boolean) FIXTURE_PASSWORD else null
            val r = importAccounts(format as TransferFormat, transferFixture(name as String), password)
            assertEquals(count, r.accounts.size, name)
            assertEquals(entries, r.entries.size, name)
            assertEquals(r.accounts, r.entries.mapNotNull { it.account }, name)
            for (e in r.entries) {
                assertTrue((e.account == null) != (e.error == null), "$name entry ${e.index}")
            }
            assertTrue(r.missingBatches.isEmpty())
        }
        assertEquals("2fas", transferFormatName(TransferFormat.TWO_FAS))
        assertEquals("freeotp-plus", transferFormatName(TransferFormat.FREE_OTP_PLUS))
    }

    h.test("transfer: the report names failures and the lenient Base32 warning") {
        val r = importAccounts(TransferFormat.AEGIS, transferFixture("aegis_plain.json"))
        val steam = r.entries[3]
        assertEquals("Steam:gamer", steam.label)
        assertEquals(Kind.Steam, steam.account!!.kind)
        assertEquals(TransferWarningKind.TRAILING_BITS_DROPPED, steam.warnings[0].kind)
        assertTrue(steam.warnings[0].message.contains("11 Base32 characters"), steam.warnings[0].message)
        assertEquals("mOTP:vpn", r.entries[4].label)
        assertNull(r.entries[4].account)
        assertTrue(r.entries[4].error!!.contains("unsupported OTP type \"motp\""), r.entries[4].error)
        assertTrue(r.entries[6].error!!.contains("11 digits"), r.entries[6].error)
        // Plain and encrypted hold the same vault.
        val encrypted = importAccounts(TransferFormat.AEGIS, transferFixture("aegis_encrypted.json"), FIXTURE_PASSWORD)
        assertEquals(r, encrypted)
    }

    h.test("transfer: a wrong or missing password and hostile files are typed errors") {
        for ((name, format, encrypted) in transferFixtures) {
            if (!(encrypted as Boolean)) continue
            val data = transferFixture(name as String)
            val wrong = expectError<OtpkitException.Password>(ErrorReason.WRONG_PASSWORD, name) {
                importAccounts(format as TransferFormat, data, "not-the-password")
            }
            assertFalse(wrong.message.contains("not-the-password"))
            expectError<OtpkitException.Password>(ErrorReason.PASSWORD_REQUIRED, name) { importAccounts(format as TransferFormat, data) }
        }
        for (format in TransferFormat.entries) {
            if (format == TransferFormat.OTPAUTH_LIST) continue
            val e = expectError<OtpkitException.InvalidInput>(null, format.name) {
                // With a password: andOTP's encrypted form is binary, so junk reads as encrypted.
                importAccounts(format, byteArrayOf(0, -1, '{'.code.toByte(), '['.code.toByte()), "x")
            }
            assertTrue(e.message.contains(transferFormatName(format)), e.message)
        }
        // In a list, a bad line fails alone.
        val list = importAccounts(TransferFormat.OTPAUTH_LIST, "not a uri\n".toByteArray())
        assertTrue(list.accounts.isEmpty())
        assertNotNull(list.entries.single().error)
    }

    h.test("transfer: multi-QR assembler in any order, duplicates, missing batches, other exports") {
        val accounts = twelveAccounts()
        assertEquals(12, accounts.size)
        val exported = exportGoogleMigration(accounts)
        assertEquals(2, exported.uris.size)
        assertTrue(exported.notes.isEmpty())
        val assembler = MigrationAssembler()
        assertEquals(null, assembler.batchSize())
        assertEquals(MigrationAdded.NEW, assembler.add(exported.uris[1]))
        assertEquals(listOf(0uL), assembler.missing())
        assertEquals(2uL, assembler.batchSize())
        assertFalse(assembler.isComplete())
        assertEquals(MigrationAdded.DUPLICATE, assembler.add(exported.uris[1]))
        val other = exportGoogleMigration(accounts.take(1)).uris.single()
        expectError<OtpkitException.InvalidInput>(ErrorReason.DIFFERENT_EXPORT) { assembler.add(other) }
        expectError<OtpkitException.InvalidInput>(ErrorReason.MIGRATION_INVALID_BASE64) { assembler.add("otpauth-migration://offline?data=%%%") }
        assembler.add(exported.uris[0])
        assertTrue(assembler.isComplete())
        val done = assembler.finish()
        assertEquals(accounts, done.accounts)
        assertTrue(done.missingBatches.isEmpty())
        // Only the second code, through import: its accounts and the first missing.
        val half = importAccounts(TransferFormat.GOOGLE_MIGRATION, exported.uris[1].toByteArray())
        assertEquals(accounts.drop(10), half.accounts)
        assertEquals(listOf(0uL), half.missingBatches)
    }

    h.test("transfer: Aegis and otpauth exports round-trip; what a format cannot carry is noted") {
        val accounts = twelveAccounts()
        val vault = exportAegis(accounts, "vault password")
        assertFalse(vault.text.contains(accounts[0].secret.base32()))
        assertEquals(accounts, importAccounts(TransferFormat.AEGIS, vault.text.toByteArray(), "vault password").accounts)
        expectError<OtpkitException.Password>(ErrorReason.WRONG_PASSWORD) {
            importAccounts(TransferFormat.AEGIS, vault.text.toByteArray(), "other")
        }
        val plain = exportAegis(accounts)
        assertEquals(accounts, importAccounts(TransferFormat.AEGIS, plain.text.toByteArray()).accounts)
        val list = exportOtpauthList(accounts)
        assertEquals(12, list.text.lines().filter { it.isNotEmpty() }.size)
        assertEquals(accounts, importAccounts(TransferFormat.OTPAUTH_LIST, list.text.toByteArray()).accounts)
        expectError<OtpkitException.InvalidInput>(ErrorReason.EMPTY_PASSWORD) { exportAegis(accounts, "") }

        val aegis = importAccounts(TransferFormat.AEGIS, transferFixture("aegis_plain.json")).accounts
        val migration = exportGoogleMigration(aegis)
        assertEquals(listOf(1uL, 2uL, 3uL), migration.notes.filter { it.skipped }.map { it.index })
        assertTrue(migration.notes[0].message.contains("60-second period"), migration.notes[0].message)
        assertEquals("Sixty:bob", migration.notes[0].label)
        assertEquals(listOf(aegis[0]), importAccounts(TransferFormat.GOOGLE_MIGRATION, migration.uris.joinToString("\n").toByteArray()).accounts)
    }

    h.test("transfer: portability findings name the app, the problem and the sources") {
        val findings = checkPortabilityUri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha256&digits=8")
        assertTrue(findings.any { it.app == PortabilityApp.MICROSOFT_AUTHENTICATOR && it.problem == PortabilityProblem.ALGORITHM_IGNORED })
        assertTrue(findings.any { it.problem == PortabilityProblem.LOWERCASE_ALGORITHM })
        assertTrue(findings.any { it.problem == PortabilityProblem.DIGITS_IGNORED })
        assertTrue(findings.all { it.sources.isNotEmpty() && it.sources.all { s -> s.startsWith("https://") } })
        val plain = parseOtpauthUri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").account
        assertTrue(checkPortability(plain).isEmpty())
        val sixty = plain.copy(kind = Kind.Totp(period = 60uL))
        assertTrue(checkPortability(sixty).any { it.problem == PortabilityProblem.PERIOD_IGNORED })
        expectError<OtpkitException.InvalidInput>(ErrorReason.NOT_OTPAUTH_URI) { checkPortabilityUri("https://example.com") }
    }
}
