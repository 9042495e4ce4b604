package io.medseg.data.sunnybrook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContourFileTest {
    @TempDir
    Path tmp;

    private Path file(String text) throws IOException {
        return Files.writeString(tmp.resolve("IM-0001-0048-icontour-manual.txt"), text);
    }

    private void assertFails(Path f, String message) {
        assertThatThrownBy(() -> ContourFile.read(f, 256, 256))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(f + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void readsVerticesAsColumnThenRow() throws IOException {
        Path f = file("120.50 137.50\n121 136.5\n  122.25\t130  \n\n256 0\n");

        assertThat(ContourFile.read(f, 256, 256)).containsExactly(
                new ContourPoint(120.5, 137.5), new ContourPoint(121, 136.5), new ContourPoint(122.25, 130),
                new ContourPoint(256, 0));
    }

    @Test
    void fewerThanThreePointsNamesFileAndLine() throws IOException {
        assertFails(file("1 2\n3 4\n"), "line 2 (end of file): a contour needs at least 3 points, found 2");
    }

    @Test
    void nonNumberNamesFileAndLine() throws IOException {
        assertFails(file("1 2\n3 abc\n5 6\n"), "line 2: 'abc' is not a number in '3 abc'");
    }

    @Test
    void nanIsNotANumber() throws IOException {
        assertFails(file("1 2\n3 4\nNaN 6\n"), "line 3: 'NaN' is not a number");
    }

    @Test
    void lineWithoutExactlyTwoNumbersNamesFileAndLine() throws IOException {
        assertFails(file("1 2\n3 4 5\n5 6\n"), "line 2: expected two numbers 'x y', found 3 fields in '3 4 5'");
        assertFails(file("1 2\n3\n5 6\n"), "line 2: expected two numbers 'x y', found 1 fields in '3'");
    }

    @Test
    void pointOutsideTheImageNamesFileAndLine() throws IOException {
        assertFails(file("1 2\n3 4\n256.5 10\n"),
                "line 3: point (256.5, 10) lies outside the 256x256 image: expected x in [0, 256] and y in [0, 256]");
        assertFails(file("1 -0.5\n3 4\n5 6\n"), "line 1: point (1, -0.5) lies outside the 256x256 image");
    }
}
