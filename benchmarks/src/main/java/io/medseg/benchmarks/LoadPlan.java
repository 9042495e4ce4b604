package io.medseg.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * What each request of a {@link ServeLoad} run sends: a good frame, or one of the bad kinds, spread evenly over the
 * run and chosen from a seed, so that two runs with the same arguments send the same requests in the same order.
 */
final class LoadPlan {
    /** The kinds of request, with the status the server must answer each with. */
    enum Kind {
        /** A real DICOM frame: 200. */
        GOOD("good", 200),
        /** A frame cut in half: 400, the reader's reason. */
        TRUNCATED("truncated", 400),
        /** A real frame sent as text/plain: 415. */
        WRONG_TYPE("wrong_type", 415),
        /** A body one byte over the server's limit: 413. */
        OVERSIZED("oversized", 413),
        /** A real frame without the bearer token: 401. */
        NO_TOKEN("no_token", 401);

        private final String label;
        private final int expected;

        Kind(String label, int expected) {
            this.label = label;
            this.expected = expected;
        }

        String label() {
            return label;
        }

        int expected() {
            return expected;
        }

        static Kind parse(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown request kind '" + label + "'");
        }
    }

    private static final Kind[] BAD = {Kind.TRUNCATED, Kind.WRONG_TYPE, Kind.OVERSIZED, Kind.NO_TOKEN};

    private final Kind[] kinds;
    private final int[] frames;

    private LoadPlan(Kind[] kinds, int[] frames) {
        this.kinds = kinds;
        this.frames = frames;
    }

    /**
     * A plan of {@code requests} requests over {@code frameCount} frames, {@code badFraction} of them bad (rounded
     * to the nearest whole request): the run is cut into as many equal strata as there are bad requests and each
     * stratum holds one, at a seeded place within it; the bad kinds take turns in a seeded order, so each kind
     * has a quarter of them (give or take one). Good requests go through the frames in seeded orders, each frame
     * once per pass.
     *
     * @throws IllegalArgumentException for no request, no frame, or a fraction outside [0, 1]
     */
    static LoadPlan of(int requests, int frameCount, double badFraction, long seed) {
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1, got " + requests);
        }
        if (frameCount < 1) {
            throw new IllegalArgumentException("there must be at least one frame, got " + frameCount);
        }
        if (!(badFraction >= 0 && badFraction <= 1)) {
            throw new IllegalArgumentException("the bad fraction must be within [0, 1], got " + badFraction);
        }
        SplittableRandom random = new SplittableRandom(seed);
        Kind[] kinds = new Kind[requests];
        Arrays.fill(kinds, Kind.GOOD);
        int bad = (int) Math.round(requests * badFraction);
        List<Kind> turns = new ArrayList<>(bad);
        for (int k = 0; k < bad; k++) {
            turns.add(BAD[k % BAD.length]);
        }
        Collections.shuffle(turns, new Random(random.nextLong()));
        for (int k = 0; k < bad; k++) {
            long from = (long) k * requests / bad;
            long to = (long) (k + 1) * requests / bad;
            kinds[(int) (from + random.nextLong(to - from))] = turns.get(k);
        }
        int[] frames = new int[requests];
        int[] order = new int[frameCount];
        for (int i = 0; i < requests; i++) {
            int inPass = i % frameCount;
            if (inPass == 0) {
                shuffle(order, random);
            }
            frames[i] = order[inPass];
        }
        return new LoadPlan(kinds, frames);
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    int size() {
        return kinds.length;
    }

    Kind kind(int request) {
        return kinds[request];
    }

    /** The frame request {@code request} sends (or cuts, or sends with the wrong type or without a token). */
    int frame(int request) {
        return frames[request];
    }

    /** How many requests are of {@code kind}. */
    int count(Kind kind) {
        int n = 0;
        for (Kind k : kinds) {
            if (k == kind) {
                n++;
            }
        }
        return n;
    }
}
