package io.medseg.data.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomFilesTest {
    @TempDir
    Path dir;

    private static byte[] dicom() {
        return DicomTestWriter.explicitVr().us(DicomReader.ROWS, 2).us(DicomReader.COLUMNS, 2)
                .us(DicomReader.BITS_ALLOCATED, 16).us(DicomReader.PIXEL_REPRESENTATION, 0)
                .element(DicomReader.PIXEL_DATA, "OW", DicomTestWriter.words(1, 2, 3, 4)).toBytes();
    }

    @Test
    void aFileIsADicomByItsPreambleAndMagicNotByItsName() throws IOException {
        Path noExtension = Files.write(dir.resolve("IM0001"), dicom());
        Path named = Files.writeString(dir.resolve("notes.dcm"), "not dicom", StandardCharsets.US_ASCII);
        byte[] shortOne = Arrays.copyOf(dicom(), 131);
        Path cut = Files.write(dir.resolve("cut"), shortOne);
        byte[] wrongMagic = dicom();
        wrongMagic[131] = 'X';
        Path other = Files.write(dir.resolve("other"), wrongMagic);

        assertThat(DicomFiles.looksLikeDicom(noExtension)).isTrue();
        assertThat(DicomFiles.looksLikeDicom(named)).isFalse();
        assertThat(DicomFiles.looksLikeDicom(cut)).isFalse();
        assertThat(DicomFiles.looksLikeDicom(other)).isFalse();
        assertThat(DicomFiles.looksLikeDicom(dir)).isFalse();
        assertThat(DicomFiles.looksLikeDicom(dir.resolve("missing"))).isFalse();
    }

    @Test
    void findListsFilesNamedDcmAndFilesThatStartLikeDicomInNaturalOrder() throws IOException {
        Path series = Files.createDirectories(dir.resolve("series"));
        Path ten = Files.write(series.resolve("10.dcm"), dicom());
        Path two = Files.write(series.resolve("2.DCM"), dicom());
        Path bare = Files.write(series.resolve("IM7"), dicom());
        Path notDicom = Files.writeString(series.resolve("3.dcm"), "a .dcm name is listed, to be refused by name");
        Files.writeString(series.resolve("notes.txt"), "ignored");
        Files.write(dir.resolve("DICOMDIR"), dicom());   // the index of a DICOM file set, not an image
        Path top = Files.write(dir.resolve("top"), dicom());

        assertThat(DicomFiles.find(dir)).containsExactly(top, two, notDicom, ten, bare);
        assertThat(DicomFiles.find(bare)).containsExactly(bare);
        assertThatThrownBy(() -> DicomFiles.find(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void naturalOrderComparesRunsOfDigitsAsNumbers() {
        assertThat(DicomFiles.compareNatural("7.dcm", "20.dcm")).isNegative();
        assertThat(DicomFiles.compareNatural("IM-0010", "IM-9")).isPositive();
        assertThat(DicomFiles.compareNatural("007", "7")).isNotZero();
    }
}
