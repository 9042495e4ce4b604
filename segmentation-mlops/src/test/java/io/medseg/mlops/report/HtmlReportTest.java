package io.medseg.mlops.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.viz.Overlays;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>");
    private static final Set<String> VOID = Set.of("meta", "img", "br", "link", "input", "hr");

    @TempDir
    Path dir;

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** Patient A: Dice 0.9, 0.8, 0.7; patient B: 0.6. HD: 5, 10, undefined, 20. */
    private static ReportData sample() {
        return ReportData.builder()
                .title("Eval <script>alert('x')</script> & co")
                .fact("model", "unet \"small\" <v2>")
                .fact("source", "see https://example.org/data for the data")
                .metric("Dice", "", true)
                .metric("HD", "mm", false)
                .row("A/1", "A", 0.9, 5)
                .row("A/2", "A", 0.8, 10)
                .row("<b>A&3</b>", "A", 0.7, Double.NaN)
                .row("B/1", "B|x", 0.6, 20)
                .caseImage(CaseImage.of(CaseImage.Kind.WORST, "Worst 1", "B/1", "Dice 0.600", solid(32, 24, 0xff0000)))
                .caseImage(CaseImage.of(CaseImage.Kind.BEST, "Best 1", "A/1", "", solid(256, 256, 0x00ff00)))
                .caseImage(CaseImage.of(CaseImage.Kind.OTHER, "Wide", "A/2", "", solid(400, 100, 0x0000ff)))
                .epoch(1, 0.5, 0.6)
                .epoch(2, 0.3)
                .epoch(3, 0.2, 0.85)
                .build();
    }

    @Test
    void writesBothFilesAtomicallyWithNoTemporaryLeftOver() throws Exception {
        HtmlReport.write(sample(), dir.resolve("out"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("out/report.html")))).isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("report.html", "summary.md");
        }
        assertThat(Files.readString(dir.resolve("out/report.html"))).isEqualTo(HtmlReport.html(sample()));
        assertThat(Files.readString(dir.resolve("out/summary.md"))).isEqualTo(HtmlReport.markdown(sample()));
    }

    @Test
    void emittedTagsAreBalanced() {
        String html = HtmlReport.html(sample());
        assertThat(html).startsWith("<!DOCTYPE html>");
        Deque<String> open = new ArrayDeque<>();
        Matcher m = TAG.matcher(html);
        int tags = 0;
        while (m.find()) {
            tags++;
            String name = m.group(2).toLowerCase(Locale.ROOT);
            boolean closing = !m.group(1).isEmpty();
            boolean selfClosing = m.group(3).endsWith("/");
            if (VOID.contains(name) || selfClosing) {
                continue;
            }
            if (closing) {
                assertThat(open).as("closing </%s> at %d", name, m.start()).isNotEmpty();
                assertThat(open.pop()).as("closing </%s> at %d", name, m.start()).isEqualTo(name);
            } else {
                open.push(name);
            }
        }
        assertThat(open).isEmpty();
        assertThat(tags).isGreaterThan(100);
    }

    @Test
    void referencesNothingOutsideTheFile() {
        String html = HtmlReport.html(sample());
        Matcher m = TAG.matcher(html);
        while (m.find()) {
            assertThat(m.group()).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:");
        }
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
                .doesNotContain("url(").doesNotContain("@import").doesNotContain("@font-face");
        // the URL in a fact is text, and stays
        assertThat(html).contains("see https://example.org/data for the data");
        Matcher src = Pattern.compile("src=\"([^\"]*)\"").matcher(html);
        while (src.find()) {
            assertThat(src.group(1)).startsWith("data:image/png;base64,");
        }
    }

    @Test
    void embedsEachCaseAsPngDataUriEnlargedByWholeFactor() throws Exception {
        String html = HtmlReport.html(sample());
        Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\""
                + " height=\"(\\d+)\"").matcher(html);
        List<int[]> sizes = new ArrayList<>();
        while (m.find()) {
            byte[] png = Base64.getDecoder().decode(m.group(1));
            assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(img.getWidth()).isEqualTo(Integer.parseInt(m.group(2)));
            assertThat(img.getHeight()).isEqualTo(Integer.parseInt(m.group(3)));
            sizes.add(new int[] {img.getWidth(), img.getHeight(), img.getRGB(img.getWidth() - 1, 0) & 0xFFFFFF});
        }
        // 32 wide: 384 / 32 = 12 exactly; 256 wide: ceil(384 / 256) = 2; 400 wide: kept
        assertThat(sizes).containsExactly(new int[] {384, 288, 0xff0000}, new int[] {512, 512, 0x00ff00},
                new int[] {400, 100, 0x0000ff});
    }

    private static byte[] square(int size, int top, int left, int h, int w) {
        byte[] labels = new byte[size * size];
        for (int y = top; y < top + h; y++) {
            for (int x = left; x < left + w; x++) {
                labels[y * size + x] = 1;
            }
        }
        return labels;
    }

    private static List<int[]> embeddedSizes(String html) throws Exception {
        Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\""
                + " height=\"(\\d+)\"").matcher(html);
        List<int[]> sizes = new ArrayList<>();
        while (m.find()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            sizes.add(new int[] {img.getWidth(), img.getHeight()});
        }
        return sizes;
    }

    @Test
    void overlayCaseGetsACloseUpAroundBothContours() throws Exception {
        float[] px = new float[64 * 64];
        for (int i = 0; i < px.length; i++) {
            px[i] = i % 64;
        }
        Image image = Image.of(64, 64, px);
        Mask reference = Mask.of(64, 64, square(64, 28, 28, 8, 8));
        Mask predicted = Mask.of(64, 64, square(64, 28, 30, 8, 8));
        CaseImage c = CaseImage.overlay(CaseImage.Kind.WORST, "w", "id", "", image, predicted, reference);
        // foreground rows 28..35, columns 28..37: extent 10, padded by 8 on each side = 26, centred on (31, 32)
        assertThat(CaseImage.zoomBox(predicted, reference)).containsExactly(18, 19, 26);
        BufferedImage zoom = ImageIO.read(new ByteArrayInputStream(c.zoomPng()));
        assertThat(zoom.getWidth()).isEqualTo(26);
        // column 28 of the image is column 9 of the close-up: the reference's left edge only
        assertThat(zoom.getRGB(9, 13) & 0xFFFFFF).isEqualTo(Overlays.REFERENCE);
        assertThat(zoom.getRGB(37 - 19, 13) & 0xFFFFFF).isEqualTo(Overlays.PREDICTED);
        // full 64 px: x6 = 384; close-up 26 px: max(ceil(384 / 26) = 15, 384 / 26 = 14) = 15
        String html = HtmlReport.html(ReportData.builder().metric("Dice", "", true).row("id", "p", 0.5)
                .caseImage(c).build());
        assertThat(embeddedSizes(html)).containsExactly(new int[] {384, 384}, new int[] {390, 390});
        assertThat(html).contains("each pixel shown 15×15");
        Mask big = Mask.of(64, 64, square(64, 10, 10, 40, 40));
        assertThat(CaseImage.zoomBox(big, null)).isNull();
        assertThat(CaseImage.zoomBox(Mask.empty(64, 64), Mask.empty(64, 64))).isNull();
    }

    @Test
    void histogramHasOneBarPerBinWithHeightsProportionalToCounts() {
        double[] dice = {0.02, 0.51, 0.53, 0.86, 0.87, 0.88, 0.91, 0.93, 0.99, 1.0};
        ReportData.Builder b = ReportData.builder().metric("Dice", "", true);
        for (int i = 0; i < dice.length; i++) {
            b.row("img" + i, "p", dice[i]);
        }
        String html = HtmlReport.html(b.build());
        // 20 bins of 0.05 over [0, 1]; 1.0 falls in the last bin
        int[] expected = new int[20];
        expected[0] = 1; // 0.02
        expected[10] = 2; // 0.51, 0.53
        expected[17] = 3; // 0.86, 0.87, 0.88
        expected[18] = 2; // 0.91, 0.93
        expected[19] = 2; // 0.99, 1.0
        Matcher m = Pattern.compile("<rect class=\"bar\" data-count=\"(\\d+)\" x=\"[\\d.]+\" y=\"[\\d.]+\""
                + " width=\"[\\d.]+\" height=\"([\\d.]+)\"").matcher(html);
        List<Integer> counts = new ArrayList<>();
        List<Double> heights = new ArrayList<>();
        while (m.find()) {
            counts.add(Integer.parseInt(m.group(1)));
            heights.add(Double.parseDouble(m.group(2)));
        }
        assertThat(counts).containsExactly(java.util.Arrays.stream(expected).boxed().toArray(Integer[]::new));
        double perImage = heights.get(17) / 3;
        assertThat(perImage).isGreaterThan(10);
        for (int i = 0; i < 20; i++) {
            assertThat(heights.get(i)).as("bin %d", i).isCloseTo(expected[i] * perImage, org.assertj.core.api
                    .Assertions.within(0.15));
        }
        assertThat(html).contains(">images</text>").contains(">Dice</text>").contains(">0.5</text>");
    }

    @Test
    void summaryTablesHoldTheMeansComputedByHand() {
        String md = HtmlReport.markdown(sample());
        // Dice overall: mean (0.9+0.8+0.7+0.6)/4 = 0.75; sd sqrt((0.0225+0.0025+0.0025+0.0225)/3) = 0.1291
        // HD overall (NaN skipped): mean (5+10+20)/3 = 11.667; sd sqrt((44.44+2.78+69.44)/2) = 7.638
        assertThat(md).contains("| Dice ↑ | 4 | 0.750 ± 0.129 | 0.600 | 0.900 |")
                .contains("| HD (mm) ↓ | 3 | 11.667 ± 7.638 | 5.000 | 20.000 |");
        // per patient: A Dice 0.8 ± 0.1, HD (5+10)/2 = 7.5 ± 3.536; B a single image, sd 0
        assertThat(md).contains("| A | 3 | 0.800 ± 0.100 | 7.500 ± 3.536 |")
                .contains("| B\\|x | 1 | 0.600 ± 0.000 | 20.000 ± 0.000 |");
        assertThat(md).contains("""
                ## Worst cases by Dice

                1. B/1 (patient B\\|x): Dice 0.600
                2. \\<b\\>A&amp;3\\</b\\> (patient A): Dice 0.700
                """);
        assertThat(md).contains("## Best cases by Dice\n\n1. A/1 (patient A): Dice 0.900\n");
        String html = HtmlReport.html(sample());
        assertThat(html).contains("0.750 ± 0.129").contains("11.667 ± 7.638").contains("0.800 ± 0.100");
    }

    @Test
    void escapesSpecialCharacters() {
        String html = HtmlReport.html(sample());
        assertThat(html).doesNotContain("<script>").doesNotContain("<b>A&3</b>").doesNotContain("<v2>");
        assertThat(html).contains("Eval &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co")
                .contains("&lt;b&gt;A&amp;3&lt;/b&gt;").contains("unet &quot;small&quot; &lt;v2&gt;");
        assertThat(HtmlReport.markdown(sample())).startsWith("# Eval \\<script\\>alert('x')\\</script\\> &amp; co");
    }

    @Test
    void legendNamesTheContourColoursOfTheOverlays() {
        String html = HtmlReport.html(sample());
        assertThat(html).contains("background:#ff3030\"></span>predicted (red)")
                .contains("background:#30ff30\"></span>reference (green)")
                .contains("background:#ffff30\"></span>both agree (yellow)");
    }

    @Test
    void trainingCurvesPlotLossAtEveryEpochAndDiceWhereMeasured() {
        String html = HtmlReport.html(sample());
        Matcher m = Pattern.compile("<polyline class=\"series\"[^>]*points=\"([^\"]*)\"").matcher(html);
        List<Integer> points = new ArrayList<>();
        while (m.find()) {
            points.add(m.group(1).split(" ").length);
        }
        assertThat(points).containsExactly(3, 2);
        assertThat(html).contains("Training loss").contains("Validation Dice").contains(">epoch</text>");
        String noCurve = HtmlReport.html(ReportData.builder().metric("Dice", "", true).row("a", "p", 1).build());
        assertThat(noCurve).doesNotContain("<polyline").doesNotContain("<h2>Training");
    }

    @Test
    void rankingRespectsTheMetricDirection() {
        ReportData d = ReportData.builder().metric("HD", "mm", false)
                .row("a", "p", 3).row("b", "p", Double.NaN).row("c", "p", 9).row("d", "p", 1).build();
        assertThat(d.worst(2).stream().map(ReportData.Row::id)).containsExactly("b", "c");
        assertThat(d.best(2).stream().map(ReportData.Row::id)).containsExactly("d", "a");
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> ReportData.builder().row("a", "p", 1, 2).epoch(1, Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one metric")
                .hasMessageContaining("row a has 2 values for 0 metrics")
                .hasMessageContaining("loss at epoch 1 is not finite");
    }

    @Test
    void warningsComeFirstInThePageAndInTheSummaryAndOnlyWhenThereAreAny() {
        ReportData.Builder b = ReportData.builder().title("T").fact("model", "m").metric("Dice", "", true)
                .row("A/1", "A", 0.9);
        String plain = HtmlReport.html(b.build());
        assertThat(plain).doesNotContain("class=\"warning\"");
        assertThat(HtmlReport.markdown(b.build())).doesNotContain("Warning");

        ReportData warned = b.warning("2 of 2 images (patient A) were training data of the model: <not held out>")
                .build();
        String html = HtmlReport.html(warned);
        int warning = html.indexOf("<p class=\"warning\"");
        assertThat(warning).isBetween(html.indexOf("<h1>"), html.indexOf("<table class=\"facts\">"));
        assertThat(html).contains(">2 of 2 images (patient A) were training data of the model: &lt;not held "
                + "out&gt;</p>");
        assertThat(HtmlReport.markdown(warned)).startsWith("# T\n\n> **Warning:** 2 of 2 images (patient A) were "
                + "training data of the model: \\<not held out\\>\n\n- **model**: m\n");
    }
}
