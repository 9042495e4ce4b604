package io.medseg.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.medseg.testdata.HostileInputs;
import io.medseg.testdata.HostileInputs.Case;
import io.medseg.viz.PngDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of hostile input is refused with one {@link DataFormatException} that names the file, says what is
 * wrong in a short message without control characters, and comes at once. Runs in its own surefire execution with a
 * 512 MB heap (see the pom), so that "does not exhaust the heap" means the heap a small server worker has.
 */
class HostileInputsTest {
    /** A bound far above the milliseconds these take, far below the tens of seconds the defects took. */
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int MAX_MESSAGE = 600;

    @TempDir
    static Path dir;
    static List<Case> cases;

    /** What each refusal must say. */
    private static final Map<String, String> SAYS = Map.of(
            "dicom-decimal-digit-run", "pixel spacing (0028,0030) at byte offset 224: expected a decimal, found",
            "contour-digit-run", "line 1 is longer than",
            "contour-number-digit-run", "line 2",
            "gzip-record-1gib", "record length 1073741824 is over the limit of",
            "gzip-record-short", "truncated",
            "png-20000", "the PNG header (IHDR) declares 20000 x 20000 pixels",
            "png-30000-tiny", "the PNG header (IHDR) declares 30000 x 30000 pixels",
            "dicom-uid-60000", "unsupported transfer syntax '1.2.",
            "gzip-2-bytes", "truncated gzip stream");

    @BeforeAll
    static void build() throws IOException {
        cases = HostileInputs.all(dir);
    }

    static Stream<String> names() {
        return SAYS.keySet().stream().sorted();
    }

    @Test
    void runsUnderASmallHeap() {
        // the pom gives this class -Xmx512m; under a larger heap the memory checks below would prove little
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(512L << 20);
        assertThat(cases).extracting(Case::name).containsExactlyInAnyOrderElementsOf(SAYS.keySet());
    }

    @Test
    void theWellFormedControlBuiltTheSameWayIsRead(@TempDir Path tmp) throws IOException {
        // the hostile Sunnybrook cases are this dataset with one field made hostile
        SegmentationDataset ds = DataSources.load(HostileInputs.wellFormed(tmp).data());

        assertThat(ds.size()).isOne();
        assertThat(ds.get(0).image().spacing()).contains(new PixelSpacing(0.5, 0.5));
        assertThat(ds.get(0).mask().count(1)).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void isRefusedWithOneShortErrorNamingTheFile(String name) {
        Case c = cases.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
        Throwable t = assertTimeoutPreemptively(BOUND, () -> catchThrowable(() -> DataSources.load(c.data())));

        assertThat(t).as(c.defect()).isInstanceOf(DataFormatException.class);
        DataFormatException e = (DataFormatException) t;
        assertThat(e.file()).contains(c.culprit());
        assertThat(e.getMessage()).startsWith(c.culprit() + ": ").contains(SAYS.get(name))
                .hasSizeLessThan(MAX_MESSAGE).doesNotContainPattern("\\p{Cntrl}");
    }

    @Test
    void anImageTooLargeForTheHeapIsTheInputsFaultNotAnError(@TempDir Path tmp) throws IOException {
        Path png = HostileInputs.tinyPngAnnouncing30000Squared(tmp).culprit();
        // with the limits raised past what this heap holds, the decoder's own allocation fails
        ReadLimits raised = ReadLimits.builtIn().withMaxImageSize(40_000, 40_000).withMaxPixels(2_000_000_000L);

        Throwable t = catchThrowable(() -> PngDecoder.decode(png, raised));

        assertThat(t).isInstanceOf(DataFormatException.class)
                .hasMessage(png + ": a 30000 x 30000 PNG does not fit in this JVM's heap of "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        assertThat(Files.size(png)).isLessThan(100);
    }
}
