package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.io.FileTrees;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncertaintyFiguresTest {
    @TempDir
    Path tmp;

    private static UncertaintyFigures.Fold fold(String id, double auroc, double near, double rho) {
        return new UncertaintyFigures.Fold(id, "models/" + id, 10, 1000, 20, 200, 20, 0.9, OptionalDouble.of(auroc),
                OptionalDouble.of(near), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.of(rho));
    }

    private static UncertaintyFigures figures(double auroc, double rho) {
        return new UncertaintyFigures(UncertaintyFigures.FORMAT, 1, "segment uncertainty --models m --data d",
                "2024-01-01T00:00:00Z", "m", "d", "test-time augmentation none", 1, "summed entropy / foreground",
                List.of(fold("P1", auroc, 0.8, rho), fold("P2", auroc, 0.8, rho)), fold("all", auroc, 0.8, rho));
    }

    @Test
    void aWeakSignalIsCalledWeakInTheCard() {
        String card = ModelCard.uncertainty(figures(0.55, -0.1));
        assertThat(card).contains("## Uncertainty").contains("segment uncertainty --models m --data d")
                .contains("weak signal of wrong pixels (pooled AUROC 0.550")
                .contains("weak guide to which frames are worst (pooled Spearman rho -0.100")
                .contains("| **pooled** |").contains("| P1 | 10 | 1000 | 20 |");
        assertThat(ModelCard.uncertainty(figures(0.55, 0.2))).contains("the wrong direction");
    }

    @Test
    void aStrongSignalIsNotCalledWeak() {
        String card = ModelCard.uncertainty(figures(0.95, -0.7));
        assertThat(card).doesNotContain("weak").contains("does pick out wrong pixels (pooled AUROC 0.950")
                .contains("ranks the worst frames first to a useful degree (pooled Spearman rho -0.700");
    }

    @Test
    void theFiguresGoFromTheRunIntoThePackageAndItsCard() throws IOException, URISyntaxException {
        Path run = tmp.resolve("run");
        FileTrees.copyTree(Path.of(UncertaintyFiguresTest.class.getResource("/compat/0.1.0/run-B").toURI()), run);
        // the export copies the model's files as they are: stand-ins do
        Files.writeString(run.resolve("saved_model.pb"), "graph");
        Files.createDirectories(run.resolve("variables"));
        Files.writeString(run.resolve("variables/variables.index"), "index");
        figures(0.95, -0.7).write(run.resolve(UncertaintyFigures.FILE));
        Path pkg = ModelPackage.export(run, tmp.resolve("pkg"), "cardiac-lv");
        assertThat(UncertaintyFigures.read(pkg.resolve(UncertaintyFigures.FILE))).isEqualTo(figures(0.95, -0.7));
        assertThat(Files.readString(pkg.resolve(ModelPackage.MODEL_CARD))).contains("## Uncertainty")
                .contains("| **pooled** |");
        assertThat(Files.readString(pkg.resolve(PackageManifest.FILE_NAME))).contains("  " + UncertaintyFigures.FILE);
        ModelPackage.open(pkg);

        // without the file, the card has no such section
        Path plainRun = tmp.resolve("plain-run");
        FileTrees.copyTree(run, plainRun);
        Files.delete(plainRun.resolve(UncertaintyFigures.FILE));
        Path plain = ModelPackage.export(plainRun, tmp.resolve("plain-pkg"), "cardiac-lv");
        assertThat(Files.readString(plain.resolve(ModelPackage.MODEL_CARD))).doesNotContain("## Uncertainty");
    }
}
