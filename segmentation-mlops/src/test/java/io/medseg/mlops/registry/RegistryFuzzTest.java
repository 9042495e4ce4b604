package io.medseg.mlops.registry;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.fuzz.FuzzFiles;
import io.medseg.io.FileTrees;
import io.medseg.mlops.TestPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The registry's own files: its marker, a version's entry and a model's stage history. */
class RegistryFuzzTest {
    private static final String NAME = "cardiac-lv";
    private static Map<String, byte[]> files;

    /** A registry built by the library: one package registered and promoted, then its files' bytes. */
    static synchronized Map<String, byte[]> registryFiles() {
        if (files == null) {
            try {
                Path dir = Files.createTempDirectory("registry-seed");
                try {
                    ModelRegistry registry = ModelRegistry.open(dir.resolve("registry"));
                    Path pkg = TestPackages.create(Files.createDirectories(dir.resolve("pkg")), NAME, "a");
                    registry.register(pkg);
                    registry.promote(NAME, 1, Stage.ARCHIVED);
                    Path root = registry.root();
                    files = Map.of(
                            "marker", Files.readAllBytes(root.resolve(ModelRegistry.MARKER_FILE)),
                            "entry", Files.readAllBytes(root.resolve(NAME + "/1/" + ModelRegistry.VERSION_FILE)),
                            "history", Files.readAllBytes(root.resolve(NAME + "/" + ModelRegistry.HISTORY_FILE)));
                } finally {
                    FileTrees.deleteTree(dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private static Stream<Arguments> seedsOf(String file) {
        return FuzzFiles.seedsWithCuts(Map.of("written", registryFiles().get(file)));
    }

    static Stream<Arguments> markerSeeds() {
        return seedsOf("marker");
    }

    static Stream<Arguments> entrySeeds() {
        return seedsOf("entry");
    }

    static Stream<Arguments> historySeeds() {
        return seedsOf("history");
    }

    /** A registry folder holding one version of {@link #NAME} (no package copy: readers need none). */
    private static Path registry(String which) throws IOException {
        Path root = FuzzFiles.path("registry-" + which + "/x").getParent();
        if (!Files.exists(root.resolve(ModelRegistry.MARKER_FILE))) {
            Files.write(root.resolve(ModelRegistry.MARKER_FILE), registryFiles().get("marker"));
            Files.createDirectories(root.resolve(NAME + "/1"));
            Files.write(root.resolve(NAME + "/1/" + ModelRegistry.VERSION_FILE), registryFiles().get("entry"));
            Files.write(root.resolve(NAME + "/" + ModelRegistry.HISTORY_FILE), registryFiles().get("history"));
        }
        return root;
    }

    @MethodSource("markerSeeds")
    @FuzzTest(maxDuration = "5m")
    void marker(byte[] data) throws Exception {
        Path root = registry("marker");
        Files.write(root.resolve(ModelRegistry.MARKER_FILE), data);
        FuzzFiles.badInputOnly(() -> ModelRegistry.open(root));
    }

    @MethodSource("entrySeeds")
    @FuzzTest(maxDuration = "5m")
    void entry(byte[] data) throws Exception {
        Path root = registry("entry");
        Files.write(root.resolve(NAME + "/1/" + ModelRegistry.VERSION_FILE), data);
        FuzzFiles.badInputOnly(() -> ModelRegistry.open(root).list());
    }

    @MethodSource("historySeeds")
    @FuzzTest(maxDuration = "5m")
    void history(byte[] data) throws Exception {
        Path root = registry("history");
        Files.write(root.resolve(NAME + "/" + ModelRegistry.HISTORY_FILE), data);
        FuzzFiles.badInputOnly(() -> ModelRegistry.open(root).history(NAME));
    }
}
