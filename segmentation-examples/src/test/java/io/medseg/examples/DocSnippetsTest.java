package io.medseg.examples;

import static org.assertj.core.api.Assertions.assertThat;

import example.SegmentLv;
import io.medseg.data.Mask;
import io.medseg.metrics.DiceSummary;
import io.medseg.io.FileTrees;
import io.medseg.mlops.registry.ModelVersion;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Java snippets of the README and the docs compile (they are in {@link DocSnippets}, word for word; the README's
 * complete program is {@link SegmentLv}) and run. The build runs this test in a working directory of its own,
 * {@code target/doc-snippets/work}, beside a link {@code ../shared} to the data, so the snippets' relative paths
 * mean what they mean in the repository.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    /** The README's program, as a consumer's {@code src/main/java/example/SegmentLv.java}. */
    private static final String PROGRAM = "segmentation-examples/src/test/java/example/SegmentLv.java";
    private static final Pattern REGION = Pattern.compile(
            "// snippet (\\S+)\\n(.*?)\\n\\s*// end snippet", Pattern.DOTALL);

    private static Path repository() {
        return Path.of(System.getProperty("medseg.repository.dir", "..")).toAbsolutePath().normalize();
    }

    @BeforeAll
    static void aWorkingDirectoryOfItsOwn() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Assumptions.assumeTrue(here.endsWith(Path.of("doc-snippets", "work")), "run by the build, in "
                + "target/doc-snippets/work (here: " + here + ")");
        // what an earlier run left: runs, packages and the registry refuse to be written twice
        try (Stream<Path> left = Files.list(here)) {
            for (Path p : left.toList()) {
                FileTrees.deleteTree(p);
            }
        }
        Path data = SunnybrookTestData.dir();
        Path shared = data.getParent().getParent(); // .../shared/data/sunnybrook -> .../shared
        Path link = Path.of("..", "shared").toAbsolutePath().normalize();
        if (!Files.exists(link)) {
            Files.createSymbolicLink(link, shared);
        }
        assertThat(Path.of("../shared/data/sunnybrook/link.csv")).as("the data as the snippets see it").exists();
    }

    /** The text of a block or region with its common indentation removed. */
    private static String dedent(String text) {
        String[] lines = text.stripTrailing().split("\n", -1);
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return sb.toString();
    }

    @Test
    @Order(1)
    void everyJavaBlockOfTheDocsIsInDocSnippetsWordForWord() throws IOException {
        Map<String, List<String>> regions = new LinkedHashMap<>();
        String source = Files.readString(repository().resolve(
                "segmentation-examples/src/test/java/io/medseg/examples/DocSnippets.java"), StandardCharsets.UTF_8);
        Matcher r = REGION.matcher(source);
        while (r.find()) {
            regions.computeIfAbsent(r.group(1), k -> new ArrayList<>()).add(dedent(r.group(2)));
        }
        assertThat(regions).containsOnlyKeys("docs/getting-started.md", "docs/data-formats.md", "docs/mlops.md",
                "docs/portability.md", "docs/audit.md");
        // the README's one Java block is a whole program, compiled as a class of its own
        regions.put("README.md", List.of(dedent(Files.readString(repository().resolve(PROGRAM),
                StandardCharsets.UTF_8))));
        for (String doc : List.of("README.md", "docs/getting-started.md", "docs/data-formats.md", "docs/mlops.md",
                "docs/cardiac-recipe.md", "docs/architecture.md", "docs/portability.md", "docs/audit.md")) {
            List<String> blocks = new ArrayList<>();
            Matcher m = JAVA_BLOCK.matcher(Files.readString(repository().resolve(doc), StandardCharsets.UTF_8));
            while (m.find()) {
                blocks.add(dedent(m.group(1)));
            }
            assertThat(blocks).as("the java blocks of %s, in order", doc)
                    .containsExactlyElementsOf(regions.getOrDefault(doc, List.of()));
        }
    }

    @Test
    @Order(2)
    void theReadmeProgramTrainsAndSavesAModel() throws IOException {
        SegmentLv.main(new String[] {"../shared/data/sunnybrook", "models/lv"});
        assertThat(Path.of("models/lv/model.json")).isRegularFile();
    }

    @Test
    @Order(3)
    void theGettingStartedWalkThroughRuns() throws IOException {
        DiceSummary dice = DocSnippets.gettingStarted();
        // 20 epochs on two patients: well past chance on the third
        assertThat(dice.mean()).isGreaterThan(0.3);
        assertThat(Path.of("out/frame_overlay.png")).isRegularFile();
        assertThat(DocSnippets.dataFormats().patients()).hasSize(6);
    }

    @Test
    @Order(4)
    void theMlopsSnippetTrainsReproducesPackagesValidatesAndRegisters() throws IOException {
        ModelVersion v = DocSnippets.mlops();
        assertThat(v.version()).isEqualTo(1);
        assertThat(Path.of("runs/lv-again/reproduction.json")).isRegularFile();
        assertThat(Files.readString(Path.of("runs/lv-again/reproduction.json"))).contains("\"identical\": true");
        assertThat(Path.of("packages/lv/validations")).isDirectory();
    }

    @Test
    @Order(5)
    void thePortabilitySnippetRunsThePackageOnOnnxRuntime() throws IOException {
        List<Mask> masks = DocSnippets.portability();
        assertThat(masks).hasSize(20);
        assertThat(Files.readString(Path.of("packages/lv-onnx/MANIFEST"))).contains("  model.onnx\n");
    }

    @Test
    @Order(6)
    void theOrtApiSnippetGivesTheBackendsProbabilities() throws Exception {
        io.medseg.data.Image frame = io.medseg.data.sunnybrook.SunnybrookDataset.load(SunnybrookTestData.dir())
                .forPatients(List.of("SCD0000301")).samples().get(0).image();
        float[][][][] p = DocSnippets.portabilityOrtApi(frame);
        try (io.medseg.backend.SegmentationModel m = io.medseg.backend.Backends.load("tensorflow")
                .load(Path.of("packages/lv-onnx"))) {
            float[] expected = m.forward(new io.medseg.model.InputFitter(m.spec()).input(frame), 1);
            int k = m.spec().numClasses();
            int w = m.spec().inputWidth();
            for (int y = 0; y < p[0].length; y++) {
                for (int x = 0; x < p[0][y].length; x++) {
                    for (int c = 0; c < k; c++) {
                        assertThat((double) p[0][y][x][c]).isCloseTo(expected[(y * w + x) * k + c],
                                org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
            }
        }
    }

    @Test
    @Order(7)
    void theAuditSnippetSignsRegistersAndApprovesWithASecondKey() throws IOException {
        ModelVersion approved = DocSnippets.audit();
        assertThat(approved.signedByKey()).isPresent();
        assertThat(Path.of("packages/lv-onnx/model.sig")).isRegularFile();
        try (Stream<Path> approvals = Files.list(Path.of("signed-registry/cardiac-lv/1/approvals"))) {
            assertThat(approvals).hasSize(1);
        }
    }
}
