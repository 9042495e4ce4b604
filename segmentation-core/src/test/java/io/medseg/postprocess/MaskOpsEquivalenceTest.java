package io.medseg.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Mask;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The run-based component labelling against the breadth-first flood fill it replaces: the same masks, and the same
 * instance back exactly where the flood fill gave it back, on many random masks of several sizes, densities and
 * numbers of classes.
 */
class MaskOpsEquivalenceTest {

    // ---- the flood-fill definitions ----

    private static Mask largestComponentByFlood(Mask mask, int classIndex) {
        int h = mask.height();
        int w = mask.width();
        byte[] labels = mask.toArray();
        int[] comp = new int[h * w];
        int[] queue = new int[h * w];
        int next = 0;
        int best = 0;
        int bestSize = 0;
        for (int start = 0; start < labels.length; start++) {
            if (labels[start] != classIndex || comp[start] != 0) {
                continue;
            }
            next++;
            int size = flood(labels, comp, queue, start, h, w, classIndex, next, false);
            if (size > bestSize) {
                bestSize = size;
                best = next;
            }
        }
        if (next <= 1) {
            return mask;
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == classIndex && comp[i] != best) {
                labels[i] = 0;
            }
        }
        return Mask.wrap(h, w, labels);
    }

    private static Mask fillHolesByFlood(Mask mask, int classIndex) {
        int h = mask.height();
        int w = mask.width();
        byte[] labels = mask.toArray();
        int[] reached = new int[h * w];
        int[] queue = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y != 0 && y != h - 1 && x != 0 && x != w - 1) {
                    continue;
                }
                int i = y * w + x;
                if (labels[i] == 0 && reached[i] == 0) {
                    flood(labels, reached, queue, i, h, w, 0, 1, true);
                }
            }
        }
        boolean changed = false;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == 0 && reached[i] == 0) {
                labels[i] = (byte) classIndex;
                changed = true;
            }
        }
        return changed ? Mask.wrap(h, w, labels) : mask;
    }

    private static int flood(byte[] labels, int[] mark, int[] queue, int start, int h, int w, int value, int id,
            boolean eight) {
        int head = 0;
        int tail = 0;
        queue[tail++] = start;
        mark[start] = id;
        while (head < tail) {
            int i = queue[head++];
            int y = i / w;
            int x = i % w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) {
                        continue;
                    }
                    int ny = y + dy;
                    int nx = x + dx;
                    if (ny < 0 || ny >= h || nx < 0 || nx >= w) {
                        continue;
                    }
                    int j = ny * w + nx;
                    if (labels[j] == value && mark[j] == 0) {
                        mark[j] = id;
                        queue[tail++] = j;
                    }
                }
            }
        }
        return tail;
    }

    private static Mask postProcessByFlood(Mask mask, int numClasses, boolean largest, boolean fill) {
        Mask m = mask;
        for (int c = 1; c < numClasses; c++) {
            if (largest) {
                m = largestComponentByFlood(m, c);
            }
            if (fill) {
                m = fillHolesByFlood(m, c);
            }
        }
        return m;
    }

    /** Whether the ops handed back the very instance they were given. */
    private static boolean sameInstance(Object a, Object b) {
        return a == b;
    }

    // ---- random masks ----

    /** Noise masks of the given density, and blobby ones (rectangles and rings) that have holes and ties. */
    private static Mask randomMask(SplittableRandom r, int h, int w, int classes, double density) {
        byte[] b = new byte[h * w];
        if (r.nextBoolean()) {
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextDouble() < density ? (byte) (1 + r.nextInt(classes - 1)) : 0;
            }
        } else {
            int shapes = 1 + r.nextInt(6);
            for (int s = 0; s < shapes; s++) {
                int y0 = r.nextInt(h);
                int x0 = r.nextInt(w);
                int y1 = Math.min(h, y0 + 1 + r.nextInt(Math.max(1, h / 2)));
                int x1 = Math.min(w, x0 + 1 + r.nextInt(Math.max(1, w / 2)));
                byte c = (byte) (1 + r.nextInt(classes - 1));
                boolean ring = r.nextBoolean();
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        boolean edge = y == y0 || y == y1 - 1 || x == x0 || x == x1 - 1;
                        if (!ring || edge) {
                            b[y * w + x] = c;
                        }
                    }
                }
            }
            for (int i = 0; i < b.length; i++) {
                if (r.nextDouble() < density / 10) {
                    b[i] = r.nextBoolean() ? 0 : (byte) (1 + r.nextInt(classes - 1));
                }
            }
        }
        return Mask.wrap(h, w, b);
    }

    private static final int[][] SIZES = {{1, 1}, {1, 2}, {2, 1}, {1, 17}, {17, 1}, {1, 300}, {300, 1}, {2, 2},
        {3, 3}, {2, 9}, {9, 2}, {5, 7}, {16, 16}, {31, 17}, {64, 64}, {256, 256}};

    private static List<Mask> masks(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Mask> out = new ArrayList<>();
        double[] densities = {0.02, 0.2, 0.45, 0.6, 0.8, 0.97};
        for (int[] size : SIZES) {
            int reps = size[0] * size[1] >= 65536 ? 4 : 24;
            for (int rep = 0; rep < reps; rep++) {
                int classes = 2 + r.nextInt(3);
                out.add(randomMask(r, size[0], size[1], classes, densities[rep % densities.length]));
            }
        }
        for (int t = 0; t < 600; t++) {
            out.add(randomMask(r, 1 + r.nextInt(24), 1 + r.nextInt(24), 2 + r.nextInt(3), r.nextDouble()));
        }
        return out;
    }

    @Test
    void largestComponentIsTheFloodFillsOnRandomMasks() {
        int changed = 0;
        for (Mask m : masks(1)) {
            for (int c = 0; c <= 4; c++) {
                Mask expected = largestComponentByFlood(m, c);
                Mask actual = MaskOps.largestComponent(m, c);
                assertThat(actual).as("%s class %d", m, c).isEqualTo(expected);
                assertThat(sameInstance(actual, m)).as("same instance, %s class %d", m, c).isEqualTo(sameInstance(expected, m));
                changed += sameInstance(expected, m) ? 0 : 1;
            }
            assertThat(MaskOps.largestComponent(m, 200)).isSameAs(m);
            assertThat(MaskOps.largestComponent(m, -1)).isSameAs(m);
        }
        assertThat(changed).as("masks that had something to remove").isGreaterThan(500);
    }

    @Test
    void fillHolesIsTheFloodFillsOnRandomMasks() {
        int changed = 0;
        for (Mask m : masks(2)) {
            for (int c = 0; c <= 3; c++) {
                Mask expected = fillHolesByFlood(m, c);
                Mask actual = MaskOps.fillHoles(m, c);
                assertThat(actual).as("%s class %d", m, c).isEqualTo(expected);
                assertThat(sameInstance(actual, m)).as("same instance, %s class %d", m, c).isEqualTo(sameInstance(expected, m));
                changed += sameInstance(expected, m) ? 0 : 1;
            }
        }
        assertThat(changed).as("masks that had holes").isGreaterThan(200);
    }

    @Test
    void postProcessingIsTheFloodFillsStepByStep() {
        for (Mask m : masks(3)) {
            for (int classes = 1; classes <= 5; classes++) {
                for (int steps = 0; steps < 4; steps++) {
                    boolean largest = (steps & 1) != 0;
                    boolean fill = (steps & 2) != 0;
                    Mask expected = postProcessByFlood(m, classes, largest, fill);
                    Mask actual = new PostProcessing(largest, fill).apply(m, classes);
                    assertThat(actual).as("%s, %d classes, steps %d", m, classes, steps).isEqualTo(expected);
                    assertThat(sameInstance(actual, m)).as("same instance").isEqualTo(sameInstance(expected, m));
                }
            }
        }
    }

    @Test
    void aLabelOutsideTheMaskRangeIsRefusedWhereThereIsAHoleToFill() {
        Mask ring = Mask.wrap(3, 3, new byte[] {1, 1, 1, 1, 0, 1, 1, 1, 1});
        assertThatThrownBy(() -> MaskOps.fillHoles(ring, 200)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask labels must be in 0..127: -56");
        Mask solid = Mask.wrap(2, 2, new byte[] {1, 1, 1, 1});
        assertThat(MaskOps.fillHoles(solid, 200)).isSameAs(solid);
    }

    @Test
    void threadsUsingTheOpsAtOnceGetTheirOwnResults() throws Exception {
        List<Mask> all = masks(4);
        List<Mask> expected = new ArrayList<>();
        for (Mask m : all) {
            expected.add(postProcessByFlood(m, 4, true, true));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Mask>>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                runs.add(pool.submit(() -> {
                    List<Mask> got = new ArrayList<>();
                    for (int i = 0; i < all.size(); i++) {
                        // each thread goes through the masks in its own order, so sizes interleave
                        got.add(PostProcessing.largestComponentAndFillHoles().apply(
                                all.get((i + offset * 97) % all.size()), 4));
                    }
                    return got;
                }));
            }
            for (int t = 0; t < 4; t++) {
                List<Mask> got = runs.get(t).get();
                for (int i = 0; i < all.size(); i++) {
                    assertThat(got.get(i)).isEqualTo(expected.get((i + t * 97) % all.size()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
