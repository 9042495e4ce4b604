package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.examples.CardiacRecipe;
import io.medseg.io.FileTrees;
import io.medseg.mlops.JsonDiff;
import io.medseg.mlops.TrainingConfig;
import io.medseg.mlops.TrainingProvenance;
import io.medseg.mlops.TrainingRun;
import io.medseg.testdata.SunnybrookTestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory written by medseg 0.1.0 (the {@code compat/0.1.0} fixtures of segmentation-mlops), which recorded
 * its recipe as text: this version rebuilds the recipe from the cardiac defaults, as 0.1.0 did, and reproduces the
 * run step for step.
 */
class OldRunCliTest {
    private static Path oldRun() {
        return Path.of(System.getProperty("medseg.compat.dir", "../segmentation-mlops/src/test/resources/compat/0.1.0"))
                .resolve("run-A").toAbsolutePath().normalize();
    }

    @Test
    void theRecipeOfAnOldRunIsTheCardiacRecipeWithItsEpochs() throws Exception {
        TrainingProvenance p = TrainingRun.readProvenance(oldRun());
        TrainingConfig config = p.trainingConfig(oldRun().resolve(TrainingRun.PROVENANCE), TrainingJob.RECIPES);
        assertThat(config.recipe()).isEqualTo(CardiacRecipe.defaults().withEpochs(5));
        assertThat(config.seed()).isEqualTo(1);
        assertThat(config.requestedEpochs()).hasValue(5);
        // the recorded text of the loss, optimiser and augmentation is what this library's recipe prints
        assertThat(JsonDiff.diff(p.recipeTree(), TrainingProvenance.recipeTree(config.recipe(), true))).isEmpty();
    }

    @Test
    void reproducingAnOldRunGivesEveryStepsLossBitForBit(@TempDir Path tmp) throws Exception {
        Path data = SunnybrookTestData.dir();
        Path run = tmp.resolve("run-A");
        FileTrees.copyTree(oldRun(), run);
        // the run was made where the data lived then; only that path is changed, to where the data is now
        TrainingProvenance p = TrainingRun.readProvenance(run);
        Path provenance = run.resolve(TrainingRun.PROVENANCE);
        Files.writeString(provenance, Files.readString(provenance, StandardCharsets.UTF_8)
                .replace("\"" + p.config().data() + "\"", "\"" + data + "\""), StandardCharsets.UTF_8);

        CliRun r = CliRun.of("reproduce", run.toString(), "--out", tmp.resolve("again").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("REPRODUCED: 35 of 35 step losses identical");
        assertThat(r.err()).doesNotContain("warning: this library's recipe differs");
    }
}
