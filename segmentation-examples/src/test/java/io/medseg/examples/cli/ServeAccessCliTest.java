package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.serving.TokenFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment token}, and what {@code segment serve} refuses about where it listens and with which tokens,
 * before any model is loaded.
 */
class ServeAccessCliTest {
    @TempDir
    Path tmp;

    private static void assertOneCleanErrorLine(CliRun r) {
        assertThat(r.err().lines().toList()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith("segment: error: ").doesNotContain("Exception").doesNotContain("at io.");
        assertThat(r.out()).isEmpty();
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void tokenPrintsTheTokenOnStandardOutputAloneAndAppendsItsHash() throws Exception {
        Path file = tmp.resolve("serve/tokens");

        CliRun r = CliRun.of("token", "--id", "alice", "--tokens", file.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).hasSize(1);
        String token = r.out().strip();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(r.err()).contains("'alice'").contains(file.toString()).doesNotContain(token);
        assertThat(Files.readAllLines(file)).containsExactly("alice " + sha256(token));
        assertThat(Files.readString(file)).doesNotContain(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(TokenFile.open(file).authenticate(token)).contains("alice");
    }

    @Test
    void eachTokenIsAppendedToTheSameFile() throws Exception {
        Path file = tmp.resolve("tokens");

        String alice = CliRun.of("token", "--id", "alice", "--tokens", file.toString()).out().strip();
        String bob = CliRun.of("token", "--id", "bob", "--tokens", file.toString()).out().strip();

        assertThat(Files.readAllLines(file)).containsExactly("alice " + sha256(alice), "bob " + sha256(bob));
    }

    @Test
    void aSecondTokenForAnIdIsAUsageErrorAndLeavesTheFile() throws IOException {
        Path file = tmp.resolve("tokens");
        CliRun.of("token", "--id", "alice", "--tokens", file.toString());
        byte[] before = Files.readAllBytes(file);

        CliRun r = CliRun.of("token", "--id", "alice", "--tokens", file.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("'alice'").contains(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void anIdThatIsNotANameIsAUsageErrorAndWritesNothing() {
        Path file = tmp.resolve("tokens");

        CliRun r = CliRun.of("token", "--id", "two words", "--tokens", file.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("two words");
        assertThat(file).doesNotExist();
    }

    @Test
    void tokenNeedsBothOptions() {
        CliRun noFile = CliRun.of("token", "--id", "alice");
        assertThat(noFile.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(noFile);
        assertThat(noFile.err()).contains("--tokens");

        CliRun noId = CliRun.of("token", "--tokens", tmp.resolve("tokens").toString());
        assertThat(noId.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(noId);
        assertThat(noId.err()).contains("--id");
    }

    @Test
    void serveOnAnAddressOtherThanLoopbackWithoutTokensIsAUsageError() {
        for (String host : new String[] {"0.0.0.0", "192.0.2.10"}) {
            CliRun r = CliRun.of("serve", "--registry", tmp.resolve("registry").toString(), "--model", "cardiac",
                    "--host", host);

            assertThat(r.exitCode()).as(host).isEqualTo(2);
            assertOneCleanErrorLine(r);
            assertThat(r.err()).contains(host).contains("loopback").contains("tokens");
        }
    }

    @Test
    void serveRefusesValuesOutOfRangeBeforeLoadingAModel() {
        for (String[] bad : new String[][] {{"--version", "0"}, {"--port", "70000"}, {"--max-batch", "0"},
                {"--drift-window", "1"}, {"--max-body-mb", "0"}}) {
            CliRun r = CliRun.of("serve", "--registry", tmp.resolve("registry").toString(), "--model", "cardiac",
                    bad[0], bad[1]);

            assertThat(r.exitCode()).as(bad[0]).isEqualTo(2);
            assertOneCleanErrorLine(r);
            assertThat(r.err()).as(bad[0]).contains(bad[1]);
        }
    }
}
