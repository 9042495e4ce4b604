package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.testdata.HostileInputs;
import io.medseg.testdata.HostileInputs.Case;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The command line under the heap of a small worker ({@code -Xmx512m}, its own process): each hostile input ends the
 * command with exit code 2 and one line on stderr that names the file, nothing on stdout, no stack trace.
 */
class HostileInputsCliTest {
    @TempDir
    static Path dir;
    static List<Case> cases;

    @BeforeAll
    static void build() throws IOException {
        cases = HostileInputs.all(dir.resolve("inputs"));
    }

    /** The cases built by {@link #build()}, which runs before the arguments are asked for. */
    static Stream<String> names() {
        return cases.stream().map(Case::name);
    }

    /** What one command printed and returned. */
    private record Result(int exitCode, String out, List<String> err) {
    }

    private static Result segment(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        // a generous bound, so that a hang fails the test instead of the build
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("segment " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readAllLines(err, StandardCharsets.UTF_8));
    }

    private static void assertRefused(Result r, Path culprit) {
        assertThat(r.exitCode()).as(String.join("\n", r.err())).isEqualTo(Errors.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasSize(1);
        assertThat(r.err().get(0)).startsWith(Errors.PREFIX + culprit + ": ").hasSizeLessThan(700)
                .doesNotContainPattern("\\p{Cntrl}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void inspectRefusesTheInputWithExitCodeTwoNamingTheFile(String name) throws Exception {
        Case c = cases.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();

        assertRefused(segment(List.of(), "inspect", "--data", c.data().toString()), c.culprit());
    }

    @Test
    void anImageTooLargeForTheHeapIsTheInputsFault() throws Exception {
        Case c = HostileInputs.tinyPngAnnouncing30000Squared(dir.resolve("raised"));

        Result r = segment(List.of("-Dmedseg.limits.maxImageWidth=40000", "-Dmedseg.limits.maxImageHeight=40000",
                "-Dmedseg.limits.maxPixels=2000000000"), "inspect", "--data", c.data().toString());

        assertRefused(r, c.culprit());
        assertThat(r.err().get(0)).endsWith("a 30000 x 30000 PNG does not fit in this JVM's heap of 512 MB");
    }

    @Test
    void registerRefusesAManifestPathWithANulBeforeResolvingIt() throws Exception {
        Path pkg = Files.createDirectories(dir.resolve("nul-package"));
        Files.writeString(pkg.resolve("model.json"), "{}");
        Path manifest = Files.writeString(pkg.resolve("MANIFEST"), "0".repeat(64) + "  model\0.json\n",
                StandardCharsets.UTF_8);

        Result r = segment(List.of(), "register", "--registry", dir.resolve("registry").toString(), pkg.toString());

        assertRefused(r, manifest);
        assertThat(r.err().get(0)).endsWith("malformed line 1: path 'model\\x00.json' contains the control character "
                + "\\x00 at position 5");
    }
}
