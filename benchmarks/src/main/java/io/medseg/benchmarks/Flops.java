package io.medseg.benchmarks;

import io.medseg.model.UNetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Floating-point operations of a U-Net forward pass, counted layer by layer from its spec: every 3x3 (kernel size)
 * convolution, 2x2 stride-2 transpose convolution and the 1x1 head, two FLOP (a multiply and an add) per
 * multiply-add. Batch norm, bias, activation, pooling, concatenation and softmax are left out: they are a fraction
 * of a percent of the total and memory-bound, not arithmetic. GFLOP/s = images/s x {@link #unet} / 1e9.
 */
public final class Flops {
    private Flops() {
    }

    /** One layer: its name, the output size and the FLOP for one image. */
    public record Layer(String name, int height, int width, int in, int out, int kernel, double flops) {
    }

    /** FLOP of one forward pass over one image. */
    public static double unet(UNetSpec spec) {
        double total = 0;
        for (Layer l : layers(spec)) {
            total += l.flops();
        }
        return total;
    }

    /** GFLOP of one forward pass over one image. */
    public static double unetGflop(UNetSpec spec) {
        return unet(spec) / 1e9;
    }

    /** FLOP of a 'SAME' {@code k x k} convolution from {@code in} to {@code out} channels on an {@code h x w} map. */
    public static double conv(int h, int w, int k, int in, int out) {
        return 2.0 * h * w * k * k * in * out;
    }

    /**
     * FLOP of a 2x2 stride-2 transpose convolution to an {@code h x w} output: each output pixel takes one 1x1
     * slice of the kernel, {@code in x out} multiply-adds.
     */
    public static double transposeConv(int h, int w, int in, int out) {
        return 2.0 * h * w * in * out;
    }

    /** The layers of {@code spec}'s network in order, with their FLOP per image. */
    public static List<Layer> layers(UNetSpec spec) {
        List<Layer> out = new ArrayList<>();
        int k = spec.kernelSize();
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int in = spec.inputChannels();
        for (int level = 0; level < spec.depth(); level++) {
            int f = spec.baseFilters() << level;
            String block = "enc" + (level + 1);
            out.add(new Layer(block + "/conv1", h, w, in, f, k, conv(h, w, k, in, f)));
            out.add(new Layer(block + "/conv2", h, w, f, f, k, conv(h, w, k, f, f)));
            in = f;
            h /= 2;
            w /= 2;
        }
        int bottom = spec.baseFilters() << spec.depth();
        out.add(new Layer("bottleneck/conv1", h, w, in, bottom, k, conv(h, w, k, in, bottom)));
        out.add(new Layer("bottleneck/conv2", h, w, bottom, bottom, k, conv(h, w, k, bottom, bottom)));
        in = bottom;
        for (int level = spec.depth() - 1; level >= 0; level--) {
            int f = spec.baseFilters() << level;
            String block = "dec" + (level + 1);
            h *= 2;
            w *= 2;
            out.add(new Layer(block + "/upconv", h, w, in, f, 2, transposeConv(h, w, in, f)));
            out.add(new Layer(block + "/conv1", h, w, 2 * f, f, k, conv(h, w, k, 2 * f, f)));
            out.add(new Layer(block + "/conv2", h, w, f, f, k, conv(h, w, k, f, f)));
            in = f;
        }
        out.add(new Layer("head", h, w, in, spec.numClasses(), 1, conv(h, w, 1, in, spec.numClasses())));
        return List.copyOf(out);
    }
}
