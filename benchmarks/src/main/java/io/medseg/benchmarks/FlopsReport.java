package io.medseg.benchmarks;

import io.medseg.model.UNetSpec;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Prints the GFLOP per image of the benchmarked networks ({@link Flops}) and of the single convolution of
 * {@link ConvRooflineBenchmark}, to turn images per second into GFLOP per second. With {@code --layers}, every
 * layer's share as well.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.medseg.benchmarks.FlopsReport [--layers]}.
 */
public final class FlopsReport {
    private FlopsReport() {
    }

    public static void main(String[] args) {
        boolean layers = false;
        for (String a : args) {
            if (a.equals("--layers")) {
                layers = true;
            } else {
                System.err.println("unknown argument '" + a + "'; usage: FlopsReport [--layers]");
                System.exit(2);
            }
        }
        print(System.out, layers);
    }

    static void print(PrintStream out, boolean layers) {
        for (String network : List.of(Networks.UNET256, Networks.CARDIAC)) {
            UNetSpec spec = Networks.spec(network);
            out.printf(Locale.ROOT, "%-8s %dx%dx%d, depth %d, %d base filters: %.3f GFLOP per image%n", network,
                    spec.inputHeight(), spec.inputWidth(), spec.inputChannels(), spec.depth(), spec.baseFilters(),
                    Flops.unetGflop(spec));
            if (layers) {
                double total = Flops.unet(spec);
                for (Flops.Layer l : Flops.layers(spec)) {
                    out.printf(Locale.ROOT, "  %-18s %4dx%-4d %4d -> %-4d k%d %8.4f GFLOP %5.1f %%%n", l.name(),
                            l.height(), l.width(), l.in(), l.out(), l.kernel(), l.flops() / 1e9,
                            100 * l.flops() / total);
                }
            }
        }
        out.printf(Locale.ROOT, "conv     3x3, 64 -> 64 on 256x256: %.3f GFLOP per image, %.3f per batch of %d%n",
                ConvRooflineBenchmark.GFLOP_PER_IMAGE, ConvRooflineBenchmark.GFLOP_PER_IMAGE
                        * ConvRooflineBenchmark.BATCH, ConvRooflineBenchmark.BATCH);
    }
}
