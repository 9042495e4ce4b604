package io.medseg.examples.cli;

import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.io.SpecJson;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.JsonDiff;
import io.medseg.mlops.TrainingRun;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment reproduce RUN_DIR}: retrains from a run's recorded provenance (same settings, seed and, verified
 * by hash, the same data) into a new run directory and compares the two runs' per-step losses bit for bit.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Retrain a finished run from its provenance and compare the loss of every step.",
                "Exits 0 when the loss sequences are identical, 3 when they differ."})
public final class ReproduceCommand implements Callable<Integer> {
    /** The comparison written into the reproduction's run directory. */
    static final String REPORT = "reproduction.json";

    @ParentCommand
    SegmentCommand root;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A completed training run directory.")
    Path run;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write the new run (default: RUN_DIR/reproductions/<UTC time>).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path runDir = Inputs.directory(run).toAbsolutePath().normalize();
        Map<String, Object> provenance = TrainingRun.readProvenance(runDir);
        Map<String, Object> runInfo = Json.getObject(provenance, "run");
        if (!"completed".equals(runInfo.get("status"))) {
            throw new UsageException(runDir + ": the run is not completed (status " + runInfo.get("status")
                    + "): finish it with segment train --resume " + run);
        }
        TrainingJob job = TrainingJob.fromConfig(Json.getObject(provenance, "config"),
                Json.getLong(provenance, "seed"));
        DataManifest now = job.requireRecordedData(runDir, "a reproduction needs the same data");
        // the recipe is rebuilt from this library: say so up front when it no longer matches what was recorded
        List<JsonDiff.Change> recipeChanges = JsonDiff.diff(recipeOf(provenance),
                recipeOf(Map.of("config", job.toConfig(), "spec", SpecJson.toMap(job.recipe().spec()))));
        for (JsonDiff.Change c : recipeChanges) {
            root.err().println("warning: this library's recipe differs from the recorded one: " + c);
        }
        Path target = out != null ? out : runDir.resolve("reproductions")
                .resolve(Instant.now().toString().replace(':', '-'));
        Inputs.outputDirectory(target);
        root.err().println("reproducing " + runDir + " (data verified: " + now.files().size() + " files, sha256 "
                + now.aggregateSha256().substring(0, 12) + "...) into " + target);
        job.start(target, Map.of("reproduces", runDir.toString(), "reproduces_run_id", runInfo.get("id")),
                root.err());

        List<Float> a = TrainingRun.readLosses(runDir);
        List<Float> b = TrainingRun.readLosses(target);
        int identical = 0;
        int firstDifferent = -1;
        double maxDiff = 0;
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (Float.floatToIntBits(a.get(i)) == Float.floatToIntBits(b.get(i))) {
                identical++;
            } else {
                if (firstDifferent < 0) {
                    firstDifferent = i + 1;
                }
                maxDiff = Math.max(maxDiff, Math.abs(a.get(i) - b.get(i)));
            }
        }
        boolean same = a.size() == b.size() && identical == a.size();
        if (!same && firstDifferent < 0) {
            firstDifferent = Math.min(a.size(), b.size()) + 1; // one run has steps the other lacks
        }
        Map<String, Object> newProvenance = TrainingRun.readProvenance(target);
        List<JsonDiff.Change> envChanges = JsonDiff.diff(where(provenance), where(newProvenance));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("original", runDir.toString());
        report.put("reproduction", target.toAbsolutePath().normalize().toString());
        report.put("steps_original", a.size());
        report.put("steps_reproduction", b.size());
        report.put("steps_identical", identical);
        report.put("first_different_step", firstDifferent < 0 ? null : firstDifferent);
        report.put("max_abs_loss_difference", maxDiff);
        report.put("identical", same);
        report.put("environment_changes", envChanges.stream().map(Object::toString).toList());
        report.put("recipe_changes", recipeChanges.stream().map(Object::toString).toList());
        AtomicFile.writeString(target.resolve(REPORT), Json.write(report));

        root.out().println(String.format(Locale.ROOT, "%s: %d of %d step losses identical%s; environment %s",
                same ? "REPRODUCED" : "DIFFERENT", identical, a.size(),
                same ? "" : String.format(Locale.ROOT, " (first difference at step %d, max |difference| %.3g%s)",
                        firstDifferent, maxDiff, a.size() == b.size() ? "" : ", " + b.size() + " steps vs "
                                + a.size()),
                envChanges.isEmpty() ? "unchanged" : "changed: " + envChanges));
        root.out().println("reproduction run: " + target + " (comparison in " + REPORT + ")");
        return same ? 0 : Errors.NOT_MET;
    }

    /** What defines the training computation: the network spec and the recipe's settings. */
    private static Map<String, Object> recipeOf(Map<String, Object> provenance) {
        Map<String, Object> config = Json.getObject(provenance, "config");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec", provenance.get("spec"));
        for (String k : List.of("recipe", "epochs", "batch_size", "loss", "optimizer", "augmentation")) {
            m.put(k, config.get(k));
        }
        return m;
    }

    /** Where a run ran: environment and git commit. */
    private static Map<String, Object> where(Map<String, Object> provenance) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("environment", provenance.get("environment"));
        m.put("git", provenance.get("git"));
        return m;
    }
}
