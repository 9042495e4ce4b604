package io.medseg.serving;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.io.Json;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.TestPackages;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.Stage;
import io.medseg.model.InputFit;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real packages and registries for the serving tests: small U-Nets with the TensorFlow backend (random weights,
 * so what they predict is arbitrary but deterministic), each with a reference data profile, registered, validated
 * and promoted as {@code segment validate} and {@code segment promote} would.
 */
final class ServingFixtures {
    /** The model name the fixtures register. */
    static final String NAME = "cardiac";

    private ServingFixtures() {
    }

    static Backend backend() {
        try {
            return Backends.load();
        } catch (BackendUnavailableException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A small network that takes any frame size by cropping the centre 64x64, like the cardiac recipe does. */
    static UNetSpec spec() {
        return UNet.builder().inputShape(64, 64, 1).numClasses(2).depth(2).baseFilters(4)
                .inputFit(InputFit.CENTRE_CROP).build();
    }

    /** A network like {@link #spec()} that takes only 64x64 frames ({@link InputFit#EXACT}). */
    static UNetSpec exactSpec() {
        return UNet.builder().inputShape(64, 64, 1).numClasses(2).depth(2).baseFilters(4)
                .inputFit(InputFit.EXACT).build();
    }

    /** Phantom frames of {@code size} x {@code size} with a pixel spacing. */
    static List<Image> phantomImages(int count, int size, long seed) {
        SegmentationDataset d = CardiacPhantom.builder().imageSize(size).patients(1).framesPerPatient(count)
                .seed(seed).build().generate();
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            images.add(d.get(i).image());
        }
        return images;
    }

    /**
     * Writes a complete package for a model of {@link #spec()} with weights from {@code seed} into {@code dir}, its
     * reference profile made from {@code referenceImages} and the masks the model predicts for them.
     */
    static Path writePackage(Path dir, long seed, List<Image> referenceImages) throws IOException {
        return writePackage(dir, seed, referenceImages, spec());
    }

    /** {@link #writePackage(Path, long, List)} for a network of {@code spec}. */
    static Path writePackage(Path dir, long seed, List<Image> referenceImages, UNetSpec spec) throws IOException {
        try (SegmentationModel model = backend().create(spec, seed)) {
            model.save(dir);
            ObjectNode json = (ObjectNode) Json.tree(Files.readString(dir.resolve(ModelPackage.MODEL_JSON)));
            json.put("name", NAME);
            Files.writeString(dir.resolve(ModelPackage.MODEL_JSON), Json.write(json) + "\n", StandardCharsets.UTF_8);
            List<Mask> masks = model.segmenter().predictAll(referenceImages);
            DataProfile.of(referenceImages, masks).write(dir.resolve(ModelPackage.DATA_PROFILE));
        }
        Files.writeString(dir.resolve(ModelPackage.PROVENANCE), "{\"seed\": " + seed + "}\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ModelPackage.METRICS), "{\"dice_mean\": 0.9}\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ModelPackage.MODEL_CARD), "# " + NAME + "\n\nA serving test model, seed "
                + seed + ".\n", StandardCharsets.UTF_8);
        PackageManifest.write(dir);
        return dir;
    }

    /** Registers {@code pkg} in {@code registry} with a passing validation record; returns its version. */
    static int register(ModelRegistry registry, Path pkg) throws IOException {
        int version = registry.register(pkg).version();
        Path copy = registry.get(NAME, version);
        TestPackages.writeValidation(copy, PackageManifest.sha256(copy), true, Instant.now());
        return version;
    }

    /** Registers and promotes {@code pkg}; returns its version. */
    static int registerAndPromote(ModelRegistry registry, Path pkg) throws IOException {
        int version = register(registry, pkg);
        registry.promote(NAME, version, Stage.PRODUCTION);
        return version;
    }

    /** A registry in {@code root} whose model {@link #NAME} has one version in production, from {@code seed}. */
    static ModelRegistry registryWithProduction(Path root, long seed, List<Image> referenceImages) {
        try {
            ModelRegistry registry = ModelRegistry.open(root.resolve("registry"));
            Path pkg = writePackage(root.resolve("pkg-" + seed), seed, referenceImages);
            registerAndPromote(registry, pkg);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
