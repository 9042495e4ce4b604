package io.medseg.viz;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class UncertaintyHeatMapTest {

    @Test
    void theScaleRunsFromBlackThroughRedAndYellowToWhite() {
        assertThat(UncertaintyHeatMap.colour(0f)).isEqualTo(0x000000);
        assertThat(UncertaintyHeatMap.colour(1f / 3)).isEqualTo(0xFF0000);
        assertThat(UncertaintyHeatMap.colour(2f / 3)).isEqualTo(0xFFFF00);
        assertThat(UncertaintyHeatMap.colour(1f)).isEqualTo(0xFFFFFF);
        assertThat(UncertaintyHeatMap.colour(-3f)).isEqualTo(0x000000);
        assertThat(UncertaintyHeatMap.colour(Float.NaN)).isEqualTo(0xFFFFFF);
        // brighter never goes darker: every channel rises with the entropy
        int previous = 0;
        for (int i = 0; i <= 100; i++) {
            int c = UncertaintyHeatMap.colour(i / 100f);
            for (int shift : new int[] {16, 8, 0}) {
                assertThat((c >> shift) & 0xFF).isGreaterThanOrEqualTo((previous >> shift) & 0xFF);
            }
            previous = c;
        }
    }

    @Test
    void picturesSideBySideKeepBoth() {
        BufferedImage a = new BufferedImage(2, 3, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        a.setRGB(1, 2, 0x123456);
        b.setRGB(3, 0, 0xABCDEF);
        BufferedImage both = UncertaintyHeatMap.besideEachOther(a, b);
        assertThat(both.getWidth()).isEqualTo(6);
        assertThat(both.getHeight()).isEqualTo(3);
        assertThat(both.getRGB(1, 2) & 0xFFFFFF).isEqualTo(0x123456);
        assertThat(both.getRGB(5, 0) & 0xFFFFFF).isEqualTo(0xABCDEF);
        assertThat(both.getRGB(5, 2) & 0xFFFFFF).isZero();
    }
}
