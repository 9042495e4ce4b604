package io.medseg.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentationDatasetTest {

    private static Sample sample(String id, String patient) {
        return new Sample(id, patient, Image.of(2, 2, new float[4]), Mask.empty(2, 2));
    }

    /** Patients p0..p(n-1), listed in reverse, with two samples each. */
    private static SegmentationDataset dataset(int patients) {
        List<Sample> s = new ArrayList<>();
        for (int p = patients - 1; p >= 0; p--) {
            s.add(sample("p" + p + "-a", "p" + p));
            s.add(sample("p" + p + "-b", "p" + p));
        }
        return SegmentationDataset.of("toy", s);
    }

    private static List<String> ids(SegmentationDataset d) {
        return d.samples().stream().map(Sample::id).toList();
    }

    @Test
    void patientsAreSortedAndDistinct() {
        SegmentationDataset d = SegmentationDataset.of("d",
                List.of(sample("1", "zeta"), sample("2", "alpha"), sample("3", "mu"), sample("4", "alpha")));
        assertThat(d.patients()).containsExactly("alpha", "mu", "zeta");
        assertThat(d.size()).isEqualTo(4);
        assertThat(d.byPatient().get("alpha")).extracting(Sample::id).containsExactly("2", "4");
    }

    @Test
    void forPatientsKeepsOnlyThoseSamplesInDatasetOrder() {
        SegmentationDataset d = dataset(3);
        assertThat(ids(d.forPatients(List.of("p0", "p2")))).containsExactly("p2-a", "p2-b", "p0-a", "p0-b");
    }

    @Test
    void forPatientsWithUnknownIdListsTheAvailableOnes() {
        SegmentationDataset d = dataset(3);
        assertThatThrownBy(() -> d.forPatients(List.of("p1", "nobody")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nobody")
                .hasMessageContaining("toy")
                .hasMessageContaining("[p0, p1, p2]");
    }

    @Test
    void withoutPatientsDropsThemAndIgnoresUnknownIds() {
        SegmentationDataset d = dataset(3);
        SegmentationDataset rest = d.withoutPatients(List.of("p1", "unknown"));
        assertThat(ids(rest)).containsExactly("p2-a", "p2-b", "p0-a", "p0-b");
        assertThat(rest.patients()).containsExactly("p0", "p2");
    }

    @Test
    void splitByPatientIsDisjointAndCoversEverySample() {
        SegmentationDataset d = dataset(10);
        DatasetSplit split = d.splitByPatient(0.3, 42);
        Set<String> train = new HashSet<>(split.train().patients());
        Set<String> val = new HashSet<>(split.validation().patients());
        assertThat(train).doesNotContainAnyElementsOf(val);
        assertThat(val).hasSize(3); // round(0.3 * 10)
        assertThat(train).hasSize(7);
        List<String> all = new ArrayList<>(ids(split.train()));
        all.addAll(ids(split.validation()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(ids(d));
    }

    @Test
    void splitByPatientIsDeterministicForASeedAndVariesWithIt() {
        SegmentationDataset d = dataset(10);
        List<String> first = d.splitByPatient(0.3, 7).validation().patients();
        assertThat(d.splitByPatient(0.3, 7).validation().patients()).isEqualTo(first);
        boolean someOtherSeedDiffers = false;
        for (long seed = 8; seed < 28 && !someOtherSeedDiffers; seed++) {
            someOtherSeedDiffers = !d.splitByPatient(0.3, seed).validation().patients().equals(first);
        }
        assertThat(someOtherSeedDiffers).isTrue();
    }

    @Test
    void splitKeepsAtLeastOnePatientOnEachSide() {
        SegmentationDataset d = dataset(4);
        DatasetSplit tiny = d.splitByPatient(0.01, 1);
        assertThat(tiny.validation().patients()).hasSize(1);
        assertThat(tiny.train().patients()).hasSize(3);
        DatasetSplit huge = d.splitByPatient(0.99, 1);
        assertThat(huge.validation().patients()).hasSize(3);
        assertThat(huge.train().patients()).hasSize(1);
        DatasetSplit two = dataset(2).splitByPatient(0.5, 1);
        assertThat(two.train().patients()).hasSize(1);
        assertThat(two.validation().patients()).hasSize(1);
    }

    @Test
    void splitNeedsTwoPatients() {
        assertThatThrownBy(() -> dataset(1).splitByPatient(0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 patients")
                .hasMessageContaining("has 1");
    }

    @Test
    void splitFractionOutsideOpenUnitIntervalIsRejected() {
        SegmentationDataset d = dataset(4);
        for (double f : new double[] {0, 1, -0.2, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> d.splitByPatient(f, 1))
                    .as("fraction %s", f)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("validation fraction must be in (0, 1): " + f);
        }
    }

    @Test
    void datasetIsACopyOfTheGivenSamples() {
        List<Sample> source = new ArrayList<>(List.of(sample("a", "p")));
        SegmentationDataset d = SegmentationDataset.of("d", source);
        source.add(sample("b", "p"));
        assertThat(d.size()).isEqualTo(1);
        assertThatThrownBy(() -> d.samples().add(sample("c", "p")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
