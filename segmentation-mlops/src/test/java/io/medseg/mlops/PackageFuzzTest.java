package io.medseg.mlops;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.fuzz.FuzzFiles;
import io.medseg.io.FileTrees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A package's {@code MANIFEST} checked against the package, and zipped packages unpacked. */
class PackageFuzzTest {
    /** The small package every manifest input is checked against: three files, one in a folder. */
    static Path smallPackage(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("variables"));
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"medseg-model\"}\n");
        Files.writeString(dir.resolve("metrics.json"), "{\"dice_mean\": 0.91}\n");
        Files.write(dir.resolve("variables/variables.index"), new byte[] {1, 2, 3, 4});
        return dir;
    }

    /** The MANIFEST the library writes for the small package, and the sha256sum -b variant of it. */
    static Map<String, byte[]> manifestSeedFiles() {
        try {
            Path dir = Files.createTempDirectory("manifest-seed");
            try {
                PackageManifest.write(smallPackage(dir));
                byte[] bytes = Files.readAllBytes(dir.resolve(PackageManifest.FILE_NAME));
                String binary = new String(bytes, StandardCharsets.UTF_8).replace("  ", " *").toUpperCase(Locale.ROOT);
                return Map.of("written", bytes, "binary-upper", binary.getBytes(StandardCharsets.UTF_8));
            } finally {
                FileTrees.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zipped package as the library's export writes it: files, then folders' files, in path order. */
    static Map<String, byte[]> zipSeedFiles() {
        Map<String, byte[]> seeds = new TreeMap<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : new TreeMap<>(Map.of("MANIFEST", "0000  model.json\n",
                    "model.json", "{}", "variables/variables.index", "abcd")).entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        seeds.put("package", bytes.toByteArray());
        return seeds;
    }

    static Stream<Arguments> manifestSeeds() {
        return FuzzFiles.seedsWithCuts(manifestSeedFiles());
    }

    static Stream<Arguments> zipSeeds() {
        return FuzzFiles.seedsWithCuts(zipSeedFiles());
    }

    @MethodSource("manifestSeeds")
    @FuzzTest(maxDuration = "5m")
    void manifest(byte[] data) throws Exception {
        Path pkg = FuzzFiles.path("package/MANIFEST").getParent();
        if (!Files.exists(pkg.resolve("model.json"))) {
            smallPackage(pkg);
        }
        Files.write(pkg.resolve(PackageManifest.FILE_NAME), data);
        FuzzFiles.badInputOnly(() -> PackageManifest.verify(pkg));
    }

    @MethodSource("zipSeeds")
    @FuzzTest(maxDuration = "5m")
    void zip(byte[] data) throws Exception {
        Path zip = FuzzFiles.write("zip/package.zip", data);
        Path out = zip.resolveSibling("unpacked");
        if (Files.exists(out)) {
            FileTrees.deleteTree(out);
        }
        FuzzFiles.badInputOnly(() -> ModelPackage.unzip(zip, out));
    }
}
