package io.medseg.io;

import java.io.IOException;
import java.io.Reader;

/**
 * Text from untrusted files, handled in time and memory proportional to its length: a number grammar checked in one
 * pass (no backtracking pattern), lines read with a length limit, and short escaped excerpts for messages, so that
 * neither a run of a million digits nor a megabyte of binary can stall a reader or flood a log.
 */
public final class TextFields {
    /** Characters of raw input a message quotes at most. */
    public static final int EXCERPT = 40;

    private TextFields() {
    }

    /**
     * Whether {@code s} is a decimal number: {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?},
     * the grammar of DICOM's Decimal String and of the contour files (no hex, no {@code NaN}, no {@code 1d}).
     * One pass over the characters.
     */
    public static boolean isDecimal(CharSequence s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int intDigits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits == 0 && fracDigits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    /** Whether {@code s} is {@code [+-]?} followed by 1 to {@code maxDigits} digits. */
    public static boolean isInteger(CharSequence s, int maxDigits) {
        int n = s.length();
        int i = n > 0 && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        int digits = n - i;
        if (digits < 1 || digits > maxDigits) {
            return false;
        }
        for (; i < n; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * At most {@value #EXCERPT} characters of {@code raw}, quoted, with control and non-ASCII characters escaped
     * (<code>&#92;x00</code>, <code>&#92;u2028</code>) and the number of characters left out: what a message may show of input it
     * refuses.
     */
    public static String excerpt(CharSequence raw) {
        return excerpt(raw, EXCERPT);
    }

    /** As {@link #excerpt(CharSequence)}, showing at most {@code max} characters. */
    public static String excerpt(CharSequence raw, int max) {
        if (raw == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        int shown = Math.min(raw.length(), max);
        for (int i = 0; i < shown; i++) {
            char c = raw.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                sb.append(c == '\'' || c == '\\' ? "\\" + c : String.valueOf(c));
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        sb.append('\'');
        if (raw.length() > shown) {
            sb.append(" (and ").append(raw.length() - shown).append(" more characters)");
        }
        return sb.toString();
    }

    /**
     * {@code text} stripped, with every run of white space that holds a line break replaced by one space: a message
     * fit for one line of a log. One pass (a pattern such as {@code \s*\R\s*} takes quadratic time on long runs of
     * spaces).
     */
    public static String oneLine(CharSequence text) {
        String s = text.toString().strip();
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                sb.append(c);
                i++;
                continue;
            }
            int end = i;
            boolean lineBreak = false;
            while (end < s.length() && Character.isWhitespace(s.charAt(end))) {
                char w = s.charAt(end);
                lineBreak |= w == '\n' || w == '\r' || w == '\u000B' || w == '\f' || w == '\u0085'
                        || w == '\u2028' || w == '\u2029';
                end++;
            }
            if (lineBreak) {
                sb.append(' ');
            } else {
                sb.append(s, i, end);
            }
            i = end;
        }
        return sb.toString();
    }

    /** {@code text} without the characters of {@code chars} and white space at its end. */
    public static String stripTrailing(String text, String chars) {
        int end = text.length();
        while (end > 0 && (Character.isWhitespace(text.charAt(end - 1)) || chars.indexOf(text.charAt(end - 1)) >= 0)) {
            end--;
        }
        return text.substring(0, end);
    }

    /**
     * {@code text} made fit for one line of a message without quoting: control characters and line separators
     * escaped (<code>&#92;x00</code>, <code>&#92;u2028</code>), other characters kept, and what would make the result
     * longer than about {@code max} characters left out and counted. For whole messages, and for messages of other
     * parsers that may quote input (JSON keys, tokens).
     */
    public static String printable(CharSequence text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 40);
        int i = 0;
        for (; i < text.length() && sb.length() < max; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c < 0xA0)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else if (c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (i < text.length()) {
            sb.append("... (and ").append(text.length() - i).append(" more characters)");
        }
        return sb.toString();
    }

    /** A line longer than the reader's limit. */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient long lineNumber;

        LineTooLongException(long lineNumber, int limit) {
            super("line " + lineNumber + " is longer than " + limit + " characters");
            this.lineNumber = lineNumber;
        }

        /** The 1-based number of the line. */
        public long lineNumber() {
            return lineNumber;
        }
    }

    /**
     * Lines of a text, each at most {@code maxChars} long, ended by {@code \n}, {@code \r\n} or {@code \r}; a longer
     * line is refused as soon as its limit is passed, so a file without line breaks is never held whole.
     */
    public static final class BoundedLines {
        private final Reader in;
        private final int maxChars;
        private final StringBuilder line = new StringBuilder();
        private long number;
        private int pushback = -1;

        public BoundedLines(Reader in, int maxChars) {
            this.in = in;
            this.maxChars = maxChars;
        }

        /** The next line without its ending, or null at the end of the text. */
        public String next() throws IOException {
            line.setLength(0);
            int c = pushback >= 0 ? pushback : in.read();
            pushback = -1;
            if (c < 0) {
                return null;
            }
            number++;
            while (c >= 0 && c != '\n' && c != '\r') {
                if (line.length() == maxChars) {
                    throw new LineTooLongException(number, maxChars);
                }
                line.append((char) c);
                c = in.read();
            }
            if (c == '\r') {
                int d = in.read();
                if (d != '\n') {
                    pushback = d;
                }
            }
            return line.toString();
        }

        /** The 1-based number of the line {@link #next()} returned last. */
        public long lineNumber() {
            return number;
        }
    }
}
