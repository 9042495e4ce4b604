package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.tfrecord.TFRecordReader;
import io.medseg.io.Json;
import io.medseg.mlops.Hashing;
import io.medseg.mlops.RunCheckpoints;
import io.medseg.mlops.TrainingRun;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code train} and {@code export} onto small tmpfs file systems mounted for the test (skipped where this user
 * cannot mount, i.e. not root): a full disk ends the command with one error line naming the file or folder that
 * could not be written, and leaves what was there before intact and usable. Needs the Sunnybrook data.
 */
class DiskFullCliTest {
    private static final long MB = 1L << 20;
    private static final int EPOCHS = 3;

    @TempDir
    static Path tmp;
    static Path data;
    /** An uninterrupted run of {@link #trainArgs}, on the roomy temporary folder. */
    private static Path reference;

    private final List<Path> mounts = new ArrayList<>();

    @BeforeAll
    static void canMount() throws Exception {
        data = SunnybrookTestData.dir();
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString()),
                "cannot mount a tmpfs here (needs root): skipping the disk-full tests");
        run("umount", probe.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (!run("umount", mounts.get(i).toString())) {
                run("umount", "-l", mounts.get(i).toString());
            }
        }
        mounts.clear();
    }

    @Test
    void trainingIntoADiskTooSmallForTheRunEndsWithOneLineNamingWhatCouldNotBeWritten() throws Exception {
        Path disk = tmpfs("small", 10 * MB);
        Path run = disk.resolve("run");
        // with TensorBoard: its event files are written too, and must be whole
        CliRun r = CliRun.of("train", "--data", data.toString(), "--out", run.toString(), "--patients", "SCD0000101",
                "--epochs", "2", "--seed", "1");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.FAILURE);
        // the first checkpoint (23 MB) does not fit: that folder is named, not the hidden one it was written in
        assertThat(errorLines(r)).containsExactly(Errors.PREFIX + run.resolve("checkpoints/epoch-0001")
                + ": no space left on device");
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertNoCorruptFile(run);
        assertThat(hiddenEntries(disk)).as("temporary files left on the full disk").isEmpty();
        Map<String, Object> runInfo = TestJson.getObject(TestJson.object(Files.readString(run.resolve(
                TrainingRun.PROVENANCE))), "run");
        assertThat(runInfo.get("status")).isEqualTo("failed");
        assertThat((String) runInfo.get("error")).containsIgnoringCase("no space left on device");
        assertThat(TrainingRun.readLosses(run)).hasSize(3); // epoch 1 was recorded before its checkpoint failed
    }

    @Test
    void aFullDiskStopsTheNextCheckpointOrModelAndLeavesThePreviousOnesIntactAndResumable() throws Exception {
        Path ref = reference();
        long checkpoint = treeBytes(ref.resolve("checkpoints/epoch-000" + EPOCHS));
        // room for two checkpoints and the small files, not for a third: the run keeps two and writes the next one
        // before it deletes the oldest, so epoch 3's checkpoint is the first write that does not fit
        Path disk = tmpfs("two-checkpoints", 2 * checkpoint + checkpoint / 2 + 2 * MB);
        Path run = disk.resolve("run");
        CliRun full = CliRun.of(trainArgs(run));
        assertThat(full.exitCode()).as(full.err()).isEqualTo(Errors.FAILURE);
        assertThat(errorLines(full)).containsExactly(Errors.PREFIX + run.resolve("checkpoints/epoch-0003")
                + ": no space left on device");
        assertThat(full.err()).doesNotContain("\tat ");
        assertNoCorruptFile(run);
        assertThat(hiddenEntries(disk)).isEmpty();
        assertThat(new RunCheckpoints(run.resolve(TrainingRun.CHECKPOINTS), 2).list()).extracting(
                p -> p.getFileName().toString()).containsExactly("epoch-0002", "epoch-0001");
        Map<String, String> before = hashes(run.resolve(TrainingRun.CHECKPOINTS));

        // more room: the run continues from epoch 2 and ends as the uninterrupted run did
        assertThat(run("mount", "-o", "remount,size=" + (8 * checkpoint), "tmpfs", disk.toString())).isTrue();
        CliRun resumed = CliRun.of("train", "--resume", run.toString());
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming " + run + " after epoch 2");
        assertThat(TrainingRun.readLosses(run)).containsExactlyElementsOf(TrainingRun.readLosses(ref));
        assertThat(Files.readAllBytes(run.resolve("variables/variables.data-00000-of-00001")))
                .isEqualTo(Files.readAllBytes(ref.resolve("variables/variables.data-00000-of-00001")));
        // epoch 2's checkpoint, untouched by the failure, is the one the resume read and still kept
        assertThat(hashes(run.resolve(TrainingRun.CHECKPOINTS))).containsAllEntriesOf(
                Map.of("epoch-0002/weights.bin", before.get("epoch-0002/weights.bin"), "epoch-0002/optimizer.bin",
                        before.get("epoch-0002/optimizer.bin"), "epoch-0002/checkpoint.json",
                        before.get("epoch-0002/checkpoint.json")));

        // the disk full again: resuming the completed run cannot write its model anew, and the model stays
        Map<String, String> model = hashes(run);
        model.remove(TrainingRun.PROVENANCE); // records the attempt, by design
        Path filler = fill(disk, MB);
        CliRun noRoom = CliRun.of("train", "--resume", run.toString());
        assertThat(noRoom.exitCode()).as(noRoom.err()).isEqualTo(Errors.FAILURE);
        assertThat(errorLines(noRoom)).containsExactly(Errors.PREFIX + run + ": no space left on device");
        Map<String, String> after = hashes(run);
        after.remove(TrainingRun.PROVENANCE);
        assertThat(after).isEqualTo(model);
        assertThat(hiddenEntries(disk)).isEmpty();

        Files.delete(filler);
        CliRun again = CliRun.of("train", "--resume", run.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(Files.readAllBytes(run.resolve("variables/variables.data-00000-of-00001")))
                .isEqualTo(Files.readAllBytes(ref.resolve("variables/variables.data-00000-of-00001")));
    }

    @Test
    void exportOntoAFullDiskLeavesNoPackageAndTheRunUntouched() throws Exception {
        Path ref = reference();
        Map<String, String> runBefore = hashes(ref);
        Path disk = tmpfs("full", 4 * MB);
        Path filler = fill(disk, MB / 2);
        for (String name : List.of("pkg", "pkg.zip")) {
            Path pkg = disk.resolve(name);
            CliRun r = CliRun.of("export", "--model", ref.toString(), "--out", pkg.toString());
            assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.FAILURE);
            assertThat(errorLines(r)).containsExactly(Errors.PREFIX + pkg + ": no space left on device");
            try (Stream<Path> s = Files.list(disk)) {
                assertThat(s).as("nothing but the filler, no partial package, no staging folder")
                        .containsExactly(filler);
            }
        }
        assertThat(hashes(ref)).isEqualTo(runBefore);

        // with room, the same export completes: the failure left nothing in its way
        assertThat(run("mount", "-o", "remount,size=" + (64 * MB), "tmpfs", disk.toString())).isTrue();
        CliRun ok = CliRun.of("export", "--model", ref.toString(), "--out", disk.resolve("pkg").toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
    }

    @Test
    void aRunDirectoryThatIsAFileSystemOfItsOwnSavesItsModel() throws Exception {
        // the final model used to be assembled beside the run directory, on the parent's file system, and could
        // not be renamed into a run directory mounted on its own ("Invalid cross-device link")
        Path volume = tmpfs("volume", 128 * MB);
        CliRun r = CliRun.of("train", "--data", data.toString(), "--out", volume.toString(), "--patients",
                "SCD0000101", "--epochs", "1", "--seed", "1", "--no-tensorboard");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(volume.resolve("saved_model.pb")).isRegularFile();
        assertThat(volume.resolve("model.json")).isRegularFile();
        assertThat(hiddenEntries(volume)).isEmpty();
        try (Stream<Path> beside = Files.list(volume.getParent())) {
            assertThat(beside.filter(p -> p.getFileName().toString().startsWith("."))).isEmpty();
        }
    }

    // ---- helpers ----

    private static String[] trainArgs(Path out) {
        return new String[] {"train", "--data", data.toString(), "--out", out.toString(), "--patients",
                "SCD0000101", "--epochs", String.valueOf(EPOCHS), "--seed", "1", "--no-tensorboard"};
    }

    private static synchronized Path reference() {
        if (reference == null) {
            Path r = tmp.resolve("reference");
            CliRun run = CliRun.of(trainArgs(r));
            assertThat(run.exitCode()).as(run.err()).isZero();
            reference = r;
        }
        return reference;
    }

    /** A fresh tmpfs of {@code bytes} in the temporary folder, unmounted after the test. */
    private Path tmpfs(String name, long bytes) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mnt-" + name));
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString()))
                .as("mount a tmpfs at " + dir).isTrue();
        mounts.add(dir);
        return dir;
    }

    /** Fills {@code disk} with real bytes (a sparse file would take no room) until {@code leave} bytes are free. */
    private static Path fill(Path disk, long leave) throws IOException {
        Path filler = disk.resolve("filler");
        long bytes = Files.getFileStore(disk).getUsableSpace() - leave;
        byte[] block = new byte[(int) MB];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long left = bytes; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return filler;
    }

    private static boolean run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return false; // no mount command
        }
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** The lines the command printed as errors (progress lines end in carriage returns, not newlines). */
    private static List<String> errorLines(CliRun r) {
        return Stream.of(r.err().split("[\r\n]+")).filter(l -> l.startsWith(Errors.PREFIX)).toList();
    }

    private static List<Path> hiddenEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir) && p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static long treeBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** SHA-256 of every regular file under {@code dir}, by relative path. */
    private static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Hashing.sha256(p));
            }
        }
        return out;
    }

    /**
     * Every file under a final name in a run directory is whole: JSON parses, JSON Lines and losses.csv end in a
     * newline and every line parses, checkpoints verify against their checkpoint.json, event files hold whole
     * records with good checksums.
     */
    private static void assertNoCorruptFile(Path run) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(run)) {
            files = s.filter(Files::isRegularFile).filter(p -> !run.relativize(p).toString().matches("(.*/)?\\..*"))
                    .toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".json")) {
                Json.read(f, JsonNode.class);
            } else if (name.endsWith(".jsonl") || name.equals(TrainingRun.LOSSES)) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                assertThat(text).as(f.toString()).endsWith("\n");
                if (name.endsWith(".jsonl")) {
                    text.lines().forEach(TestJson::parse);
                }
            } else if (name.startsWith("events.out.tfevents.")) {
                try (TFRecordReader in = TFRecordReader.open(f)) {
                    int records = 0;
                    while (in.next() != null) {
                        records++;
                    }
                    assertThat(records).as(f.toString()).isPositive();
                }
            }
        }
        if (Files.isRegularFile(run.resolve(TrainingRun.LOSSES))) {
            TrainingRun.readLosses(run);
        }
        for (Path c : new RunCheckpoints(run.resolve(TrainingRun.CHECKPOINTS), 2).list()) {
            RunCheckpoints.read(c);
        }
        if (Files.isDirectory(run.resolve(TrainingRun.CHECKPOINTS))) {
            try (Stream<Path> s = Files.list(run.resolve(TrainingRun.CHECKPOINTS))) {
                assertThat(s.filter(p -> !p.getFileName().toString().startsWith("."))
                        .filter(p -> !Files.isRegularFile(p.resolve("checkpoint.json"))).toList())
                        .as("checkpoint folders without their checkpoint.json").isEmpty();
            }
        }
    }
}
