package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TextFieldsTest {
    /** The grammar as a pattern: fine as a reference on short strings, quadratic on long digit runs. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER_OF_8 = Pattern.compile("[+-]?\\d{1,8}");

    @Test
    void numberGrammarsAgreeWithTheirPatternsOnRandomStrings() {
        Random random = new Random(11);
        String alphabet = "0123456789.+-eE x";
        int decimals = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(9);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            boolean decimal = DECIMAL.matcher(s).matches();
            decimals += decimal ? 1 : 0;
            assertThat(TextFields.isDecimal(s)).as("isDecimal(\"%s\")", s).isEqualTo(decimal);
            assertThat(TextFields.isInteger(s, 8)).as("isInteger(\"%s\", 8)", s)
                    .isEqualTo(INTEGER_OF_8.matcher(s).matches());
        }
        assertThat(decimals).as("random strings that are decimals").isGreaterThan(10_000);
    }

    @Test
    void longDigitRunsAreDecidedCorrectly() {
        String digits = "7".repeat(1_000_000);
        assertThat(TextFields.isDecimal(digits)).isTrue();
        assertThat(TextFields.isDecimal(digits + "x")).isFalse();
        assertThat(TextFields.isDecimal("-" + digits + "." + digits + "e+12")).isTrue();
        assertThat(TextFields.isDecimal(digits + "e")).isFalse();
        assertThat(TextFields.isInteger(digits, 12)).isFalse();
        assertThat(TextFields.isInteger("-000000000012", 12)).isTrue();
    }

    @Test
    void excerptsQuoteEscapeAndCount() {
        assertThat(TextFields.excerpt("it's\\ok")).isEqualTo("'it\\'s\\\\ok'");
        assertThat(TextFields.excerpt("a\u0000b\u2028c\u00e9")).isEqualTo("'a\\x00b\\u2028c\\xe9'");
        assertThat(TextFields.excerpt("x".repeat(100))).isEqualTo("'" + "x".repeat(40) + "' (and 60 more characters)");
        assertThat(TextFields.excerpt(null)).isEqualTo("null");
    }

    @Test
    void printableEscapesControlsKeepsTheRestAndBoundsTheResult() {
        assertThat(TextFields.printable("caf\u00e9 'ok'\t\u2029", 100)).isEqualTo("caf\u00e9 'ok'\\x09\\u2029");
        String cut = TextFields.printable("\u0001".repeat(1_000), 40);
        assertThat(cut).startsWith("\\x01\\x01").endsWith("... (and 990 more characters)");
        assertThat(cut.length()).isLessThan(40 + 40);
        assertThat(TextFields.printable("short", 5)).isEqualTo("short");
    }

    @Test
    void oneLineJoinsLineBreaksOnly() {
        assertThat(TextFields.oneLine("  first\n   second\r\n\tthird  fourth \n")).isEqualTo("first second third  fourth");
        assertThat(TextFields.oneLine(" ".repeat(100_000) + "x" + " ".repeat(100_000) + "\ny")).isEqualTo("x y");
    }

    @Test
    void boundedLinesSplitOnEveryEndingAndRefuseALongLineEarly() throws IOException {
        TextFields.BoundedLines lines = new TextFields.BoundedLines(new StringReader("a\r\nbb\rccc\n\nlast"), 4);
        List<String> read = new ArrayList<>();
        for (String line = lines.next(); line != null; line = lines.next()) {
            read.add(line);
        }
        assertThat(read).containsExactly("a", "bb", "ccc", "", "last");
        assertThat(lines.lineNumber()).isEqualTo(5);

        TextFields.BoundedLines longLine = new TextFields.BoundedLines(new StringReader("ok\n" + "9".repeat(5_000)), 4);
        assertThat(longLine.next()).isEqualTo("ok");
        assertThatThrownBy(longLine::next).isInstanceOf(TextFields.LineTooLongException.class)
                .hasMessage("line 2 is longer than 4 characters")
                .satisfies(e -> assertThat(((TextFields.LineTooLongException) e).lineNumber()).isEqualTo(2));
    }
}
