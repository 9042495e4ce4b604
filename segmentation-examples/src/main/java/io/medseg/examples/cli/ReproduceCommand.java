package io.medseg.examples.cli;

import io.medseg.mlops.Reproduction;
import io.medseg.mlops.TrainingProvenance;
import io.medseg.mlops.TrainingRun;
import io.medseg.mlops.TrainingRuns;
import java.nio.file.Path;
import java.time.Instant;
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
        TrainingProvenance provenance = TrainingRun.readProvenance(runDir);
        if (provenance.run().status() != TrainingProvenance.RunStatus.COMPLETED) {
            throw new UsageException(runDir + ": the run is not completed (status "
                    + provenance.run().status().id() + "): finish it with segment train --resume " + run);
        }
        Path target = out != null ? out : runDir.resolve("reproductions")
                .resolve(Instant.now().toString().replace(':', '-'));
        Inputs.outputDirectory(target);
        Reproduction r = TrainingRuns.reproduce(runDir, target, TrainingJob.RECIPES, TrainingJob.hooks(root));
        root.out().println(r.summary());
        root.out().println("reproduction run: " + target + " (comparison in " + TrainingRuns.REPRODUCTION + ")");
        return r.identical() ? 0 : Errors.NOT_MET;
    }
}
