package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.DataFormat;
import io.medseg.data.DataSources;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.folder.ImageMaskFolder;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which scored images were a model's training data: by file content against the model's data manifest, and only
 * for the patients it was trained on.
 */
class TrainingOverlapTest {
    @TempDir
    Path tmp;
    /** Three phantom patients of two frames each, as an image/mask folder with patients.csv. */
    Path data;

    @BeforeEach
    void writeData() throws IOException {
        data = tmp.resolve("data");
        ImageMaskFolder.write(phantom().samples(), data);
    }

    private static SegmentationDataset phantom() {
        return CardiacPhantom.builder().imageSize(32).patients(3).framesPerPatient(2).seed(11).build().generate();
    }

    /** A model folder whose manifest is of {@code trainingData} and whose provenance records {@code config}. */
    private Path model(String name, Path trainingData, Map<String, Object> config) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        DataManifest.of(trainingData).write(dir.resolve(TrainingRun.DATA_MANIFEST));
        if (config != null) {
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("format", "medseg-run");
            provenance.put("config", config);
            Files.writeString(dir.resolve(TrainingRun.PROVENANCE), Json.write(provenance), StandardCharsets.UTF_8);
        }
        return dir;
    }

    /** Trained on phantom-01 and -02, phantom-03 held out. */
    private Path trainedOnTwo() throws IOException {
        return model("model", data, Map.of("train_patients", List.of("phantom-01", "phantom-02"), "val_patients",
                List.of("phantom-03")));
    }

    private static TrainingOverlap overlap(Path model, Path data, List<String> patients) throws IOException {
        SegmentationDataset ds = DataSources.load(data, null, false, patients);
        return TrainingOverlap.check(model, data, DataSources.detect(data), ds.samples()).orElseThrow();
    }

    @Test
    void theTrainedOnPatientsAreTrainingDataAndTheHeldOutOneIsNot() throws IOException {
        Path model = trainedOnTwo();
        TrainingOverlap all = overlap(model, data, null);
        assertThat(all.checkedImages()).isEqualTo(6);
        assertThat(all.images()).isEqualTo(4);
        assertThat(all.patients()).containsExactly("phantom-01", "phantom-02");
        assertThat(all.matches()).extracting(TrainingOverlap.Match::trainingFile)
                .allMatch(p -> p.startsWith("images/") && p.endsWith(".png"));
        TrainingOverlap.Match first = all.matches().get(0);
        assertThat(first.sha256()).isEqualTo(Hashing.sha256(first.file()));
        assertThat(all.describe()).isEqualTo("4 of 6 images (patients phantom-01, phantom-02) were training data "
                + "of the model");
        assertThat(Json.writeCompact(TrainingOverlap.json(Optional.of(all))))
                .isEqualTo("{\"images\":4,\"patients\":[\"phantom-01\",\"phantom-02\"]}");

        TrainingOverlap heldOut = overlap(model, data, List.of("phantom-03"));
        assertThat(heldOut.any()).isFalse();
        assertThat(heldOut.checkedImages()).isEqualTo(2);
        assertThat(heldOut.describe()).isEqualTo("none of the 2 images was training data of the model");
        assertThat(Json.writeCompact(TrainingOverlap.json(Optional.of(heldOut))))
                .isEqualTo("{\"images\":0,\"patients\":[]}");
    }

    @Test
    void aCopiedAndRenamedFolderIsStillRecognisedByContent() throws IOException {
        Path model = trainedOnTwo();
        Path copy = tmp.resolve("elsewhere/renamed-copy");
        FileTrees.copyTree(data, copy);
        TrainingOverlap o = overlap(model, copy, List.of("phantom-02", "phantom-03"));
        assertThat(o.images()).isEqualTo(2);
        assertThat(o.patients()).containsExactly("phantom-02");
        assertThat(o.matches()).allMatch(m -> m.file().startsWith(copy));
    }

    @Test
    void aChangedImageFileIsNoLongerTrainingData() throws IOException {
        Path model = trainedOnTwo();
        Path copy = tmp.resolve("edited");
        FileTrees.copyTree(data, copy);
        List<Sample> one = DataSources.load(copy, null, false, List.of("phantom-01")).samples();
        String name = one.get(0).id().replaceAll("[^A-Za-z0-9._-]", "_");
        // the same frame written again with one pixel changed: other bytes, so other content
        Sample s = one.get(0);
        float[] px = s.image().toArray();
        px[0] += 7;
        Sample edited = new Sample(s.id(), s.patientId(), io.medseg.data.Image.wrap(s.image().height(),
                s.image().width(), 1, px, null), s.mask());
        Path single = tmp.resolve("single");
        ImageMaskFolder.write(List.of(edited), single);
        Files.copy(single.resolve("images/" + name + ".png"), copy.resolve("images/" + name + ".png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TrainingOverlap o = overlap(model, copy, List.of("phantom-01"));
        assertThat(o.checkedImages()).isEqualTo(2);
        assertThat(o.images()).isEqualTo(1);
        assertThat(o.matches().get(0).id()).isEqualTo(one.get(1).id());
    }

    @Test
    void withoutPatientsCsvARenamedImageIsStillItsTrainingPatient() throws IOException {
        // each image its own patient: a.png and b.png trained on, c.png held out
        Path flat = tmp.resolve("flat");
        ImageMaskFolder.write(phantom().samples().subList(0, 3), flat);
        Files.delete(flat.resolve("patients.csv"));
        List<String> names = DataSources.load(flat).samples().stream().map(Sample::id).toList();
        Path model = model("flat-model", flat, Map.of("train_patients", names.subList(0, 2), "val_patients",
                names.subList(2, 3)));
        Path renamed = tmp.resolve("renamed");
        FileTrees.copyTree(flat, renamed);
        for (String dir : List.of("images", "masks")) {
            Files.move(renamed.resolve(dir + "/" + names.get(0) + ".png"), renamed.resolve(dir + "/x.png"));
            Files.move(renamed.resolve(dir + "/" + names.get(2) + ".png"), renamed.resolve(dir + "/y.png"));
        }
        TrainingOverlap o = overlap(model, renamed, null);
        // x was trained on under its old name; y was held out under its old name
        assertThat(o.matches()).extracting(TrainingOverlap.Match::id).containsExactlyInAnyOrder("x", names.get(1));
        assertThat(o.matches()).filteredOn(m -> m.id().equals("x")).extracting(TrainingOverlap.Match::trainingFile)
                .containsExactly("images/" + names.get(0) + ".png");
    }

    @Test
    void aTfRecordFileIsComparedWholeAndItsRecordsByPatient() throws IOException {
        Path records = Files.createDirectories(tmp.resolve("tfr"));
        List<Sample> samples = phantom().samples();
        Path all = records.resolve("all.tfrecord");
        TFRecordDataset.write(samples, all, LabSchema.create(), false);
        Path model = model("tfr-model", all, Map.of("train_patients", List.of("phantom-01"), "val_patients",
                List.of("phantom-02")));
        // the file itself, copied under another name
        Path copy = tmp.resolve("copy.tfrecord");
        Files.copy(all, copy);
        TrainingOverlap o = overlap(model, copy, null);
        assertThat(o.patients()).containsExactly("phantom-01");
        assertThat(o.images()).isEqualTo(2);
        // phantom-03 was neither trained on nor held out, but config.train_patients says what was trained on
        assertThat(overlap(model, copy, List.of("phantom-03")).any()).isFalse();

        // a folder of two files, only one of which was training data: its records are found by id
        Path folder = Files.createDirectories(tmp.resolve("tfr-folder"));
        Files.copy(all, folder.resolve("a.tfrecord"));
        TFRecordDataset.write(samples.subList(0, 1).stream().map(s -> new Sample("other/" + s.id(),
                s.patientId(), s.image(), s.mask())).toList(), folder.resolve("b.tfrecord"), LabSchema.create(),
                false);
        SegmentationDataset ds = DataSources.load(folder, DataFormat.TFRECORD, false);
        TrainingOverlap mixed = TrainingOverlap.check(model, folder, DataFormat.TFRECORD, ds.samples())
                .orElseThrow();
        assertThat(mixed.checkedImages()).isEqualTo(7);
        assertThat(mixed.matches()).extracting(TrainingOverlap.Match::id)
                .containsExactly(samples.get(0).id(), samples.get(1).id());
        assertThat(mixed.matches()).allMatch(m -> m.file().getFileName().toString().equals("a.tfrecord"));
    }

    @Test
    void aModelWithoutADataManifestCannotBeChecked() throws IOException {
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        SegmentationDataset ds = DataSources.load(data);
        assertThat(TrainingOverlap.check(bare, data, DataFormat.IMAGE_MASK_FOLDER, ds.samples())).isEmpty();
        assertThat(TrainingData.read(bare)).isEmpty();
        assertThat(Json.writeCompact(TrainingOverlap.json(Optional.empty()))).isEqualTo("null");
    }

    @Test
    void whereTrainingPatientsAreNotRecordedTheSelectionLessTheHeldOutOnesCountAndElseAllButTheHeldOut()
            throws IOException {
        Path selected = model("selected", data, Map.of("patients", List.of("phantom-01", "phantom-03"),
                "val_patients", List.of("phantom-03")));
        assertThat(TrainingData.read(selected).orElseThrow().patients()).contains(java.util.Set.of("phantom-01"));
        assertThat(overlap(selected, data, null).patients()).containsExactly("phantom-01");

        Path heldOutOnly = model("held-out-only", data, Map.of("val_patients", List.of("phantom-02")));
        assertThat(overlap(heldOutOnly, data, null).patients()).containsExactly("phantom-01", "phantom-03");

        Path noProvenance = model("no-provenance", data, null);
        assertThat(overlap(noProvenance, data, null).images()).isEqualTo(6);
    }

    private static Path fixture(String relative) {
        try {
            return Path.of(TrainingOverlapTest.class.getResource("/compat/0.1.0/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRunOfVersionZeroOneTrainedOnEveryPatientHasSeenEverySunnybrookFrame() throws IOException {
        Path sunnybrook = SunnybrookTestData.dir();
        // run-A: trained on all three patients, nothing held out; its manifest lists the real data by content
        SegmentationDataset ds = DataSources.load(sunnybrook, DataFormat.SUNNYBROOK, false, List.of("SCD0000301"));
        TrainingOverlap o = TrainingOverlap.check(fixture("run-A"), sunnybrook, DataFormat.SUNNYBROOK, ds.samples())
                .orElseThrow();
        assertThat(o.images()).isEqualTo(20);
        assertThat(o.patients()).containsExactly("SCD0000301");
        assertThat(o.matches()).allMatch(m -> m.trainingFile().startsWith("dicoms/SCD0000301/"));

        // the same manifest with SCD0000301 held out: none of its frames was training data, SCD0000101's were
        Path heldOut = Files.createDirectories(tmp.resolve("held-out"));
        Files.copy(fixture("run-A/data-manifest.json"), heldOut.resolve(TrainingRun.DATA_MANIFEST));
        Files.writeString(heldOut.resolve(TrainingRun.PROVENANCE), "{\"format\": \"medseg-run\", \"config\": "
                + "{\"train_patients\": [\"SCD0000101\", \"SCD0000201\"], \"val_patients\": [\"SCD0000301\"]}}");
        assertThat(TrainingOverlap.check(heldOut, sunnybrook, DataFormat.SUNNYBROOK, ds.samples()).orElseThrow()
                .any()).isFalse();
        SegmentationDataset first = DataSources.load(sunnybrook, DataFormat.SUNNYBROOK, false,
                List.of("SCD0000101"));
        assertThat(TrainingOverlap.check(heldOut, sunnybrook, DataFormat.SUNNYBROOK, first.samples()).orElseThrow()
                .images()).isEqualTo(first.size());
    }

    @Test
    void aRunOfVersionZeroOneWithoutADataManifestCannotBeChecked() throws IOException {
        assertThat(TrainingData.read(fixture("run-B"))).isEmpty();
    }
}
