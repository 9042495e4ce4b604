package io.medseg.postprocess;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Connected components of one label value in a row-major label map, found on runs (maximal horizontal stretches of
 * the value) with a union-find over the runs: one scan collects the runs, a second joins each run to the runs of
 * the row above that it touches. Runs are numbered in row-major order of their first pixel and every set's root is
 * its lowest-numbered run, so components come out in the order of their first pixel, as a row-major flood fill
 * would meet them.
 *
 * <p>An instance is per-thread scratch ({@link #get}) whose arrays grow to the largest map seen and are reused.
 */
final class RunLabelling {
    /** Maps up to this many pixels keep their scratch with the thread; larger ones get arrays for one call. */
    private static final int MAX_KEPT_PIXELS = 1 << 22;

    private static final long ONES = 0x0101010101010101L;
    /** Eight bytes of a label map at a time, for skipping long stretches of one label. */
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<RunLabelling> SCRATCH = ThreadLocal.withInitial(RunLabelling::new);

    /** Run {@code r} covers columns {@code start[r]} (inclusive) to {@code end[r]} (exclusive) of row {@code row[r]}. */
    int[] start = new int[0];
    int[] end = new int[0];
    int[] row = new int[0];
    /** Union-find parent; after {@link #label}, every run's root (the set's lowest run). */
    int[] parent = new int[0];
    /** Per root after {@link #label}: the component's pixel count. */
    int[] size = new int[0];
    /** Per root after {@link #label}: whether the component touches the border of the map. */
    boolean[] border = new boolean[0];
    int runs;
    /** A working copy of a label map, for the caller that owns this scratch. */
    byte[] labels = new byte[0];

    /** This thread's scratch, or a fresh one for a map too large to keep. */
    static RunLabelling get(int pixels) {
        return pixels <= MAX_KEPT_PIXELS ? SCRATCH.get() : new RunLabelling();
    }

    /** {@link #labels}, at least {@code n} long. */
    byte[] labels(int n) {
        if (labels.length < n) {
            labels = new byte[n];
        }
        return labels;
    }

    /**
     * Finds the components of pixels equal to {@code value} in {@code map} ({@code h x w}, row-major), 4-connected
     * or 8-connected; fills the run arrays, {@link #parent} (resolved to roots), {@link #size} and {@link #border}.
     */
    void label(byte[] map, int h, int w, int value, boolean eight) {
        // one slot more than there can be runs: run starts and ends are written before it is known they count
        ensure(h * ((w + 1) / 2) + 1);
        long pattern = (value & 0xffL) * ONES;
        int n = 0;
        int prevFirst = 0;
        for (int y = 0; y < h; y++) {
            int first = n;
            int base = y * w;
            // every column writes the next start and end slots and counts them only where a run starts or ends,
            // so that speckled rows cost no mispredicted branches; blocks of eight that cannot start or end a
            // run are skipped whole
            int ends = n;
            int inRun = 0;
            int x = 0;
            while (x < w) {
                if (x + Long.BYTES <= w) {
                    long block = (long) LONGS.get(map, base + x);
                    if (inRun == 0 ? !hasZeroByte(block ^ pattern) : block == pattern) {
                        x += Long.BYTES;
                        continue;
                    }
                }
                int stop = Math.min(w, x + Long.BYTES);
                for (; x < stop; x++) {
                    int hit = (((map[base + x] ^ value) & 0xff) - 1) >>> 31;
                    start[n] = x;
                    n += hit & ~inRun;
                    end[ends] = x;
                    ends += inRun & ~hit;
                    inRun = hit;
                }
            }
            if (inRun != 0) {
                end[ends] = w;
            }
            for (int r = first; r < n; r++) {
                row[r] = y;
                parent[r] = r;
            }
            if (y > 0) {
                joinRows(prevFirst, first, first, n, eight);
            }
            prevFirst = first;
        }
        runs = n;
        for (int r = 0; r < n; r++) {
            size[r] = 0;
            border[r] = false;
        }
        for (int r = 0; r < n; r++) {
            // roots have lower numbers than their members, so one forward pass resolves every run
            int root = parent[parent[r]];
            parent[r] = root;
            size[root] += end[r] - start[r];
            if (row[r] == 0 || row[r] == h - 1 || start[r] == 0 || end[r] == w) {
                border[root] = true;
            }
        }
    }

    /** Whether any of the eight bytes of {@code v} is zero. */
    private static boolean hasZeroByte(long v) {
        return ((v - ONES) & ~v & (ONES << 7)) != 0;
    }

    /** Joins runs {@code [a, aEnd)} of one row with the runs {@code [b, bEnd)} of the next that they touch. */
    private void joinRows(int a, int aEnd, int b, int bEnd, boolean eight) {
        // 4-connected: column ranges overlap; 8-connected: they overlap or meet at a corner
        int reach = eight ? 1 : 0;
        int i = a;
        int j = b;
        while (i < aEnd && j < bEnd) {
            if (end[i] + reach <= start[j]) {
                i++;
            } else if (end[j] + reach <= start[i]) {
                j++;
            } else {
                union(i, j);
                if (end[i] < end[j]) {
                    i++;
                } else {
                    j++;
                }
            }
        }
    }

    private int find(int r) {
        int x = r;
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    /** Joins two sets under the lower of their roots. */
    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra < rb) {
            parent[rb] = ra;
        } else if (rb < ra) {
            parent[ra] = rb;
        }
    }

    private void ensure(int maxRuns) {
        if (start.length < maxRuns) {
            start = new int[maxRuns];
            end = new int[maxRuns];
            row = new int[maxRuns];
            parent = new int[maxRuns];
            size = new int[maxRuns];
            border = new boolean[maxRuns];
        }
    }
}
