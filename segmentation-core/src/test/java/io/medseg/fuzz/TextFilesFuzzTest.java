package io.medseg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.data.PairCsv;
import io.medseg.data.sunnybrook.ContourFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The text files of the datasets: Sunnybrook contour files and the two-column CSV lists. */
class TextFilesFuzzTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, byte[]> contourSeedFiles() {
        return Map.of(
                "rectangle", ascii("1.5 1.5\n40.5 1.5\n40.5 30.5\n1.5 30.5\n"),
                "crlf-exponents", ascii("1.5e1 2.25E+1\r\n+3.0 4.\r\n.5 -0\r\n"),
                "tabs-and-blank-lines", ascii("\t10\t20  \n\n30 40\n 50 60\n"));
    }

    static Stream<Arguments> contourSeeds() {
        return FuzzFiles.seedsWithCuts(contourSeedFiles());
    }

    static Map<String, byte[]> pairCsvSeedFiles() {
        return Map.of(
                "link", ascii("patient_id,original_id\nSCD0000101,SC-HF-I-1\nSCD0000201,SC-HF-I-2\n"),
                "bom-crlf-blank", ascii("\uFEFFpatient_id,original_id\r\n\r\n P1 , O1 \r\n"));
    }

    static Stream<Arguments> pairCsvSeeds() {
        return FuzzFiles.seedsWithCuts(pairCsvSeedFiles());
    }

    @MethodSource("contourSeeds")
    @FuzzTest(maxDuration = "5m")
    void contour(byte[] data) throws Exception {
        Path file = FuzzFiles.write("text/IM-0001-0001-icontour-manual.txt", data);
        FuzzFiles.badInputOnly(() -> ContourFile.read(file, 64, 64));
    }

    @MethodSource("pairCsvSeeds")
    @FuzzTest(maxDuration = "5m")
    void pairCsv(byte[] data) throws Exception {
        Path file = FuzzFiles.write("text/link.csv", data);
        FuzzFiles.badInputOnly(() -> PairCsv.read(file, "patient_id,original_id"));
    }
}
