package io.medseg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class UNetSpecTest {

    @Test
    void builderDefaultsAreTheDocumentedOnes() {
        UNetSpec s = UNet.builder().build();
        assertThat(s.inputHeight()).isEqualTo(256);
        assertThat(s.inputWidth()).isEqualTo(256);
        assertThat(s.inputChannels()).isEqualTo(1);
        assertThat(s.numClasses()).isEqualTo(2);
        assertThat(s.depth()).isEqualTo(4);
        assertThat(s.baseFilters()).isEqualTo(32);
        assertThat(s.kernelSize()).isEqualTo(3);
        assertThat(s.upsampling()).isEqualTo(Upsampling.TRANSPOSE_CONV);
        assertThat(s.batchNorm()).isTrue();
        assertThat(s.dropout()).isZero();
        assertThat(s.activation()).isEqualTo(Activation.RELU);
        assertThat(s.normalization()).isEqualTo(new Normalization.Percentile(1, 99));
        assertThat(s.inputFit()).isEqualTo(InputFit.EXACT);
    }

    @Test
    void builderSetsEveryField() {
        UNetSpec s = UNet.builder().inputShape(96, 128, 3).numClasses(4).depth(2).baseFilters(8).kernelSize(5)
                .batchNorm(false).dropout(0.25).activation(Activation.ELU).normalization(Normalization.zScore())
                .inputFit(InputFit.CENTRE_CROP).build();
        assertThat(s).isEqualTo(new UNetSpec(96, 128, 3, 4, 2, 8, 5, Upsampling.TRANSPOSE_CONV, false, 0.25,
                Activation.ELU, new Normalization.ZScore(), InputFit.CENTRE_CROP));
    }

    @Test
    void buildReportsEveryInvalidFieldInOneMessage() {
        assertThatThrownBy(() -> UNet.builder().inputShape(250, 250, 1).depth(3).baseFilters(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid U-Net spec: ")
                .hasMessageContaining("baseFilters must be in 1..1024: 0")
                .hasMessageContaining("divisible by 2^depth = 8: 250x250");

        assertThatThrownBy(() -> UNet.builder().depth(7).baseFilters(0).inputShape(256, 256, 0).numClasses(1)
                .kernelSize(4).dropout(1.0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("depth must be in 1..6: 7")
                .hasMessageContaining("baseFilters must be in 1..1024: 0")
                .hasMessageContaining("input channels must be >= 1: 0")
                .hasMessageContaining("numClasses must be in 2..127 (background included): 1")
                .hasMessageContaining("kernelSize must be odd and in 1..15: 4")
                .hasMessageContaining("dropout must be in [0, 1): 1.0");
    }

    @Test
    void nullChoicesAreReportedTogetherWithOtherProblems() {
        assertThatThrownBy(() -> UNet.builder().upsampling(null).activation(null).normalization(null)
                .inputFit(null).depth(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upsampling must not be null")
                .hasMessageContaining("activation must not be null")
                .hasMessageContaining("normalization must not be null")
                .hasMessageContaining("inputFit must not be null")
                .hasMessageContaining("depth must be in 1..6: 0");
    }

    @Test
    void nonPositiveSizeIsReported() {
        assertThatThrownBy(() -> UNet.builder().inputShape(0, -4, 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input height and width must be positive: 0x-4");
    }

    @Test
    void recordConstructorValidatesLikeTheBuilder() {
        assertThatThrownBy(() -> new UNetSpec(251, 256, 1, 2, 1, 8, 3, Upsampling.TRANSPOSE_CONV, true, 0,
                Activation.RELU, Normalization.none(), InputFit.EXACT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("251x256");
    }

    @Test
    void edgeDepthsAreAccepted() {
        assertThat(UNet.builder().depth(1).inputShape(2, 2, 1).build().depth()).isEqualTo(1);
        assertThat(UNet.builder().depth(6).inputShape(64, 64, 1).build().depth()).isEqualTo(6);
        assertThat(UNet.builder().kernelSize(1).build().kernelSize()).isEqualTo(1);
        assertThat(UNet.builder().kernelSize(15).build().kernelSize()).isEqualTo(15);
        assertThatThrownBy(() -> UNet.builder().depth(6).inputShape(32, 64, 1).build())
                .hasMessageContaining("2^depth = 64: 32x64");
    }

    private static UNetSpec tiny(boolean batchNorm) {
        return UNet.builder().inputShape(8, 8, 1).numClasses(2).depth(1).baseFilters(2).kernelSize(3)
                .batchNorm(batchNorm).build();
    }

    @Test
    void parameterCountWithoutBatchNormMatchesHandCount() {
        // each 3x3 conv: 9 * in * out weights + out biases
        long enc0 = (9 * 1 * 2 + 2) + (9 * 2 * 2 + 2);     // 1->2, 2->2: 20 + 38 = 58
        long bottleneck = (9 * 2 * 4 + 4) + (9 * 4 * 4 + 4); // 2->4, 4->4: 76 + 148 = 224
        long up = 2 * 2 * 4 * 2 + 2;                          // 2x2 transpose conv 4->2 with bias: 34
        long dec0 = (9 * 4 * 2 + 2) + (9 * 2 * 2 + 2);       // concat 4->2, 2->2: 74 + 38 = 112
        long classifier = 2 * 2 + 2;                          // 1x1 conv 2->2 with bias: 6
        assertThat(enc0 + bottleneck + up + dec0 + classifier).isEqualTo(434);
        assertThat(tiny(false).parameterCount()).isEqualTo(434);
    }

    @Test
    void parameterCountWithBatchNormReplacesConvBiasWithScaleAndOffset() {
        // the six 3x3 convs (outputs 2, 2, 4, 4, 2, 2) each carry 2*out (gamma, beta) instead of out biases
        long extra = 2 + 2 + 4 + 4 + 2 + 2;
        assertThat(tiny(true).parameterCount()).isEqualTo(434 + extra).isEqualTo(450);
    }

    @Test
    void parameterCountOfDefaultSpecIsInTheMillions() {
        // sanity against the well-known ~7.8M of a depth-4, 32-filter U-Net
        assertThat(UNet.builder().build().parameterCount()).isBetween(7_000_000L, 8_500_000L);
    }

    @Test
    void forwardFlopsOfTinySpecMatchesHandCount() {
        UNetSpec s = tiny(false);
        // encoder 8x8: 2*64*9*(1+2)*2; bottleneck 4x4: 2*16*9*(2+4)*4;
        // transpose 8x8: 2*64*(4)*2; decoder convs 8x8: 2*64*9*(4+2)*2; classifier 2*64*2*2
        double expected = 2.0 * 64 * 9 * 3 * 2 + 2.0 * 16 * 9 * 6 * 4 + 2.0 * 64 * 4 * 2 + 2.0 * 64 * 9 * 6 * 2
                + 2.0 * 64 * 2 * 2;
        assertThat(s.forwardFlops()).isCloseTo(expected, within(1e-6));
    }

    @Test
    void forwardFlopsArePositiveAndScaleWithTheInputArea() {
        UNetSpec small = UNet.builder().inputShape(64, 64, 1).build();
        UNetSpec large = UNet.builder().inputShape(128, 128, 1).build();
        assertThat(small.forwardFlops()).isPositive();
        assertThat(large.forwardFlops()).isCloseTo(4 * small.forwardFlops(), within(1e-3));
    }
}
