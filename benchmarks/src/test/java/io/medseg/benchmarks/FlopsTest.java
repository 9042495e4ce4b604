package io.medseg.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import org.junit.jupiter.api.Test;

class FlopsTest {

    @Test
    void countsEveryConvolutionOfATinyUNetByHand() {
        UNetSpec spec = UNet.builder().inputShape(8, 8, 1).numClasses(2).depth(1).baseFilters(2).build();
        // enc1 8x8: 1->2, 2->2; bottleneck 4x4: 2->4, 4->4; dec1 8x8: upconv 4->2, 4->2, 2->2; head 2->2
        double expected = 2.0 * 64 * 9 * 1 * 2 + 2.0 * 64 * 9 * 2 * 2
                + 2.0 * 16 * 9 * 2 * 4 + 2.0 * 16 * 9 * 4 * 4
                + 2.0 * 64 * 4 * 2 + 2.0 * 64 * 9 * 4 * 2 + 2.0 * 64 * 9 * 2 * 2
                + 2.0 * 64 * 2 * 2;
        assertThat(Flops.unet(spec)).isEqualTo(expected).isEqualTo(29184.0);
        assertThat(Flops.layers(spec)).extracting(Flops.Layer::name).containsExactly("enc1/conv1", "enc1/conv2",
                "bottleneck/conv1", "bottleneck/conv2", "dec1/upconv", "dec1/conv1", "dec1/conv2", "head");
    }

    @Test
    void agreesWithTheSpecsOwnCountForTheBenchmarkedNetworksAndOthers() {
        for (UNetSpec spec : new UNetSpec[] {Networks.spec(Networks.UNET256), Networks.spec(Networks.CARDIAC),
                UNet.builder().inputShape(64, 96, 3).numClasses(4).depth(2).baseFilters(8).kernelSize(5).build()}) {
            assertThat(Flops.unet(spec)).as(spec.toString()).isCloseTo(spec.forwardFlops(),
                    org.assertj.core.data.Offset.offset(1e-6 * spec.forwardFlops()));
        }
    }

    @Test
    void theBenchmarkedNetworksCostWhatTheDocsSay() {
        assertThat(Flops.unetGflop(Networks.spec(Networks.UNET256))).isBetween(23.0, 25.0);
        assertThat(Flops.unetGflop(Networks.spec(Networks.CARDIAC))).isBetween(1.4, 1.6);
    }

    @Test
    void theSingleConvolutionIs38Point65GflopPerBatch() {
        assertThat(ConvRooflineBenchmark.GFLOP_PER_IMAGE * ConvRooflineBenchmark.BATCH * 1e9)
                .isEqualTo(2.0 * 3 * 3 * 64 * 64 * 256 * 256 * 8);
    }
}
