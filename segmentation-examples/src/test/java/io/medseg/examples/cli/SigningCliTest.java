package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.mlops.PackageManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keygen, sign, verify, trust, register with signatures required, promotion with a second approver, and the audit
 * trail of it all, through the command line. The package is a small stand-in (the signing does not read the model),
 * so the test needs no training.
 */
class SigningCliTest {
    @TempDir
    Path tmp;

    private Path pkg() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pkg"));
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"medseg-model\", \"formatVersion\": 2, "
                + "\"name\": \"lv-signed\"}\n");
        byte[] weights = new byte[4096];
        new SplittableRandom(3).nextBytes(weights);
        Files.createDirectories(dir.resolve("variables"));
        Files.write(dir.resolve("variables/variables.data-00000-of-00001"), weights);
        Files.writeString(dir.resolve("metrics.json"), "{\"dice_mean\": 0.9}\n");
        PackageManifest.write(dir);
        return dir;
    }

    private static void passingValidation(Path pkg) throws IOException {
        Path file = pkg.resolve("validations/validation-20260101T000000.000Z.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"format\": \"medseg-validation\", \"formatVersion\": 1, \"manifest_sha256\": \""
                + PackageManifest.sha256(pkg) + "\", \"passed\": true, \"created\": \"2026-01-01T00:00:00Z\", "
                + "\"requirements\": [{\"name\": \"dice_mean\", \"comparison\": \">=\", \"threshold\": 0.85, "
                + "\"measured\": 0.9, \"passed\": true}]}\n");
    }

    @Test
    void keygenSignVerifyRegisterAndApproveWithFourEyes() throws IOException {
        Path pkg = pkg();
        String registry = tmp.resolve("registry").toString();
        for (String who : List.of("alice", "bob", "mallory")) {
            CliRun k = CliRun.of("keygen", "--out", tmp.resolve(who).toString());
            assertThat(k.exitCode()).as(k.err()).isZero();
            assertThat(k.out()).contains("fingerprint ");
        }
        assertThat(CliRun.of("keygen", "--out", tmp.resolve("alice").toString()).err()).contains("already exists");

        CliRun sign = CliRun.of("sign", pkg.toString(), "--key", tmp.resolve("alice.key").toString(), "--registry",
                registry);
        assertThat(sign.exitCode()).as(sign.err()).isZero();
        assertThat(sign.out()).contains("signed ").contains("4 files").contains("model.sig");
        CliRun verify = CliRun.of("verify", pkg.toString(), "--trusted", tmp.resolve("bob.pub").toString(),
                tmp.resolve("alice.pub").toString());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("VERIFIED").contains("signed by alice");
        CliRun untrusted = CliRun.of("verify", pkg.toString(), "--trusted", tmp.resolve("bob.pub").toString());
        assertThat(untrusted.exitCode()).isEqualTo(3);
        assertThat(untrusted.err()).contains("NOT VERIFIED").contains("not trusted");
        // the MANIFEST check lets the signature be
        PackageManifest.verify(pkg);

        byte[] weights = Files.readAllBytes(pkg.resolve("variables/variables.data-00000-of-00001"));
        weights[100] ^= 1;
        Path flipped = Files.write(tmp.resolve("flipped.bin"), weights);
        Files.copy(pkg.resolve("variables/variables.data-00000-of-00001"), tmp.resolve("good.bin"));
        Files.copy(flipped, pkg.resolve("variables/variables.data-00000-of-00001"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun broken = CliRun.of("verify", pkg.toString(), "--trusted", tmp.resolve("alice.pub").toString());
        assertThat(broken.exitCode()).isEqualTo(3);
        assertThat(broken.err()).contains("variables.data-00000-of-00001").contains("modified");
        Files.copy(tmp.resolve("good.bin"), pkg.resolve("variables/variables.data-00000-of-00001"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThat(CliRun.of("trust", "add", tmp.resolve("alice.pub").toString(), "--role", "register",
                "--registry", registry).exitCode()).isZero();
        assertThat(CliRun.of("trust", "add", tmp.resolve("bob.pub").toString(), "--role", "approve",
                "--registry", registry).exitCode()).isZero();
        CliRun required = CliRun.of("trust", "require", "on", "--registry", registry);
        assertThat(required.out()).contains("signatures required, 2 trusted keys").contains("alice")
                .contains("bob");

        // an unsigned copy is refused, the signed package registered with its signer recorded
        Path unsigned = tmp.resolve("unsigned");
        Files.createDirectories(unsigned.resolve("variables"));
        for (String f : List.of("model.json", "metrics.json", "MANIFEST", "variables/variables.data-00000-of-00001")) {
            Files.copy(pkg.resolve(f), unsigned.resolve(f));
        }
        CliRun refused = CliRun.of("register", unsigned.toString(), "--registry", registry);
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.err()).contains("requires signed packages").contains("model.sig");
        passingValidation(pkg);
        CliRun reg = CliRun.of("register", pkg.toString(), "--registry", registry);
        assertThat(reg.exitCode()).as(reg.err()).isZero();
        assertThat(reg.out()).contains("lv-signed version 1").contains("signed by key");

        // production: not without a second person's key; alice cannot approve her own, mallory is not trusted
        CliRun noApproval = CliRun.of("promote", "lv-signed", "1", "production", "--registry", registry);
        assertThat(noApproval.exitCode()).isEqualTo(3);
        assertThat(noApproval.err()).contains("four eyes");
        CliRun byMallory = CliRun.of("promote", "lv-signed", "1", "production", "--key",
                tmp.resolve("mallory.key").toString(), "--registry", registry);
        assertThat(byMallory.exitCode()).isEqualTo(3);
        assertThat(byMallory.err()).contains("not trusted");
        CliRun approved = CliRun.of("promote", "lv-signed", "1", "production", "--key",
                tmp.resolve("bob.key").toString(), "--registry", registry);
        assertThat(approved.exitCode()).as(approved.err()).isZero();
        assertThat(approved.out()).contains("approved with key").contains("staging -> production");

        CliRun audit = CliRun.of("audit", "verify", "--registry", registry);
        assertThat(audit.exitCode()).as(audit.out()).isZero();
        CliRun log = CliRun.of("audit", "log", "--registry", registry);
        List<String> actions = log.out().lines().map(l -> l.trim().split("\\s+")[3] + " " + l.trim()
                .split("\\s+")[4]).toList();
        assertThat(actions).containsExactly("sign ok", "trust-key ok", "trust-key ok", "require-signatures ok",
                "register refused", "register ok", "promote refused", "approve refused", "approve ok",
                "promote ok");
        String bobFingerprint = CliRun.of("trust", "list", "--registry", registry).out().lines()
                .filter(l -> l.trim().startsWith("bob ")).findFirst().orElseThrow().trim().split("\\s+")[1];
        CliRun byBob = CliRun.of("audit", "log", "--actor", bobFingerprint.substring(0, 12), "--registry", registry);
        assertThat(byBob.out().lines().toList()).hasSize(1).allMatch(l -> l.contains("approve"));
    }
}
