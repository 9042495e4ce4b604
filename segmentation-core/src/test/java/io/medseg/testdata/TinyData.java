package io.medseg.testdata;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small generated images for backend tests: a bright axis-aligned rectangle (label 1) on noisy background. */
public final class TinyData {
    private TinyData() {
    }

    public static List<Sample> rectangles(int count, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int h = 4 + r.nextInt(size / 2);
            int w = 4 + r.nextInt(size / 2);
            int y0 = r.nextInt(size - h);
            int x0 = r.nextInt(size - w);
            float[] px = new float[size * size];
            byte[] lab = new byte[size * size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    boolean in = y >= y0 && y < y0 + h && x >= x0 && x < x0 + w;
                    px[y * size + x] = (float) ((in ? 200 : 60) + 20 * r.nextDouble());
                    lab[y * size + x] = (byte) (in ? 1 : 0);
                }
            }
            out.add(new Sample("r" + i, "p" + (i % 3), Image.of(size, size, px), Mask.of(size, size, lab)));
        }
        return out;
    }
}
