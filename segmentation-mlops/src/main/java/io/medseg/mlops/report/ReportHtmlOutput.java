package io.medseg.mlops.report;

import gg.jte.html.HtmlTemplateOutput;

/**
 * Where the report's jte templates write: static markup as it stands, and every value a template prints with
 * {@code ${...}} through {@link HtmlReport#esc}, in element content and in attribute values alike, so each value
 * is escaped once, by the engine, never by hand.
 *
 * <p>Why not jte's own {@code OwaspHtmlTemplateOutput}: it leaves quotes as they are in element content and
 * writes <code>&amp;#34;</code> in attribute values, while the report has always written <code>&amp;quot;</code> and
 * <code>&amp;#39;</code>
 * everywhere; one entity set keeps the page byte for byte what it was. What the OWASP output does beyond that
 * (JavaScript escaping in {@code <script>} and {@code on...} attributes) has no place in a report that runs no
 * script, so a template that opens such a context is refused rather than escaped as HTML.
 */
final class ReportHtmlOutput implements HtmlTemplateOutput {
    private final StringBuilder out;

    ReportHtmlOutput(int capacity) {
        this.out = new StringBuilder(capacity);
    }

    @Override
    public void setContext(String tagName, String attributeName) {
        if ("script".equals(tagName) || (attributeName != null && attributeName.startsWith("on"))) {
            throw new IllegalStateException("report templates print no values into scripts: <" + tagName
                    + (attributeName == null ? "" : " " + attributeName) + ">");
        }
    }

    @Override
    public void writeContent(String value) {
        out.append(value);
    }

    @Override
    public void writeContent(String value, int beginIndex, int endIndex) {
        out.append(value, beginIndex, endIndex);
    }

    @Override
    public void writeUserContent(String value) {
        if (value != null) {
            out.append(HtmlReport.esc(value));
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
