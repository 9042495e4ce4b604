package io.medseg.examples;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DatasetSplit;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.inference.UncertaintyMap;
import io.medseg.io.Json;
import io.medseg.loss.Losses;
import io.medseg.metrics.Dice;
import io.medseg.metrics.DiceSummary;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.Environment;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.RecipeCatalog;
import io.medseg.mlops.Reproduction;
import io.medseg.mlops.TrainingConfig;
import io.medseg.mlops.TrainingRuns;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.drift.DriftDetector;
import io.medseg.mlops.drift.DriftReport;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import io.medseg.mlops.registry.TrustPolicy;
import io.medseg.mlops.signing.ModelSigning;
import io.medseg.mlops.signing.SigningKeys;
import io.medseg.mlops.registry.ValidationGate;
import io.medseg.model.InputFit;
import io.medseg.model.InputFitter;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.onnx.OnnxExport;
import io.medseg.optim.Optimizers;
import io.medseg.postprocess.PostProcessing;
import io.medseg.recipe.Recipe;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingListeners;
import io.medseg.train.TrainingResult;
import io.medseg.viz.MaskPng;
import io.medseg.viz.Overlays;
import io.medseg.viz.UncertaintyHeatMap;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The Java snippets of the docs, word for word between the {@code // snippet FILE} and
 * {@code // end snippet} lines (DocSnippetsTest checks that they match the documents), inside methods that run
 * them the way a reader would, in order. Code outside the markers only supplies what the text of the page
 * supplies in words. The README's Java block is a whole program, {@link example.SegmentLv}, compiled as it is.
 */
final class DocSnippets {
    private DocSnippets() {
    }

    /** docs/getting-started.md, "The Java API in five steps": every block, in the page's order. */
    @SuppressWarnings("try") // the page's step 2 shows the try-with-resources frame on its own, its body elided
    static DiceSummary gettingStarted() throws IOException {
        // snippet docs/getting-started.md
        SegmentationDataset data = SunnybrookDataset.load(Path.of("../shared/data/sunnybrook"));
        // or synthetic data, no download needed:
        SegmentationDataset phantom = CardiacPhantom.builder().imageSize(128).patients(6).framesPerPatient(10)
                .seed(7L).build().generate();

        DatasetSplit split = data.splitByPatient(0.3, 1);   // frames of one patient never straddle the split
        // end snippet

        // snippet docs/getting-started.md
        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.CENTRE_CROP)     // or EXACT: images must already have the input size
                .numClasses(2)
                .depth(4)                           // 1..6 down-sampling steps; height and width divisible by 2^depth
                .baseFilters(16)
                .batchNorm(true)
                .normalization(Normalization.percentile(1, 99))
                .build();                           // reports every invalid setting at once
        // end snippet

        // snippet docs/getting-started.md
        try (SegmentationModel model = Backends.load().create(spec, 42)) {   // same spec and seed: same weights
            // train it, segment with it and save it here (steps 3 to 5)
        }
        // end snippet

        try (SegmentationModel model = Backends.load().create(spec, 42)) {
            // snippet docs/getting-started.md
            TrainingResult result = Trainer.builder()
                    .epochs(20)
                    .batchSize(8)
                    .loss(Losses.crossEntropyPlusDice())
                    .optimizer(Optimizers.adam(1e-3))
                    .seed(1)                                   // shuffling and augmentation
                    .keepBest(true)                            // end with the weights of the best validation epoch
                    .listener(TrainingListeners.progressBar()) // or TrainingListeners.logging()
                    .build()
                    .fit(model, split.train(), split.validation());

            System.out.println("best epoch " + result.bestEpoch() + ", val Dice "
                    + result.bestValidationDice().orElse(Double.NaN));
            // end snippet

            Image image = split.validation().get(0).image();
            List<Image> images = split.validation().samples().stream().map(Sample::image).toList();
            // snippet docs/getting-started.md
            Segmenter segmenter = model.segmenter();              // thread-safe
            Mask mask = segmenter.predict(image);                 // same height and width as the image
            List<Mask> masks = segmenter.predictAll(images);      // batched, 8 images per network call
            Prediction p = segmenter.predictWithProbabilities(image);  // class probabilities too
            // end snippet

            // snippet docs/getting-started.md
            Segmenter s = model.segmenter()
                    .withTestTimeAugmentation(TestTimeAugmentation.DIHEDRAL)            // 8 flipped/turned copies, averaged
                    .withPostProcessing(PostProcessing.largestComponentAndFillHoles()); // one solid blob per class
            // end snippet
            s.predict(image);
            p.mask();

            int y = image.height() / 2;
            int x = image.width() / 2;
            {
                // snippet docs/getting-started.md
                Segmenter uncertain = model.segmenter().withTestTimeAugmentation(TestTimeAugmentation.FLIPS).withUncertainty();
                Prediction withMaps = uncertain.predictWithProbabilities(image);   // or predictBatch, predictWithUncertainty
                UncertaintyMap u = withMaps.uncertainty().orElseThrow();          // at the image's own size
                float h = u.entropy(y, x);     // normalised entropy of the mean class probabilities, 0 (certain) .. 1 (undecided)
                float v = u.variance(y, x);    // variance across the passes, averaged over the classes; 0 with one pass
                double score = u.score();      // the per-image score, below
                UncertaintyHeatMap.write(u, Path.of("out/frame-uncertainty.png"));
                // end snippet
                System.out.println("uncertainty at the centre " + h + ", variance " + v + ", score " + score);
            }

            Mask reference = split.validation().get(0).mask();
            List<Mask> references = split.validation().samples().stream().map(Sample::mask).toList();
            // snippet docs/getting-started.md
            double dice = Dice.foreground(reference, mask, 2);                 // one image
            DiceSummary all = Dice.summarise(references, masks, 1);            // per image, mean, global

            model.save(Path.of("models/lv"));                                  // SavedModel + model.json
            try (SegmentationModel again = Backends.load().load(Path.of("models/lv"))) {
                System.out.println(Dice.foreground(mask, again.segmenter().predict(image), 2));   // 1.0: the same network
            }

            MaskPng.write(mask, Path.of("out/frame.png"));                     // class index per pixel
            Overlays.writePng(Overlays.render(image, mask, reference), Path.of("out/frame_overlay.png"));
            // end snippet
            phantom.size();
            System.out.println("dice of the first frame " + dice);
            return all;
        }
    }

    /** docs/data-formats.md, the phantom. */
    static SegmentationDataset dataFormats() {
        // snippet docs/data-formats.md
        SegmentationDataset d = CardiacPhantom.builder().imageSize(128).patients(6).framesPerPatient(10).seed(7L)
                .build().generate();   // patient ids phantom-01, phantom-02, ...
        // end snippet
        return d;
    }

    /** docs/mlops.md, "From Java". */
    static ModelVersion mlops() throws IOException {
        // snippet docs/mlops.md
        Path dataDir = Path.of("../shared/data/sunnybrook");
        Recipe recipe = CardiacRecipe.defaults().withEpochs(5);
        TrainingConfig config = TrainingConfig.of(recipe, 1,                               // SCD0000301 kept unseen
                TrainingConfig.DataSelection.patients(dataDir, List.of("SCD0000101", "SCD0000201")));
        TrainingRuns.start(config, Path.of("runs/lv"), TrainingRuns.Hooks.defaults());    // a run directory
        Reproduction again = TrainingRuns.reproduce(Path.of("runs/lv"), Path.of("runs/lv-again"), RecipeCatalog.none(),
                TrainingRuns.Hooks.defaults());                                           // every step's loss compared
        System.out.println(again.summary());
        // an interrupted run: TrainingRuns.resume(runDir, RecipeCatalog.none(), TrainingRuns.Hooks.defaults())

        Path pkg = ModelPackage.export(Path.of("runs/lv"), Path.of("packages/lv"), "cardiac-lv");
        SegmentationDataset unseen = SunnybrookDataset.load(dataDir).forPatients(List.of("SCD0000301"));
        Backend backend = Backends.load();
        try (SegmentationModel model = ModelPackage.load(backend, pkg)) {   // MANIFEST verified first
            ValidationGate gate = ValidationGate.requiring(OptionalDouble.of(0.5), OptionalDouble.empty(),
                    OptionalDouble.empty());
            ValidationGate.Result validated = gate.validate(ModelPackage.open(pkg), recipe.segmenter(model), unseen,
                    DataManifest.of(dataDir), "the recipe's", Environment.current(backend.name(), backend.description()),
                    System.err::println);
            List<Image> images = unseen.samples().stream().map(Sample::image).toList();
            DriftReport drift = DriftDetector.defaults().compare(DataProfile.read(pkg.resolve("data-profile.json")),
                    images, recipe.segmenter(model).predictAll(images));
            System.out.println((validated.passed() ? "passed" : "failed") + "; " + drift.summary());
        }
        ModelRegistry registry = ModelRegistry.open(Path.of("registry"));
        ModelVersion v = registry.register(pkg);                         // PackageIntegrityException names a bad file
        // end snippet
        return v;
    }

    /** docs/portability.md, "From Java": the mlops snippet's run packaged with ONNX and run on ONNX Runtime. */
    static List<Mask> portability() throws IOException {
        // snippet docs/portability.md
        Backend tensorflow = Backends.load("tensorflow");
        Path pkg = ModelPackage.export(Path.of("runs/lv"), Path.of("packages/lv-onnx"), "cardiac-lv",
                List.of(staged -> OnnxExport.intoModelFolder(tensorflow, staged)));   // model.onnx in the MANIFEST
        List<Image> frames = SunnybrookDataset.load(Path.of("../shared/data/sunnybrook"))
                .forPatients(List.of("SCD0000301")).samples().stream().map(Sample::image).toList();
        try (SegmentationModel model = ModelPackage.load(Backends.load("onnx"), pkg)) {   // reads model.onnx
            List<Mask> masks = CardiacRecipe.defaults().segmenter(model).predictAll(frames);
            // end snippet
            return masks;
        }
    }

    /** docs/portability.md, ONNX Runtime's own Java API on the package's model.onnx: the probabilities of a frame. */
    static float[][][][] portabilityOrtApi(Image frame) throws Exception {
        // snippet docs/portability.md
        Path onnx = Path.of("packages/lv-onnx/model.onnx");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx.toString(), options)) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();   // normalization, class_names, ...
            UNetSpec spec = Json.parse(meta.get("medseg.spec"), UNetSpec.class);
            float[] input = new InputFitter(spec).input(frame);     // centre crop and normalisation, as the spec says
            long[] shape = {1, spec.inputHeight(), spec.inputWidth(), spec.inputChannels()};
            try (OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                    OrtSession.Result result = session.run(Map.of("image", image))) {
                float[][][][] probabilities = (float[][][][]) result.get("probabilities").orElseThrow().getValue();
                // end snippet
                return probabilities;
            }
        }
    }

    /** docs/audit.md, "From Java": the portability snippet's package signed, registered and approved. */
    static ModelVersion audit() throws IOException {
        // snippet docs/audit.md
        SigningKeys.generateFiles(Path.of("keys/alice"));                  // keys/alice.key and keys/alice.pub
        SigningKeys.generateFiles(Path.of("keys/bob"));
        SigningKeys.SigningKey alice = SigningKeys.readPair(Path.of("keys/alice.key"));
        SigningKeys.SigningKey bob = SigningKeys.readPair(Path.of("keys/bob.key"));
        Path pkg = Path.of("packages/lv-onnx");
        ModelSigning.sign(pkg, alice);                                      // pkg/model.sig
        ModelSigning.Verified verified = ModelSigning.verify(pkg,
                List.of(new ModelSigning.TrustedKey("alice", SigningKeys.readPublic(Path.of("keys/alice.pub")))));

        ModelRegistry registry = ModelRegistry.open(Path.of("signed-registry"));
        registry.trustKey("alice", alice.publicKey(), TrustPolicy.Role.parse("register"));
        registry.trustKey("bob", bob.publicKey(), TrustPolicy.Role.parse("approve"));
        registry.requireSignatures(true);
        ModelVersion staged = registry.register(pkg);                       // refused unless alice's signature holds
        ModelVersion approved = registry.approve(staged.name(), staged.version(), bob);   // alice could not: four eyes
        // then, with a passing validation record: registry.promote(staged.name(), staged.version(), Stage.PRODUCTION)
        // end snippet
        return approved;
    }
}
