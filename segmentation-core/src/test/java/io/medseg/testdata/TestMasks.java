package io.medseg.testdata;

import io.medseg.data.Mask;

/** Masks drawn as text in tests. */
public final class TestMasks {
    private TestMasks() {
    }

    /** Parses rows like {@code "..1."}: '.' is 0, a digit is that label. */
    public static Mask parse(String... rows) {
        int h = rows.length;
        int w = rows[0].length();
        byte[] b = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                char c = rows[y].charAt(x);
                b[y * w + x] = (byte) (c == '.' ? 0 : c - '0');
            }
        }
        return Mask.of(h, w, b);
    }

    /** The {row, column} centroid of the foreground (every non-zero label) of {@code m}. */
    public static double[] centroid(Mask m) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (m.get(y, x) != 0) {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        return new double[] {sy / n, sx / n};
    }
}
