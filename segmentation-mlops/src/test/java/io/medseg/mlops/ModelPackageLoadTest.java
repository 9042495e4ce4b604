package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelPackage#load}: the MANIFEST check happens in this module, before the backend sees the folder. */
class ModelPackageLoadTest {
    private static final UNetSpec TINY = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();

    @Test
    void loadingAPackageVerifiesItsManifestBeforeTheBackendReadsIt(@TempDir Path tmp) throws Exception {
        Path pkg = tmp.resolve("pkg");
        try (SegmentationModel m = Backends.load().create(TINY, 3)) {
            m.save(pkg);
        }
        // the rest of a package's files; their content does not matter to loading
        Files.writeString(pkg.resolve(ModelPackage.PROVENANCE), "{}");
        Files.writeString(pkg.resolve(ModelPackage.METRICS), "{}");
        Files.writeString(pkg.resolve(ModelPackage.MODEL_CARD), "# tiny\n");
        PackageManifest.write(pkg);
        try (SegmentationModel loaded = ModelPackage.load(Backends.load(), pkg)) {
            assertThat(loaded.spec()).isEqualTo(TINY);
        }
        Path weights = pkg.resolve("variables/variables.data-00000-of-00001");
        byte[] b = Files.readAllBytes(weights);
        b[b.length / 2] ^= 0x01;
        Files.write(weights, b);
        assertThatThrownBy(() -> ModelPackage.load(Backends.load(), pkg)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageContaining("variables/variables.data-00000-of-00001").hasMessageContaining("modified");
    }
}
