package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.io.Json;
import io.medseg.testdata.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetSummaryTest {
    // 2x2 image, labels {0,1,1,2}; 2x3 image, labels all 0; values by hand below
    static SegmentationDataset twoImages() {
        Image a = Image.wrap(2, 2, 1, new float[] {0, 10, 20, 30}, new PixelSpacing(1.25, 1.25));
        Image b = Image.of(2, 3, new float[] {-5, 5, 5, 5, 5, 5});
        return SegmentationDataset.of("t", List.of(
                new Sample("p1/0", "p1", a, Mask.of(2, 2, new byte[] {0, 1, 1, 2})),
                new Sample("p2/0", "p2", b, Mask.of(2, 3, new byte[6]))));
    }

    @Test
    void statisticsMatchHandComputedValues() {
        DatasetSummary s = DatasetSummary.of("sunnybrook", twoImages());
        assertThat(s.images()).isEqualTo(2);
        assertThat(s.patients()).containsExactly("p1", "p2");
        assertThat(s.shapes()).containsExactly(Map.entry("2x2x1", 1), Map.entry("2x3x1", 1));
        assertThat(s.meanForegroundFraction()).isCloseTo((0.75 + 0.0) / 2, offset(1e-12));
        // 10 pixels: class 0 = 1 + 6, class 1 = 2, class 2 = 1
        assertThat(s.classFractions()).containsExactly(0.7, 0.2, 0.1);
        assertThat(s.intensityMin()).isEqualTo(-5);
        assertThat(s.intensityMax()).isEqualTo(30);
        assertThat(s.intensityMean()).isCloseTo((60 + 20) / 10.0, offset(1e-12));
        assertThat(s.spacings()).containsExactly(Map.entry("1.250x1.250 mm", 1));
        assertThat(s.withoutSpacing()).isEqualTo(1);
    }

    @Test
    void textNamesEveryFieldAndJsonParses() {
        DatasetSummary s = DatasetSummary.of("folder", twoImages());
        assertThat(s.toText()).contains("format:         folder").contains("images:         2")
                .contains("patients:       2 [p1, p2]").contains("2x2x1 (1), 2x3x1 (1)")
                .contains("foreground 0.3750").contains(" 2: 0.1000").contains("min -5, max 30, mean 8.0000")
                .contains("pixel spacing:  1.250x1.250 mm (1), unknown (1)");
        Map<String, Object> json = TestJson.object(Json.writeCompact(s.toJson()));
        assertThat(json.get("images")).isEqualTo(2L);
        assertThat(TestJson.array(json.get("patient_ids"))).containsExactly("p1", "p2");
    }

    @Test
    void spacingIsUnknownWhenNoImageHasIt() {
        Image b = Image.of(1, 1, new float[] {3});
        DatasetSummary s = DatasetSummary.of("tfrecord", SegmentationDataset.of("t",
                List.of(new Sample("x", "x", b, Mask.of(1, 1, new byte[] {1})))));
        assertThat(s.toText()).endsWith("pixel spacing:  unknown");
        assertThat(s.classFractions()).containsExactly(0.0, 1.0);
    }
}
