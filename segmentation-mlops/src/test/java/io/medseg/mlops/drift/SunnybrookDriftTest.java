package io.medseg.mlops.drift;

import static io.medseg.mlops.drift.DriftTestImages.images;
import static io.medseg.mlops.drift.DriftTestImages.masks;
import static io.medseg.mlops.drift.WhatIf.noisy;
import static io.medseg.mlops.drift.WhatIf.scaled;
import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leave-one-patient-out on the real Sunnybrook subset: the reference is two patients' labelled frames (expert masks
 * standing in for predictions), the incoming data the third patient's frames, as they are and perturbed.
 */
class SunnybrookDriftTest {
    private static final Logger LOG = LoggerFactory.getLogger(SunnybrookDriftTest.class);
    private static final List<String> PATIENTS = List.of("SCD0000101", "SCD0000201", "SCD0000301");

    private static SegmentationDataset all;

    @BeforeAll
    static void load() throws IOException {
        all = SunnybrookDataset.load(SunnybrookTestData.dir());
    }

    private record Fold(DataProfile reference, List<Image> images, List<Mask> masks) {
    }

    private static Fold fold(String patient) {
        List<Sample> ref = all.samples().stream().filter(s -> !s.patientId().equals(patient)).toList();
        List<Sample> inc = all.samples().stream().filter(s -> s.patientId().equals(patient)).toList();
        return new Fold(DataProfile.of(images(ref), masks(ref)), images(inc), masks(inc));
    }

    private static DriftReport compare(String title, Fold f, List<Image> images) {
        DriftReport r = DriftDetector.defaults().compare(f.reference(), images, f.masks());
        LOG.debug("{}\n{}", title, r.summary());
        return r;
    }

    @Test
    void anUnseenPatientIsNotFlagged() {
        for (String p : PATIENTS) {
            Fold f = fold(p);
            DriftReport r = compare(p + " as it is", f, f.images());
            assertThat(r.drifted()).as(r.summary()).isFalse();
            // the per-image KS test alone would have flagged every one of them: frames of one patient are not
            // independent draws, so a new patient differs significantly from two others on some feature
            assertThat(r.features()).as(p).anyMatch(x -> FeatureDrift.KS.equals(x.statistic()) && x.pValue() < 0.01);
            assertThat(r.feature(DriftDetector.HISTOGRAM).orElseThrow().value()).as(p).isLessThan(0.1);
        }
    }

    @Test
    void rescaledCopiesOfAnUnseenPatientAreFlaggedOnTheIntensityScale() {
        for (String p : PATIENTS) {
            Fold f = fold(p);
            for (double factor : new double[] {0.5, 2}) {
                DriftReport r = compare(p + " x" + factor, f, scaled(f.images(), factor));
                assertThat(r.drifted()).as(r.summary()).isTrue();
                assertThat(r.driftedFeatures()).as(r.summary()).containsExactly("intensity_scale");
            }
        }
    }

    @Test
    void noisyCopiesOfAnUnseenPatientAreFlaggedOnTheNoiseLevel() {
        for (String p : PATIENTS) {
            Fold f = fold(p);
            for (double fraction : new double[] {0.05, 0.10}) {
                DriftReport r = compare(p + " + noise " + fraction + " x p99", f, noisy(f.images(), fraction, 17));
                assertThat(r.drifted()).as(r.summary()).isTrue();
                assertThat(r.driftedFeatures()).as(r.summary()).containsExactly("noise_level");
            }
        }
    }
}
