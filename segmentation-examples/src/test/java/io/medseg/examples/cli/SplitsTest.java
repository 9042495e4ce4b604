package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {
    static SegmentationDataset frames(int patients, int perPatient, boolean ownIds) {
        List<Sample> out = new ArrayList<>();
        for (int p = 0; p < patients; p++) {
            for (int i = 0; i < perPatient; i++) {
                String id = "p" + p + "/" + i;
                out.add(new Sample(id, ownIds ? id : "p" + p, Image.of(1, 1, new float[] {i}),
                        Mask.of(1, 1, new byte[1])));
            }
        }
        return SegmentationDataset.of("d", out);
    }

    @Test
    void realPatientsAreSplitWithoutSharingAPatient() {
        Splits.Result r = Splits.trainValidation(frames(5, 4, false), 0.2, 7);
        assertThat(r.byPatient()).isTrue();
        assertThat(r.validation().patients()).hasSize(1);
        assertThat(r.train().patients()).hasSize(4).doesNotContainAnyElementsOf(r.validation().patients());
        assertThat(r.train().size() + r.validation().size()).isEqualTo(20);
    }

    @Test
    void oneIdPerFrameIsSplitByFrameReproducibly() {
        SegmentationDataset ds = frames(10, 1, true);
        Splits.Result a = Splits.trainValidation(ds, 0.3, 3);
        Splits.Result b = Splits.trainValidation(ds, 0.3, 3);
        assertThat(a.byPatient()).isFalse();
        assertThat(a.validation().size()).isEqualTo(3);
        assertThat(a.train().size()).isEqualTo(7);
        assertThat(a.validation().samples()).isEqualTo(b.validation().samples());
        Set<String> ids = new HashSet<>();
        a.train().forEach(s -> ids.add(s.id()));
        a.validation().forEach(s -> assertThat(ids.add(s.id())).isTrue());
    }

    @Test
    void singlePatientFallsBackToFrames() {
        Splits.Result r = Splits.trainValidation(frames(1, 5, false), 0.2, 1);
        assertThat(r.byPatient()).isFalse();
        assertThat(r.validation().size()).isEqualTo(1);
        assertThat(r.train().size()).isEqualTo(4);
    }

    @Test
    void placeholderIdsAreNotPatients() {
        List<Sample> s = new ArrayList<>(frames(1, 3, false).samples());
        s.add(new Sample("u", "unknown", Image.of(1, 1, new float[] {0}), Mask.of(1, 1, new byte[1])));
        assertThat(Splits.hasRealPatients(SegmentationDataset.of("d", s))).isFalse();
    }

    @Test
    void fractionOutsideTheOpenIntervalIsAUsageError() {
        assertThatThrownBy(() -> Splits.trainValidation(frames(3, 1, false), 1.0, 1))
                .isInstanceOf(UsageException.class).hasMessageContaining("--val-fraction");
    }
}
