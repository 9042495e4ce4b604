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
}
