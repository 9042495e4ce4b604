package io.medseg.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataFormatExceptionTest {
    @Test
    void everyMessageIsOneEscapedLineOfBoundedLength() {
        // a reader that quotes a value whole by mistake still gives a short, printable message
        String hostile = "backend '" + "tensor\u0000flow\n\u007f".repeat(2_000) + "'";
        Path file = Path.of("/data/" + "deep/".repeat(200) + "model\u0007.json");
        DataFormatException e = new DataFormatException(file, hostile);

        assertThat(e.getMessage()).hasSizeLessThan(1_400).doesNotContainPattern("\\p{Cntrl}")
                .startsWith("/data/deep/deep/").contains("... (and ", "tensor\\x00flow\\x0a\\x7f")
                .endsWith(" more characters)");
        assertThat(e.file()).contains(file);
    }

    @Test
    void shortPrintableMessagesAreKeptAsTheyAre() {
        Path file = Path.of("/data/IM-0001-0001.dcm");
        assertThat(new DataFormatException(file, "pixel spacing '0.7\\\\0.7' is not two positive numbers")
                .getMessage()).isEqualTo("/data/IM-0001-0001.dcm: pixel spacing '0.7\\\\0.7' is not two positive numbers");
    }
}
