package io.medseg.mlops.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.metrics.Dice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An end-to-end report on synthetic data: phantom masks as reference, shifted and grown copies as prediction.
 * The report is left in {@code target/report-demo} for looking at in a browser.
 */
class PhantomReportTest {

    /** {@code m} moved by (dy, dx) and grown ({@code grow > 0}) or shrunk by {@code |grow|} pixels (4-neighbour). */
    static Mask perturb(Mask m, int dy, int dx, int grow) {
        int h = m.height();
        int w = m.width();
        byte[] out = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sy = y - dy;
                int sx = x - dx;
                out[y * w + x] = (byte) (sy >= 0 && sy < h && sx >= 0 && sx < w ? m.get(sy, sx) : 0);
            }
        }
        for (int step = 0; step < Math.abs(grow); step++) {
            byte[] next = out.clone();
            byte want = (byte) (grow > 0 ? 1 : 0);
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    int i = y * w + x;
                    if (out[i] != want && (out[i - 1] == want || out[i + 1] == want || out[i - w] == want
                            || out[i + w] == want)) {
                        next[i] = want;
                    }
                }
            }
            out = next;
        }
        return Mask.of(h, w, out);
    }

    @Test
    void reportsAPerturbedPhantomWithItsWorstAndBestCases() throws Exception {
        CardiacPhantom phantom = CardiacPhantom.builder().imageSize(256).patients(3).framesPerPatient(4).seed(7)
                .build();
        SegmentationDataset ds = phantom.generate();
        double pixelMm2 = phantom.pixelSpacing().pixelAreaMm2();
        double pixelMm = Math.sqrt(pixelMm2);
        Random rnd = new Random(11);
        ReportData.Builder b = ReportData.builder().title("Phantom evaluation: U-Net (synthetic)")
                .fact("model", "demo — reference contours shifted and grown")
                .fact("data", ds.size() + " phantom frames, " + ds.patients().size() + " patients, 256×256")
                .fact("date", "2026-11-28")
                .metric("Dice", "", true).metric("IoU", "", true).metric("|area diff|", "mm²", false)
                .metric("shift", "mm", false);
        Map<String, Mask> predictions = new HashMap<>();
        List<ReportData.Row> rows = new ArrayList<>();
        for (Sample s : ds.samples()) {
            int dy = rnd.nextInt(9) - 4;
            int dx = rnd.nextInt(9) - 4;
            int grow = rnd.nextInt(7) - 3;
            Mask pred = perturb(s.mask(), dy, dx, grow);
            predictions.put(s.id(), pred);
            double dice = Dice.of(s.mask(), pred, 1);
            double areaDiff = Math.abs(pred.count(1) - s.mask().count(1)) * pixelMm2;
            ReportData.Row row = ReportData.Row.of(s.id(), s.patientId(), dice, dice / (2 - dice), areaDiff,
                    Math.hypot(dy, dx) * pixelMm);
            rows.add(row);
            b.row(row);
        }
        List<ReportData.Row> ranked = ReportData.rankWorstFirst(rows, new ReportData.Metric("Dice", "", true), 0);
        Map<String, Sample> byId = new HashMap<>();
        ds.samples().forEach(s -> byId.put(s.id(), s));
        for (int i = 0; i < 2; i++) {
            addCase(b, CaseImage.Kind.WORST, "Worst " + (i + 1), ranked.get(i), byId, predictions);
        }
        for (int i = 0; i < 2; i++) {
            addCase(b, CaseImage.Kind.BEST, "Best " + (i + 1), ranked.get(ranked.size() - 1 - i), byId,
                    predictions);
        }
        for (int e = 1; e <= 30; e++) {
            b.epoch(e, 0.6 * Math.exp(-e / 8.0) + 0.05, e % 2 == 0 ? 0.9 - 0.5 * Math.exp(-e / 5.0) : Double.NaN);
        }
        ReportData data = b.build();

        Path out = Path.of("target", "report-demo");
        HtmlReport.write(data, out);
        String html = Files.readString(out.resolve(HtmlReport.HTML_FILE));
        assertThat(html.split("<img src=\"data:image/png;base64,", -1)).hasSize(9);
        assertThat(html).contains("width=\"512\" height=\"512\"");
        double meanDice = rows.stream().mapToDouble(r -> r.value(0)).average().orElseThrow();
        assertThat(Files.readString(out.resolve(HtmlReport.MARKDOWN_FILE)))
                .contains("| Dice ↑ | 12 | " + HtmlReport.fmt(meanDice) + " ± ");
    }

    private static void addCase(ReportData.Builder b, CaseImage.Kind kind, String title, ReportData.Row row,
            Map<String, Sample> byId, Map<String, Mask> predictions) {
        Sample s = byId.get(row.id());
        b.caseImage(CaseImage.overlay(kind, title, row.id(), String.format(java.util.Locale.ROOT,
                "Dice %.3f, IoU %.3f", row.value(0), row.value(1)), s.image(), predictions.get(row.id()), s.mask()));
    }
}
