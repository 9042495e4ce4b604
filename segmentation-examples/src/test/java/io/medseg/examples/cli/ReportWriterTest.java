package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.inference.UncertaintyMap;
import io.medseg.mlops.EvaluationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    @TempDir
    Path tmp;

    /** A 16x16 mask with a filled square of side {@code side} at the top left. */
    private static Mask square(int side) {
        byte[] labels = new byte[16 * 16];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                labels[y * 16 + x] = 1;
            }
        }
        return Mask.of(16, 16, labels);
    }

    @Test
    void theAreaDifferenceColumnIsTheSizeOfTheErrorSoThatLowerIsBetter() throws IOException {
        Image image = Image.of(16, 16, new float[16 * 16]);
        // under-segmented by 39 of 64 pixels (-60.9375 %), over-segmented by 36 of 64 (+56.25 %)
        List<Sample> samples = List.of(new Sample("p/1", "p", image, square(8)), new Sample("p/2", "p", image,
                square(8)));
        List<Mask> predicted = List.of(square(5), square(10));
        EvaluationReport report = EvaluationReport.compute(samples, predicted, 2);
        assertThat(report.metrics().get(0).areaDiffPct()).isEqualTo(-60.9375);
        assertThat(report.metrics().get(1).areaDiffPct()).isEqualTo(56.25);

        Path out = tmp.resolve("report");
        ReportWriter.write(report, samples, predicted, tmp.resolve("model"), tmp.resolve("data"), "none", Optional.empty(), out);

        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("absolute area difference (%)").contains("60.938").contains("56.250")
                .doesNotContain("-60.938");
        assertThat(Files.readString(out.resolve("summary.md"))).contains("absolute area difference (%)");
    }

    @Test
    void withUncertaintyTheImagesAreListedMostUncertainFirstWithTheirHeatMaps() throws IOException {
        Image image = Image.of(16, 16, new float[16 * 16]);
        List<Sample> samples = List.of(new Sample("p/calm", "p", image, square(8)),
                new Sample("p/doubtful", "p", image, square(8)), new Sample("p/middling", "p", image, square(8)));
        List<Mask> predicted = List.of(square(8), square(6), square(7));
        List<UncertaintyMap> maps = List.of(map(0.01f, predicted.get(0)), map(0.9f, predicted.get(1)),
                map(0.3f, predicted.get(2)));
        EvaluationReport report = EvaluationReport.compute(samples, predicted, 2);
        Path out = tmp.resolve("uncertain");
        ReportWriter.write(report, samples, predicted, maps, tmp.resolve("model"), tmp.resolve("data"), "none",
                Optional.empty(), out);

        String html = Files.readString(out.resolve("report.html"));
        String table = html.substring(html.indexOf("<h2>Per image</h2>"));
        int doubtful = table.indexOf("p/doubtful");
        int middling = table.indexOf("p/middling");
        int calm = table.indexOf("p/calm");
        assertThat(doubtful).isPositive().isLessThan(middling);
        assertThat(middling).isLessThan(calm);
        assertThat(html).contains("Most uncertain cases").contains("most uncertain 1").contains("uncertainty");
    }

    private static UncertaintyMap map(float entropy, Mask mask) {
        float[] e = new float[16 * 16];
        java.util.Arrays.fill(e, entropy);
        return UncertaintyMap.of(16, 16, e, new float[16 * 16], 1, mask);
    }
}
