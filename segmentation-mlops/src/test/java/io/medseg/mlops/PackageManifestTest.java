package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageManifestTest {
    @TempDir
    Path tmp;
    Path pkg;

    @BeforeEach
    void createPackage() throws IOException {
        pkg = TestPackages.create(tmp.resolve("pkg"), "cardiac-lv", "a").toRealPath();
    }

    @Test
    void listsEveryFileSortedInSha256sumFormat() throws IOException {
        TestPackages.writeValidation(pkg, PackageManifest.sha256(pkg), true, Instant.parse("2024-05-01T12:00:00Z"));
        PackageManifest written = PackageManifest.write(pkg);

        List<String> lines = Files.readAllLines(pkg.resolve("MANIFEST"), StandardCharsets.UTF_8);
        List<String> paths = lines.stream().map(l -> l.substring(66)).toList();
        assertThat(paths).containsExactly("MODEL_CARD.md", "data-profile.json", "metrics.json", "model.json",
                "provenance.json", "saved_model/saved_model.pb",
                "saved_model/variables/variables.data-00000-of-00001", "saved_model/variables/variables.index");
        for (String line : lines) {
            String path = line.substring(66);
            assertThat(line.substring(64, 66)).isEqualTo("  ");
            assertThat(line.substring(0, 64)).isEqualTo(Hashing.sha256(pkg.resolve(path)));
        }
        byte[] manifestBytes = Files.readAllBytes(pkg.resolve("MANIFEST"));
        assertThat(new String(manifestBytes, StandardCharsets.UTF_8)).endsWith("\n");
        assertThat(written.entries().keySet()).containsExactlyElementsOf(paths);
        assertThat(written.sha256()).isEqualTo(Hashing.sha256(manifestBytes));
        assertThat(PackageManifest.sha256(pkg)).isEqualTo(written.sha256());
        assertThat(PackageManifest.read(pkg).entries()).isEqualTo(written.entries());
        try (Stream<Path> files = Files.list(pkg)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void sha256sumChecksTheManifest() throws Exception {
        Optional<Path> sha256sum = onPath("sha256sum");
        assumeThat(sha256sum).as("sha256sum on PATH").isPresent();

        Process check = new ProcessBuilder(sha256sum.get().toString(), "-c", "--strict", "MANIFEST")
                .directory(pkg.toFile()).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(out).isZero();
        assertThat(out.lines()).hasSize(8).allMatch(l -> l.endsWith(": OK"));

        // and sha256sum over the same files prints the MANIFEST byte for byte
        List<String> command = new ArrayList<>(List.of(sha256sum.get().toString()));
        command.addAll(PackageManifest.read(pkg).entries().keySet());
        Process print = new ProcessBuilder(command).directory(pkg.toFile()).start();
        byte[] printed = print.getInputStream().readAllBytes();
        assertThat(print.waitFor()).isZero();
        assertThat(printed).isEqualTo(Files.readAllBytes(pkg.resolve("MANIFEST")));

        // a modified file fails sha256sum -c as it fails verify
        flipByte(pkg.resolve("model.json"), 3);
        Process recheck = new ProcessBuilder(sha256sum.get().toString(), "-c", "--strict", "MANIFEST")
                .directory(pkg.toFile()).redirectErrorStream(true).start();
        String failed = new String(recheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(recheck.waitFor()).isNotZero();
        assertThat(failed).contains("model.json: FAILED");
    }

    @Test
    void verifyAcceptsTheUntouchedPackageAndIgnoresValidations() throws IOException {
        PackageManifest verified = PackageManifest.verify(pkg);
        assertThat(verified.entries()).hasSize(8);
        assertThat(verified.dir()).isEqualTo(pkg);

        Path record = TestPackages.writeValidation(pkg, verified.sha256(), false, Instant.now());
        Files.writeString(record.resolveSibling(".half-written.json.tmp"), "{");
        Files.createDirectories(pkg.resolve("validations/archive"));
        Files.writeString(pkg.resolve("validations/archive/old.json"), "{}");
        assertThat(PackageManifest.verify(pkg).sha256()).isEqualTo(verified.sha256());
    }

    @Test
    void refusesAModifiedByteNamingTheFile() throws IOException {
        Path weights = pkg.resolve("saved_model/variables/variables.data-00000-of-00001");
        flipByte(weights, 100_000);

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(weights + ": modified: sha256 is ")
                .satisfies(e -> assertThat(((DataFormatException) e).file()).contains(weights));
    }

    @Test
    void refusesADeletedFile() throws IOException {
        Path card = pkg.resolve("MODEL_CARD.md");
        Files.delete(card);

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(card + ": listed in MANIFEST but missing")
                .satisfies(e -> assertThat(((DataFormatException) e).file()).contains(card));
    }

    @Test
    void refusalsCutLongListedNamesShort() throws IOException {
        // found by fuzzing: a MANIFEST listing many long names that are all missing made a refusal of 1,504
        // characters; each further name is now cut, and the first file's path too past 300 characters
        StringBuilder manifest = new StringBuilder(Files.readString(pkg.resolve("MANIFEST")));
        String zeros = "0".repeat(64);
        for (int i = 0; i < 8; i++) {
            manifest.append(zeros).append("  ").append(("missing-" + i + "/").repeat(50)).append("x\n");
        }
        manifest.insert(0, zeros + "  " + "a".repeat(200) + "/" + "b".repeat(250) + "\n");
        Files.writeString(pkg.resolve("MANIFEST"), manifest.toString(), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_200)
                        .contains("... (and ", " more characters) listed in MANIFEST but missing", "(and 8 more: ")
                        .endsWith("; ...)"))
                .satisfies(e -> assertThat(((DataFormatException) e).file().orElseThrow().toString())
                        .endsWith("b".repeat(250)));
    }

    @Test
    void refusesAnExtraFileIncludingHiddenOnes() throws IOException {
        Path extra = pkg.resolve("saved_model/variables/variables.data-00001-of-00002");
        Files.write(extra, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(extra + ": not listed in MANIFEST");

        Files.delete(extra);
        Path hidden = pkg.resolve(".model.json.1x2y.tmp");
        Files.writeString(hidden, "{}");
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(hidden + ": not listed in MANIFEST");
    }

    @Test
    void refusesAnEditedManifestHashNamingTheListedFile() throws IOException {
        Path manifest = pkg.resolve("MANIFEST");
        String text = Files.readString(manifest);
        String modelHash = Hashing.sha256(pkg.resolve("model.json"));
        String otherHash = Hashing.sha256(pkg.resolve("metrics.json"));
        Files.writeString(manifest, text.replace(modelHash + "  model.json", otherHash + "  model.json"));

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(pkg.resolve("model.json") + ": modified: sha256 is " + modelHash + ", MANIFEST says "
                        + otherHash);
    }

    @Test
    void refusesAnEditedManifestPathAsMissingPlusUnlisted() throws IOException {
        Path manifest = pkg.resolve("MANIFEST");
        Files.writeString(manifest, Files.readString(manifest).replace("  provenance.json", "  provenance.yaml"));

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(pkg.resolve("provenance.json") + ": not listed in MANIFEST (added after the MANIFEST "
                        + "was written?) (and 1 more: provenance.yaml listed in MANIFEST but missing)");
    }

    @Test
    void refusesMalformedManifestLinesByNumber() throws IOException {
        Path manifest = pkg.resolve("MANIFEST");
        List<String> lines = new ArrayList<>(Files.readAllLines(manifest));

        List<String> garbled = new ArrayList<>(lines);
        garbled.set(2, garbled.get(2).substring(0, 64) + " " + garbled.get(2).substring(66));
        Files.write(manifest, garbled);
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(manifest + ": malformed line 3: expected <64 hex digits><two spaces>")
                .satisfies(e -> assertThat(((DataFormatException) e).file()).contains(manifest));

        List<String> escaping = new ArrayList<>(lines);
        escaping.set(4, escaping.get(4).substring(0, 66) + "../outside.json");
        Files.write(manifest, escaping);
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(manifest + ": malformed line 5: path '../outside.json' is not a normalised relative "
                        + "path");

        List<String> twice = new ArrayList<>(lines);
        twice.add(lines.get(0));
        Files.write(manifest, twice);
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageContaining("malformed line 9: path 'MODEL_CARD.md' listed again (first on line 1)");

        List<String> blank = new ArrayList<>(lines);
        blank.add(1, "");
        Files.write(manifest, blank);
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(manifest + ": malformed line 2: empty line");

        Files.writeString(manifest, String.join("\r\n", lines) + "\r\n");
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageContaining("malformed line 1: carriage return");
    }

    @Test
    void refusesControlCharactersInManifestPathsBeforeResolvingThem() throws IOException {
        Path manifest = pkg.resolve("MANIFEST");
        List<String> lines = new ArrayList<>(Files.readAllLines(manifest));
        String hash = lines.get(0).substring(0, 64);

        for (char c : new char[] {'\0', '\u0001', '\t', '\u001b', '\u007f'}) {
            List<String> hostile = new ArrayList<>(lines);
            hostile.add(2, hash + "  model" + c + ".json");
            Files.write(manifest, hostile);
            String code = String.format(Locale.ROOT, "\\x%02x", (int) c);
            assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                    .hasMessage(manifest + ": malformed line 3: path 'model" + code + ".json' contains the control "
                            + "character " + code + " at position 5");
        }
    }

    @Test
    void refusesOverlongManifestLinesWithoutQuotingThem() throws IOException {
        Path manifest = pkg.resolve("MANIFEST");
        List<String> lines = new ArrayList<>(Files.readAllLines(manifest));
        lines.add(lines.get(0).substring(0, 66) + "x".repeat(200_000));
        Files.write(manifest, lines);

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(manifest + ": malformed line " + lines.size() + ": longer than the limit of "
                        + ReadLimits.defaults().maxLineChars() + " characters")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void neverReadsThroughALinkedFolderOutOfThePackage(@TempDir Path outside) throws IOException {
        Files.writeString(outside.resolve("secret.txt"), "not part of the package");
        Path manifest = pkg.resolve("MANIFEST");
        List<String> lines = new ArrayList<>(Files.readAllLines(manifest));
        lines.add(Hashing.sha256(outside.resolve("secret.txt")) + "  linked/secret.txt");
        lines.sort(Comparator.comparing(l -> l.substring(66)));
        Files.write(manifest, lines);
        Files.createSymbolicLink(pkg.resolve("linked"), outside);

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(pkg.resolve("linked") + ": symbolic link: a model package must hold regular files only");
    }

    @Test
    void readsBinaryMarkersAndUpperCaseHexAsSha256sumDoes() throws IOException {
        Path manifest = pkg.resolve("MANIFEST");
        PackageManifest original = PackageManifest.read(pkg);
        List<String> lines = Files.readAllLines(manifest).stream()
                .map(l -> l.substring(0, 64).toUpperCase(Locale.ROOT) + " *" + l.substring(66)).toList();
        Files.write(manifest, lines);

        assertThat(PackageManifest.verify(pkg).entries()).isEqualTo(original.entries());
    }

    @Test
    void refusesAMissingManifest() throws IOException {
        Files.delete(pkg.resolve("MANIFEST"));

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(pkg.resolve("MANIFEST") + ": missing");
        assertThatThrownBy(() -> PackageManifest.verify(tmp.resolve("nowhere")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    }

    @Test
    void countsFurtherProblemsAfterTheFirst() throws IOException {
        Files.delete(pkg.resolve("MODEL_CARD.md"));
        flipByte(pkg.resolve("model.json"), 0);
        Files.writeString(pkg.resolve("notes.txt"), "added later");

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(pkg.resolve("MODEL_CARD.md") + ": listed in MANIFEST but missing (and 2 "
                        + "more: model.json modified: sha256 is ")
                .hasMessageEndingWith("; notes.txt not listed in MANIFEST (added after the MANIFEST was written?))");
    }

    @Test
    void writeRefusesSymbolicLinksAndHiddenFiles() throws IOException {
        Files.delete(pkg.resolve("MANIFEST"));
        Path link = pkg.resolve("saved_model/weights-link");
        Files.createSymbolicLink(link, pkg.resolve("saved_model/saved_model.pb"));
        assertThatThrownBy(() -> PackageManifest.write(pkg)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(link + ": symbolic link");
        assertThat(pkg.resolve("MANIFEST")).doesNotExist();
        Files.delete(link);

        Path linkedDir = pkg.resolve("assets-link");
        Files.createSymbolicLink(linkedDir, pkg.resolve("saved_model"));
        assertThatThrownBy(() -> PackageManifest.write(pkg)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(linkedDir + ": symbolic link");
        Files.delete(linkedDir);

        Path temp = pkg.resolve(".metrics.json.k2j3.tmp");
        Files.writeString(temp, "{");
        assertThatThrownBy(() -> PackageManifest.write(pkg)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(temp + ": hidden file or directory (a temporary file?)");
        Files.delete(temp);

        Path hiddenDir = pkg.resolve("saved_model/.cache");
        Files.createDirectories(hiddenDir);
        Files.writeString(hiddenDir.resolve("x"), "x");
        assertThatThrownBy(() -> PackageManifest.write(pkg)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(hiddenDir + ": hidden file or directory");
        assertThat(pkg.resolve("MANIFEST")).doesNotExist();
    }

    @Test
    void writeRefusesNamesAManifestLineCannotHold() throws IOException {
        Path odd = pkg.resolve("notes\nmore.txt");
        Files.writeString(odd, "x");
        assertThatThrownBy(() -> PackageManifest.write(pkg)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("backslash, newline or carriage return");
    }

    @Test
    void verifyRefusesAListedFileReplacedByASymbolicLink() throws IOException {
        Path metrics = pkg.resolve("metrics.json");
        Path elsewhere = tmp.resolve("metrics-copy.json");
        Files.copy(metrics, elsewhere);
        Files.delete(metrics);
        Files.createSymbolicLink(metrics, elsewhere);

        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessage(metrics + ": symbolic link: a model package must hold regular files only");
    }

    @Test
    void rewritingTheManifestSealsTheChangedPackage() throws IOException {
        String before = PackageManifest.sha256(pkg);
        Files.writeString(pkg.resolve("MODEL_CARD.md"), "# cardiac-lv\n\nRetrained.\n");
        assertThatThrownBy(() -> PackageManifest.verify(pkg)).isInstanceOf(PackageIntegrityException.class);

        PackageManifest after = PackageManifest.write(pkg);
        assertThat(PackageManifest.verify(pkg).sha256()).isEqualTo(after.sha256()).isNotEqualTo(before);
    }

    @Test
    void manifestOfAnotherCopyIsTheSameBytes() throws IOException {
        Path other = TestPackages.create(tmp.resolve("elsewhere/pkg"), "cardiac-lv", "a");
        assertThat(PackageManifest.sha256(other)).isEqualTo(PackageManifest.sha256(pkg));
        Path different = TestPackages.create(tmp.resolve("b"), "cardiac-lv", "b");
        assertThat(PackageManifest.sha256(different)).isNotEqualTo(PackageManifest.sha256(pkg));
    }

    static void flipByte(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x01;
        Files.write(file, bytes);
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator, -1)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
