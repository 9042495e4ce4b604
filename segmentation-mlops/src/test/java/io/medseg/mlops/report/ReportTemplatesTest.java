package io.medseg.mlops.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page stays byte for byte what the StringBuilder renderer wrote, and user text is escaped exactly once. */
class ReportTemplatesTest {

    /** Facts, special characters, a histogram, both training curves, three columns with 3 and 1 decimals. */
    private static ReportData noCases() {
        return ReportData.builder()
                .title("Eval <script>alert('x')</script> & co — Ünïcødé")
                .fact("model", "unet \"small\" <v2>")
                .fact("source", "see https://example.org/data for the data")
                .metric("Dice", "", true)
                .metric("HD", "mm", false)
                .metric("volume", "mL", false)
                .row("A/1", "A", 0.9, 5, 120)
                .row("A/2", "A", 0.8, 10, 95.5)
                .row("<b>A&3</b>", "A", 0.7, Double.NaN, 101)
                .row("B/1", "B|x", 0.6, 20, Double.NaN)
                .row("C/1", "C", 0.05, 31.5, 88)
                .epoch(1, 0.5, 0.6)
                .epoch(2, 0.3)
                .epoch(3, 0.2, 0.85)
                .epoch(5, 0.15, 0.88)
                .build();
    }

    @Test
    void pageIsByteForByteWhatTheHandWrittenRendererProduced() throws IOException {
        // no-cases.html was written from this same data by the StringBuilder HtmlReport.html of commit 15371b0;
        // case pictures are left out because their PNG bytes depend on the JDK's encoder
        String expected;
        try (InputStream in = ReportTemplatesTest.class.getResourceAsStream("no-cases.html")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(HtmlReport.html(noCases())).isEqualTo(expected);
    }

    private static int count(String text, String part) {
        return (int) Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
    }

    @Test
    void userTextIsEscapedExactlyOnceInElementsAndAttributes() {
        String raw = "<script>alert(\"x\" & 'y')</script> Ünïcødé 心臓 ±µ";
        String once = "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt; Ünïcødé 心臓 ±µ";
        ReportData data = ReportData.builder().title("T " + raw).fact("K " + raw, "V " + raw)
                .metric("M " + raw, "U " + raw, true).row("I " + raw, "P " + raw, 0.5)
                .caseImage(CaseImage.of(CaseImage.Kind.WORST, "C " + raw, "D " + raw, "E " + raw,
                        new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)))
                .epoch(1, 0.5, 0.6).build();
        String html = HtmlReport.html(data);

        assertThat(html).doesNotContain("<script").doesNotContain("'y'").doesNotContain("\"x\"")
                .doesNotContain("&amp;lt;").doesNotContain("&amp;amp;").doesNotContain("&amp;quot;")
                .doesNotContain("&amp;#39;");
        String label = "M " + once + " (U " + once + ")";
        assertThat(count(html, "<title>T " + once + "</title>")).isEqualTo(1);
        assertThat(count(html, "<h1>T " + once + "</h1>")).isEqualTo(1);
        assertThat(html).contains("<tr><th>K " + once + "</th><td>V " + once + "</td></tr>")
                .contains("<tr><td>" + label + " ↑</td>")
                .contains("<h2>Distribution of M " + once + "</h2>")
                .contains("<title>Histogram of " + label + "</title>")
                .contains("text-anchor=\"middle\">" + label + "</text>")
                .contains("<th class=\"num\">" + label + " ↑</th>")
                .contains("<th class=\"num\">" + label + "</th>")
                .contains("<tr><td>P " + once + "</td>")
                .contains("<tr><td>I " + once + "</td><td>P " + once + "</td>")
                .contains("alt=\"C " + once + " D " + once + "\"")
                .contains("<figcaption><b>C " + once + "</b> D " + once + " · E " + once + "</figcaption>");
        // title 2, fact 2, metric name 6 and unit 5, image 1, patient 2, case title 2, id 2, caption 1
        assertThat(count(html, once)).isEqualTo(23);
        assertThat(count(html, "Ünïcødé 心臓 ±µ")).isEqualTo(23);
        Matcher alt = Pattern.compile("alt=\"([^\"]*)\"").matcher(html);
        assertThat(alt.find()).isTrue();
        assertThat(alt.group(1)).isEqualTo("C " + once + " D " + once);
    }

    @Test
    void aTemplatePrintingIntoAScriptIsRefused() {
        ReportHtmlOutput out = new ReportHtmlOutput(16);
        assertThatThrownBy(() -> out.setContext("script", null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("<script>");
        assertThatThrownBy(() -> out.setContext("img", "onerror")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("<img onerror>");
        out.setContext("img", "alt");
        out.writeUserContent("a\"b");
        assertThat(out.toString()).isEqualTo("a&quot;b");
    }
}
