package io.medseg.mlops.drift;

import static io.medseg.mlops.drift.DriftTestImages.gamma;
import static io.medseg.mlops.drift.DriftTestImages.images;
import static io.medseg.mlops.drift.DriftTestImages.masks;
import static io.medseg.mlops.drift.WhatIf.noisy;
import static io.medseg.mlops.drift.WhatIf.scaled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.testdata.TestJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {
    private static final DriftDetector DETECTOR = DriftDetector.defaults();

    /** Six phantom patients, ten frames each: gains drawn per patient between 200 and 3000. */
    private static List<Image> refImages;
    private static List<Mask> refMasks;
    private static DataProfile reference;
    /** One phantom patient: a single gain, as in one acquisition. */
    private static List<Image> singleImages;
    private static List<Mask> singleMasks;
    private static DataProfile singleReference;

    @BeforeAll
    static void profiles() {
        SegmentationDataset a = CardiacPhantom.builder().seed(11).build().generate();
        refImages = images(a.samples());
        refMasks = masks(a.samples());
        reference = DataProfile.of(refImages, refMasks);
        SegmentationDataset one = CardiacPhantom.builder().patients(1).framesPerPatient(20).seed(5).build()
                .generate();
        singleImages = images(one.samples());
        singleMasks = masks(one.samples());
        singleReference = DataProfile.of(singleImages, singleMasks);
    }

    private static Verdict verdict(DriftReport r, DriftFeature f) {
        return r.feature(f).orElseThrow(() -> new AssertionError("no result for " + f)).verdict();
    }

    private static Verdict histogramVerdict(DriftReport r) {
        return r.feature(DriftDetector.HISTOGRAM).orElseThrow().verdict();
    }

    @Test
    void identicalDataIsStableOnEveryFeature() {
        DriftReport r = DETECTOR.compare(reference, refImages, refMasks);
        assertThat(r.verdict()).isEqualTo(Verdict.STABLE);
        assertThat(r.drifted()).isFalse();
        assertThat(r.features()).hasSize(DriftFeature.values().length + 1);
        for (FeatureDrift f : r.features()) {
            assertThat(f.verdict()).as(f.explanation()).isEqualTo(Verdict.STABLE);
            assertThat(f.value()).as(f.name()).isZero();
        }
        assertThat(r.feature(DriftFeature.NOISE_LEVEL).orElseThrow().pValue()).isEqualTo(1.0);
        assertThat(r.notes()).isEmpty();
        assertThat(r.referenceImages()).isEqualTo(60);
        assertThat(r.incomingImages()).isEqualTo(60);
    }

    @Test
    void phantomImagesFromAnotherSeedAreNotDrifted() {
        SegmentationDataset b = CardiacPhantom.builder().seed(22).build().generate();
        DriftReport r = DETECTOR.compare(reference, images(b.samples()), masks(b.samples()));
        assertThat(r.drifted()).as(r.summary()).isFalse();
        assertThat(verdict(r, DriftFeature.NOISE_LEVEL)).isEqualTo(Verdict.STABLE);
        assertThat(verdict(r, DriftFeature.HEIGHT)).isEqualTo(Verdict.STABLE);
        assertThat(verdict(r, DriftFeature.SPACING_ROW)).isEqualTo(Verdict.STABLE);
        assertThat(histogramVerdict(r)).isEqualTo(Verdict.STABLE);
        // six new patients bring six new gains: the per-image test sees that, the range check does not call it drift
        FeatureDrift scale = r.feature(DriftFeature.INTENSITY_SCALE).orElseThrow();
        assertThat(scale.pValue()).isLessThan(0.01);
        assertThat(scale.details().get("median_excess")).isEqualTo(0.0);
        assertThat(scale.verdict()).isEqualTo(Verdict.MODERATE);
    }

    @Test
    void rescaledIntensitiesDriftOnTheIntensityScaleButNotOnRelativeFeaturesOrNoise() {
        for (double factor : new double[] {0.5, 3}) {
            DriftReport r = DETECTOR.compare(singleReference, scaled(singleImages, factor), singleMasks);
            assertThat(r.drifted()).as("x" + factor).isTrue();
            assertThat(r.driftedFeatures()).as("x" + factor).containsExactly("intensity_scale");
            FeatureDrift scale = r.feature(DriftFeature.INTENSITY_SCALE).orElseThrow();
            assertThat(scale.statistic()).isEqualTo(FeatureDrift.KS);
            assertThat(scale.value()).isEqualTo(1.0);
            assertThat(scale.pValue()).isLessThan(1e-6);
            assertThat(scale.explanation()).startsWith("intensity scale (99th percentile): KS 1.00 (p ")
                    .contains("vs threshold p<0.01; incoming median ")
                    .contains(factor < 1 ? "below the reference range" : "above the reference range")
                    .endsWith("(tolerance 25%): drifted");
            for (DriftFeature f : List.of(DriftFeature.NOISE_LEVEL, DriftFeature.RELATIVE_MEAN,
                    DriftFeature.RELATIVE_SPREAD, DriftFeature.LV_AREA)) {
                assertThat(verdict(r, f)).as(f + " x" + factor).isEqualTo(Verdict.STABLE);
            }
            assertThat(r.feature(DriftDetector.HISTOGRAM).orElseThrow().value()).isLessThan(1e-3);
        }
    }

    @Test
    void rescalingWithinTheGainRangeTheReferenceAlreadyCoversIsModerateNotDrift() {
        // the six reference patients span gains of several-fold; tripled images leave that range, halved ones do not
        DriftReport tripled = DETECTOR.compare(reference, scaled(refImages, 3), refMasks);
        assertThat(tripled.driftedFeatures()).containsExactly("intensity_scale");

        DriftReport halved = DETECTOR.compare(reference, scaled(refImages, 0.5), refMasks);
        FeatureDrift scale = halved.feature(DriftFeature.INTENSITY_SCALE).orElseThrow();
        double median = (double) scale.details().get("incoming_median");
        assertThat(median).isBetween((double) scale.details().get("reference_min"),
                (double) scale.details().get("reference_max"));
        assertThat(scale.pValue()).isLessThan(0.01);
        assertThat(scale.verdict()).isEqualTo(Verdict.MODERATE);
        assertThat(scale.explanation()).contains("inside the reference range");
        assertThat(halved.verdict()).isEqualTo(Verdict.MODERATE);
    }

    @Test
    void addedGaussianNoiseDriftsOnTheNoiseLevel() {
        for (double fraction : new double[] {0.05, 0.10}) {
            DriftReport r = DETECTOR.compare(reference, noisy(refImages, fraction, 3), refMasks);
            assertThat(r.drifted()).isTrue();
            FeatureDrift noise = r.feature(DriftFeature.NOISE_LEVEL).orElseThrow();
            assertThat(noise.verdict()).as(noise.explanation()).isEqualTo(Verdict.DRIFTED);
            assertThat(noise.value()).isEqualTo(1.0);
            assertThat((double) noise.details().get("median_excess")).isGreaterThan(0.5);
            assertThat(verdict(r, DriftFeature.INTENSITY_SCALE)).isEqualTo(Verdict.STABLE);
            assertThat(verdict(r, DriftFeature.HEIGHT)).isEqualTo(Verdict.STABLE);
        }
    }

    @Test
    void aContrastChangeDriftsOnTheRelativeIntensityHistogram() {
        DriftReport r = DETECTOR.compare(reference, gamma(refImages, 2), refMasks);
        FeatureDrift h = r.feature(DriftDetector.HISTOGRAM).orElseThrow();
        assertThat(h.statistic()).isEqualTo(FeatureDrift.PSI);
        assertThat(h.value()).isGreaterThan(0.25);
        assertThat(h.verdict()).isEqualTo(Verdict.DRIFTED);
        assertThat(h.threshold()).isEqualTo(0.25);
        assertThat(h.explanation()).startsWith("intensity histogram (relative to the 99th percentile): PSI ")
                .endsWith("vs thresholds 0.1 (moderate) / 0.25 (drifted): drifted");
        assertThat(verdict(r, DriftFeature.INTENSITY_SCALE)).isEqualTo(Verdict.STABLE);
    }

    @Test
    void featuresConstantInTheReferenceAreRangeChecked() {
        // the reference is all 128x128 at 1.4 mm
        List<Image> slightly = respaced(refImages, 1.47); // 5% coarser: moderate
        DriftReport r = DETECTOR.compare(reference, slightly, refMasks);
        FeatureDrift row = r.feature(DriftFeature.SPACING_ROW).orElseThrow();
        assertThat(row.statistic()).isEqualTo(FeatureDrift.RANGE);
        assertThat(row.value()).isCloseTo(0.05, offset(1e-9));
        assertThat(row.threshold()).isEqualTo(0.10);
        assertThat(row.verdict()).isEqualTo(Verdict.MODERATE);
        assertThat(row.explanation()).isEqualTo("pixel spacing (rows): reference constant 1.4 mm; 60 of 60 incoming"
                + " images differ (1.47..1.47 mm), by up to 5% vs tolerance 10%: moderate");

        DriftReport far = DETECTOR.compare(reference, respaced(refImages, 2.1), refMasks);
        assertThat(verdict(far, DriftFeature.SPACING_ROW)).isEqualTo(Verdict.DRIFTED);
        assertThat(verdict(far, DriftFeature.SPACING_COL)).isEqualTo(Verdict.DRIFTED);
        assertThat(far.drifted()).isTrue();

        // one bigger image among sixty is enough for a constant feature
        SegmentationDataset big = CardiacPhantom.builder().imageSize(160).patients(1).framesPerPatient(1).seed(11)
                .build().generate();
        List<Image> mixed = new ArrayList<>(refImages);
        List<Mask> mixedMasks = new ArrayList<>(refMasks);
        mixed.set(0, big.get(0).image());
        mixedMasks.set(0, big.get(0).mask());
        DriftReport sized = DETECTOR.compare(reference, mixed, mixedMasks);
        FeatureDrift height = sized.feature(DriftFeature.HEIGHT).orElseThrow();
        assertThat(height.verdict()).isEqualTo(Verdict.DRIFTED);
        assertThat(height.value()).isCloseTo(0.25, offset(1e-12));
        assertThat(height.details().get("incoming_beyond_tolerance")).isEqualTo(1);
        assertThat(height.explanation()).contains("reference constant 128 px; 1 of 60 incoming images differ");
    }

    private static List<Image> respaced(List<Image> images, double mm) {
        return images.stream().map(im -> im.withSpacing(new PixelSpacing(mm, mm))).toList();
    }

    @Test
    void fewIncomingImagesMakeAWeakTestThatIsStillComputed() {
        DriftReport r = DETECTOR.compare(reference, scaled(refImages.subList(0, 3), 3), refMasks.subList(0, 3));
        FeatureDrift scale = r.feature(DriftFeature.INTENSITY_SCALE).orElseThrow();
        assertThat(scale.weak()).isTrue();
        assertThat(scale.explanation()).endsWith("; weak test: only 3 incoming images (fewer than 5)");
        assertThat(scale.value()).isPositive();
        assertThat(r.feature(DriftDetector.HISTOGRAM).orElseThrow().weak()).isTrue();
        assertThat(DETECTOR.compare(reference, refImages.subList(0, 5), refMasks.subList(0, 5)).features())
                .noneMatch(FeatureDrift::weak);
    }

    @Test
    void missingMasksOrSpacingAreReportedNotGuessed() {
        DriftReport noMasks = DETECTOR.compare(reference, refImages, null);
        assertThat(noMasks.feature(DriftFeature.LV_AREA)).isEmpty();
        assertThat(noMasks.notes()).containsExactly("lv area not compared: the incoming profile has no masks");
        assertThat(noMasks.verdict()).isEqualTo(Verdict.STABLE);

        List<Image> unspaced = refImages.stream().map(im -> im.withSpacing(null)).toList();
        DriftReport r = DETECTOR.compare(reference, unspaced, refMasks);
        assertThat(r.feature(DriftFeature.SPACING_ROW)).isEmpty();
        FeatureDrift presence = r.feature(DriftDetector.SPACING_PRESENCE).orElseThrow();
        assertThat(presence.verdict()).isEqualTo(Verdict.MODERATE);
        assertThat(presence.value()).isZero();
        assertThat(presence.threshold()).isEqualTo(1.0);
        assertThat(presence.explanation()).isEqualTo("pixel spacing presence: 0 of 60 incoming images have a"
                + " spacing vs 60 of 60 reference images: moderate");
        assertThat(r.notes()).containsExactly("pixel spacing values not compared: no incoming image has one",
                "lv area not compared: reference areas in mm2, incoming in px (areas are in mm2 only when every"
                        + " image has a pixel spacing)");
    }

    @Test
    void anIncomingProfileMustUseTheReferenceBins() {
        DataProfile own = DataProfile.of(scaled(refImages, 2), refMasks, 20);
        assertThatThrownBy(() -> DETECTOR.compare(reference, own)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differ from the reference's")
                .hasMessageContaining("DataProfile.against(reference, ...)");
        // a profile that went through JSON compares like the original
        DataProfile incoming = DataProfile.against(reference, scaled(refImages, 3), refMasks);
        DataProfile readBack = DataProfile.fromJson(reference.toJson());
        assertThat(DETECTOR.compare(readBack, incoming).toJson()).isEqualTo(DETECTOR.compare(reference, incoming)
                .toJson());
    }

    @Test
    void thresholdsAreConfigurableAndReported() {
        DriftDetector lenient = DriftDetector.builder().tolerance(DriftFeature.INTENSITY_SCALE, 5).build();
        assertThat(lenient.compare(singleReference, scaled(singleImages, 3), singleMasks).drifted()).isFalse();
        DriftDetector strict = DriftDetector.builder().tolerance(0).ksAlpha(0.05).psiModerate(0.01).psiDrifted(0.02)
                .psiEpsilon(1e-6).minSamples(100).build();
        assertThat(strict.tolerance(DriftFeature.INTENSITY_SCALE)).isZero();
        DriftReport r = strict.compare(reference, refImages.subList(0, 30), refMasks.subList(0, 30));
        Map<String, Object> thresholds = TestJson.object(TestJson.object(r.toJson()).get("thresholds"));
        assertThat(thresholds).containsEntry("ks_alpha", 0.05).containsEntry("psi_moderate", 0.01)
                .containsEntry("psi_drifted", 0.02).containsEntry("psi_epsilon", 1e-6)
                .containsEntry("min_samples", 100L);
        assertThat(TestJson.object(thresholds.get("tolerances"))).containsEntry("intensity_scale", 0L);
        assertThat(r.features()).allMatch(FeatureDrift::weak);

        DriftDetector d = DriftDetector.defaults();
        assertThat(d.ksAlpha()).isEqualTo(0.01);
        assertThat(d.psiModerate()).isEqualTo(0.1);
        assertThat(d.psiDrifted()).isEqualTo(0.25);
        assertThat(d.psiEpsilon()).isEqualTo(1e-4);
        assertThat(d.minSamples()).isEqualTo(5);
        assertThat(d.tolerance(DriftFeature.INTENSITY_SCALE)).isEqualTo(0.25);
        assertThat(d.tolerance(DriftFeature.NOISE_LEVEL)).isEqualTo(0.10);
    }

    @Test
    void builderRejectsBadThresholds() {
        assertThatThrownBy(() -> DriftDetector.builder().ksAlpha(0).psiDrifted(0.05).minSamples(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid drift detector: ks alpha must be in (0, 1): 0.0; psi drifted threshold must be"
                        + " finite and at least the moderate one (0.1): 0.05; min samples must be at least 1: 0");
        assertThatThrownBy(() -> DriftDetector.builder().tolerance(-0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance must be non-negative and finite: -0.1");
        assertThatThrownBy(() -> DriftDetector.builder().psiEpsilon(0.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("psi epsilon must be in (0, 0.01]");
    }

    @Test
    void reportIsJsonReady() {
        DriftReport r = DETECTOR.compare(singleReference, scaled(singleImages, 3), singleMasks);
        Map<String, Object> map = TestJson.object(r.toJson());
        assertThat(map.get("format")).isEqualTo("medseg-drift-report");
        assertThat(map.get("verdict")).isEqualTo("DRIFTED");
        assertThat(map.get("drifted")).isEqualTo(true);
        assertThat(map.get("reference_images")).isEqualTo(20L);
        List<Object> features = TestJson.array(map.get("features"));
        Map<String, Object> scale = TestJson.object(features.get(0));
        assertThat(scale.keySet()).containsExactly("name", "statistic", "value", "threshold", "p_value", "verdict",
                "weak", "explanation", "details");
        assertThat(scale.get("name")).isEqualTo("intensity_scale");
        assertThat(scale.get("statistic")).isEqualTo("ks");
        assertThat(scale.get("verdict")).isEqualTo("DRIFTED");
        Map<String, Object> psi = TestJson.object(features.get(features.size() - 1));
        assertThat(psi.get("name")).isEqualTo("intensity_histogram");
        assertThat(psi).doesNotContainKey("p_value");
        assertThat(r.summary()).startsWith("data drift: drifted (20 incoming images vs 20 reference images)\n"
                + "  intensity scale (99th percentile): KS 1.00");
        assertThat(r.toString()).isEqualTo("DriftReport[DRIFTED, drifted=[intensity_scale]]");
    }

    @Test
    void excessIsRelativeAndLogSymmetric() {
        assertThat(DriftDetector.excess(2, 1, 4)).isZero();
        assertThat(DriftDetector.excess(5, 1, 4)).isCloseTo(0.25, offset(1e-12));
        assertThat(DriftDetector.excess(0.5, 1, 4)).isCloseTo(1.0, offset(1e-12));
        assertThat(DriftDetector.excess(0, 1, 4)).isInfinite();
    }
}
