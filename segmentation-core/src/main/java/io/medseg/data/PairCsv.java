package io.medseg.data;

import java.io.IOException;
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

    public static List<Row> read(Path file, String header) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).replace("\uFEFF", "").strip().equals(header)) {
            throw new DataFormatException(file, "line 1: expected the header '" + header + "', found "
                    + (lines.isEmpty() ? "an empty file" : "'" + lines.get(0).strip() + "'"));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
                throw new DataFormatException(file, "line " + (i + 1) + ": expected '" + header + "', found '"
                        + line + "'");
            }
            rows.add(new Row(i + 1, f[0].strip(), f[1].strip()));
        }
        return rows;
    }
}
