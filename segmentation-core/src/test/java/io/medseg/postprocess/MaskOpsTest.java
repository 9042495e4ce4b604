package io.medseg.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Mask;
import io.medseg.testdata.TestMasks;
import org.junit.jupiter.api.Test;

class MaskOpsTest {

    private static Mask mask(String... rows) {
        return TestMasks.parse(rows);
    }

    @Test
    void largestComponentKeepsOnlyTheBiggestBlob() {
        Mask in = mask(
                "11....",
                "11..1.",
                "......",
                ".111..",
                ".111..");
        Mask out = MaskOps.largestComponent(in, 1);
        assertThat(out).isEqualTo(mask(
                "......",
                "......",
                "......",
                ".111..",
                ".111.."));
    }

    @Test
    void diagonalNeighboursAreSeparateComponents() {
        // 4-connectivity: the diagonal pair are two components of size 1 each; the 3-pixel bar wins
        Mask in = mask(
                "1.....",
                ".1....",
                "...111");
        assertThat(MaskOps.largestComponent(in, 1).count(1)).isEqualTo(3);
    }

    @Test
    void largestComponentLeavesOtherClassesAndSingleBlobsAlone() {
        Mask in = mask(
                "22.1",
                "...1",
                "2...");
        Mask out = MaskOps.largestComponent(in, 1);
        assertThat(out).isEqualTo(in);
        assertThat(MaskOps.largestComponent(in, 2).count(2)).isEqualTo(2);
    }

    @Test
    void fillHolesFillsEnclosedBackgroundOnly() {
        Mask in = mask(
                "......",
                ".1111.",
                ".1..1.",
                ".1111.",
                "...1..",
                "...1..");
        Mask out = MaskOps.fillHoles(in, 1);
        assertThat(out.count(1)).isEqualTo(in.count(1) + 2);
        assertThat(out.get(2, 2)).isEqualTo(1);
        assertThat(out.get(2, 3)).isEqualTo(1);
        assertThat(out.get(0, 0)).isZero();
    }

    @Test
    void backgroundTouchingTheBorderIsNotAHole() {
        Mask in = mask(
                ".1.",
                "1.1",
                ".1.");
        // the centre pixel reaches the corners diagonally (8-connected background), which touch the border
        assertThat(MaskOps.fillHoles(in, 1)).isEqualTo(in);
    }
}
