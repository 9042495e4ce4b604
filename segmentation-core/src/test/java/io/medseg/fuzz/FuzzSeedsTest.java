package io.medseg.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.PairCsv;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.dicom.DicomImage;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.folder.ImageMaskFolder;
import io.medseg.data.sunnybrook.ContourFile;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeds the fuzz tests start from are valid inputs, so that a campaign starts deep inside each parser. */
class FuzzSeedsTest {
    @TempDir
    Path tmp;

    @Test
    void everyDicomSeedIsReadAsAFourByFourFrame() throws Exception {
        for (Map.Entry<String, byte[]> e : DicomFuzzTest.seedFiles().entrySet()) {
            DicomImage d = DicomReader.read(Files.write(tmp.resolve(e.getKey() + ".dcm"), e.getValue()));
            assertThat(d.toImage().width()).as(e.getKey()).isEqualTo(4);
        }
    }

    @Test
    void everyTFRecordSeedHoldsTwoLabExamples() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            for (Map.Entry<String, byte[]> e : TFRecordFuzzTest.seedFiles(gzip).entrySet()) {
                Path f = Files.write(tmp.resolve(e.getKey() + ".tfrecords"), e.getValue());
                SegmentationDataset ds = TFRecordDataset.load(f, LabSchema.create(), false);
                assertThat(ds.size()).as(e.getKey()).isEqualTo(2);
            }
        }
    }

    @Test
    void everyPngSeedIsReadAsImageAndAsMask() throws Exception {
        for (Map.Entry<String, byte[]> e : PngFuzzTest.seedFiles().entrySet()) {
            Path root = tmp.resolve(e.getKey());
            Files.createDirectories(root.resolve("images"));
            Files.createDirectories(root.resolve("masks"));
            Files.write(root.resolve("images/a.png"), e.getValue());
            Files.write(root.resolve("masks/a.png"), PngFuzzTest.seedFiles().get("binary"));
            assertThat(ImageMaskFolder.load(root).size()).as(e.getKey()).isOne();
            Files.write(root.resolve("images/a.png"), PngFuzzTest.seedFiles().get("grey8"));
            Files.write(root.resolve("masks/a.png"), e.getValue());
            if (!e.getKey().equals("grey16")) { // a 16-bit mask has values above 127: refused by design
                assertThat(ImageMaskFolder.load(root).size()).as(e.getKey()).isOne();
            }
        }
    }

    @Test
    void theTextSeedsAreRead() throws Exception {
        for (Map.Entry<String, byte[]> e : TextFilesFuzzTest.contourSeedFiles().entrySet()) {
            Path contour = Files.write(tmp.resolve(e.getKey() + ".txt"), e.getValue());
            assertThat(ContourFile.read(contour, 64, 64)).as(e.getKey()).hasSizeGreaterThanOrEqualTo(3);
        }
        for (Map.Entry<String, byte[]> e : TextFilesFuzzTest.pairCsvSeedFiles().entrySet()) {
            Path csv = Files.write(tmp.resolve(e.getKey() + ".csv"), e.getValue());
            assertThat(PairCsv.read(csv, "patient_id,original_id")).as(e.getKey()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.first()).isNotBlank());
        }
    }
}
