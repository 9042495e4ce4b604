package io.medseg.data.sunnybrook;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import io.medseg.io.TextFields;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads a Sunnybrook contour file: one vertex per line, {@code x y} as decimals separated by white space
 * ({@code x} = column, {@code y} = row), describing a closed polygon (the last vertex joins the first). Blank
 * lines are ignored.
 */
public final class ContourFile {
    /** Vertices of one contour at most: Sunnybrook contours have a few hundred. */
    public static final int MAX_POINTS = 1_000_000;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ContourFile() {
    }

    /**
     * Reads the vertices of {@code file}, checking them against an image of {@code height x width} pixels.
     *
     * @return the vertices in file order
     * @throws DataFormatException naming the file and line when a line does not hold exactly two decimals, when a
     *     vertex lies outside {@code x in [0, width], y in [0, height]}, or when there are fewer than 3 vertices
     * @throws IOException if the file cannot be read
     */
    public static List<ContourPoint> read(Path file, int height, int width) throws IOException {
        return read(file, height, width, ReadLimits.defaults());
    }

    /**
     * As {@link #read(Path, int, int)}, with lines of at most {@code limits.maxLineChars()} characters and at most
     * {@value #MAX_POINTS} vertices.
     */
    public static List<ContourPoint> read(Path file, int height, int width, ReadLimits limits) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(limits, "limits");
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + height + "x" + width);
        }
        List<ContourPoint> points = new ArrayList<>();
        TextFields.BoundedLines lines = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            lines = new TextFields.BoundedLines(in, limits.maxLineChars());
            String line;
            while ((line = lines.next()) != null) {
                long lineNo = lines.lineNumber();
                String t = line.strip();
                if (t.isEmpty()) {
                    continue;
                }
                String[] parts = WHITESPACE.split(t, -1);
                if (parts.length != 2) {
                    throw new DataFormatException(file, "line " + lineNo + ": expected two numbers 'x y', found "
                            + parts.length + " fields in " + TextFields.excerpt(t));
                }
                double x = number(file, lineNo, parts[0], t);
                double y = number(file, lineNo, parts[1], t);
                if (x < 0 || x > width || y < 0 || y > height) {
                    throw new DataFormatException(file, "line " + lineNo + ": point (" + parts[0] + ", " + parts[1]
                            + ") lies outside the " + height + "x" + width + " image: expected x in [0, " + width
                            + "] and y in [0, " + height + "]");
                }
                if (points.size() == MAX_POINTS) {
                    throw new DataFormatException(file, "line " + lineNo + ": more than " + MAX_POINTS
                            + " points; a contour of an image has far fewer");
                }
                points.add(new ContourPoint(x, y));
            }
        } catch (TextFields.LineTooLongException e) {
            throw new DataFormatException(file, e.getMessage() + " (a contour line holds two numbers; raise "
                    + ReadLimits.PROPERTY_PREFIX + "maxLineChars if this is right)", e);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "line " + (lines == null ? 1 : lines.lineNumber() + 1)
                    + ": expected ascii text", e);
        }
        if (points.size() < 3) {
            throw new DataFormatException(file, "line " + (lines == null ? 0 : lines.lineNumber())
                    + " (end of file): a contour needs at least 3 points, found " + points.size());
        }
        return List.copyOf(points);
    }

    private static double number(Path file, long lineNo, String field, String line) throws DataFormatException {
        if (!TextFields.isDecimal(field)) {
            throw new DataFormatException(file, "line " + lineNo + ": " + TextFields.excerpt(field)
                    + " is not a number in " + TextFields.excerpt(line));
        }
        double d = Double.parseDouble(field);
        if (!Double.isFinite(d)) {
            throw new DataFormatException(file, "line " + lineNo + ": " + TextFields.excerpt(field)
                    + " is not a finite number");
        }
        return d;
    }
}
