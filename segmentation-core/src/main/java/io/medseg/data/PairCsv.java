package io.medseg.data;

import io.medseg.io.TextFields;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The small two-column CSV files datasets come with ({@code link.csv}, {@code patients.csv}): a fixed header line,
 * then {@code first,second} per line; blank lines are ignored, values are trimmed, a byte-order mark is tolerated.
 * Anything else is a {@link DataFormatException} naming the file and line.
 */
public final class PairCsv {
    private PairCsv() {
    }

    /** One data line: its 1-based line number and its two values. */
    public record Row(int line, String first, String second) {
    }

    /**
     * Reads the file, whose first line must be {@code header}.
     *
     * @throws DataFormatException naming the file and line: a wrong header, a line that is not two values, a line
     *     longer than {@link ReadLimits#maxLineChars()}, bytes that are not UTF-8
     */
    public static List<Row> read(Path file, String header) throws IOException {
        int maxLine = ReadLimits.defaults().maxLineChars();
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            TextFields.BoundedLines lines = new TextFields.BoundedLines(reader, maxLine);
            String first = lines.next();
            if (first == null || !first.replace("\uFEFF", "").strip().equals(header)) {
                throw new DataFormatException(file, "line 1: expected the header '" + header + "', found "
                        + (first == null ? "an empty file" : TextFields.excerpt(first.strip())));
            }
            for (String raw = lines.next(); raw != null; raw = lines.next()) {
                int lineNo = (int) lines.lineNumber();
                String line = raw.strip();
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
                    throw new DataFormatException(file, "line " + lineNo + ": expected '" + header + "', found "
                            + TextFields.excerpt(line));
                }
                rows.add(new Row(lineNo, f[0].strip(), f[1].strip()));
            }
        } catch (TextFields.LineTooLongException e) {
            throw new DataFormatException(file, e.getMessage() + " (raise the limit with -D"
                    + ReadLimits.PROPERTY_PREFIX + "maxLineChars)", e);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not utf-8 text", e);
        }
        return rows;
    }
}
