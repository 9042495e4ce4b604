package io.medseg.mlops.drift;

import static io.medseg.mlops.drift.DriftTestImages.images;
import static io.medseg.mlops.drift.DriftTestImages.masks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.io.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.DoubleNode;
import tools.jackson.databind.node.ObjectNode;

class DriftWindowTest {
    private static final DriftDetector DETECTOR = DriftDetector.defaults();

    /** Two phantom patients, ten frames each, with their masks: the reference. */
    private static DataProfile reference;
    /** Twelve frames of other phantom patients, each with a pixel spacing, and their masks. */
    private static List<Image> incoming;
    private static List<Mask> incomingMasks;

    @BeforeAll
    static void profiles() {
        SegmentationDataset ref = CardiacPhantom.builder().imageSize(64).patients(2).framesPerPatient(10).seed(3)
                .build().generate();
        reference = DataProfile.of(images(ref.samples()), masks(ref.samples()));
        SegmentationDataset inc = CardiacPhantom.builder().imageSize(64).patients(3).framesPerPatient(4).seed(8)
                .build().generate();
        incoming = images(inc.samples());
        incomingMasks = masks(inc.samples());
    }

    private static DriftWindow window(int capacity) {
        return new DriftWindow(reference, capacity, DETECTOR);
    }

    private static void assertSameProfile(DataProfile actual, DataProfile expected) {
        assertThat(actual.imageCount()).isEqualTo(expected.imageCount());
        assertThat(actual.areaUnit()).isEqualTo(expected.areaUnit());
        for (DriftFeature f : DriftFeature.values()) {
            assertThat(actual.has(f)).as(f.key()).isEqualTo(expected.has(f));
            if (expected.has(f)) {
                assertThat(actual.values(f)).as(f.key()).containsExactly(expected.values(f));
            }
        }
        assertThat(actual.histogram().edges()).containsExactly(expected.histogram().edges());
        assertThat(actual.histogram().counts()).containsExactly(expected.histogram().counts());
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void aFullWindowProfilesLikeDataProfileAgainstOnTheSameImages() {
        DriftWindow w = window(8);
        for (int i = 0; i < incoming.size(); i++) {
            w.add(w.observe(incoming.get(i), incomingMasks.get(i)));
        }
        // the last 8 of the 12 images added, in the order they came
        List<Image> last = incoming.subList(4, 12);
        DataProfile expected = DataProfile.against(reference, last, incomingMasks.subList(4, 12));
        assertThat(expected.areaUnit()).contains(DataProfile.UNIT_MM2);
        assertSameProfile(w.profile().orElseThrow(), expected);
        assertThat(w.report().orElseThrow().toJson()).isEqualTo(DETECTOR.compare(reference, expected).toJson());
        assertThat(w.size()).isEqualTo(8);
        assertThat(w.seen()).isEqualTo(12);
        assertThat(w.capacity()).isEqualTo(8);
        assertThat(w.reference()).isSameAs(reference);
    }

    @Test
    void aWindowNotYetFullProfilesWhatItHolds() {
        DriftWindow w = window(200);
        assertThat(w.profile()).isEmpty();
        assertThat(w.report()).isEmpty();
        for (int i = 0; i < 3; i++) {
            w.add(w.observe(incoming.get(i), incomingMasks.get(i)));
        }
        assertSameProfile(w.profile().orElseThrow(),
                DataProfile.against(reference, incoming.subList(0, 3), incomingMasks.subList(0, 3)));
    }

    @Test
    void theOldestImageLeavesWhenTheWindowIsFull() {
        DriftWindow w = window(3);
        // five copies of one frame at gains 1..5: the intensity scale tells which are in the window
        Image base = incoming.get(0);
        double scale = ImageStatistics.percentile99(base.toArray());
        for (int gain = 1; gain <= 5; gain++) {
            w.add(w.observe(WhatIf.scaled(List.of(base), gain).get(0), null));
            double[] scales = w.profile().orElseThrow().values(DriftFeature.INTENSITY_SCALE);
            double[] expected = new double[Math.min(gain, 3)];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = (gain - expected.length + 1 + k) * scale;
            }
            assertThat(scales).as("after gain %d", gain).containsExactly(expected, offset(1e-3 * scale));
        }
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.seen()).isEqualTo(5);
    }

    @Test
    void withoutMasksThereIsNoLvArea() {
        DriftWindow w = window(4);
        for (int i = 0; i < 4; i++) {
            w.add(w.observe(incoming.get(i), null));
        }
        DataProfile p = w.profile().orElseThrow();
        assertThat(p.hasMasks()).isFalse();
        assertThat(p.has(DriftFeature.LV_AREA)).isFalse();
        assertThat(p.areaUnit()).isEmpty();
        assertSameProfile(p, DataProfile.against(reference, incoming.subList(0, 4), null));
        DriftReport r = w.report().orElseThrow();
        assertThat(r.feature(DriftFeature.LV_AREA)).isEmpty();
        assertThat(r.notes()).contains("lv area not compared: the incoming profile has no masks");
        // one image without a mask among masked ones: the window has no lv area either, until it leaves
        w.add(w.observe(incoming.get(4), incomingMasks.get(4)));
        w.add(w.observe(incoming.get(5), incomingMasks.get(5)));
        w.add(w.observe(incoming.get(6), incomingMasks.get(6)));
        assertThat(w.profile().orElseThrow().has(DriftFeature.LV_AREA)).isFalse();
        w.add(w.observe(incoming.get(7), incomingMasks.get(7)));
        assertThat(w.profile().orElseThrow().has(DriftFeature.LV_AREA)).isTrue();
    }

    @Test
    void mixedSpacingGivesTheAreaInPixels() {
        List<Image> mixed = new ArrayList<>(incoming.subList(0, 4));
        mixed.set(1, mixed.get(1).withSpacing(null));
        mixed.set(3, mixed.get(3).withSpacing(null));
        List<Mask> m = incomingMasks.subList(0, 4);
        DriftWindow w = window(4);
        for (int i = 0; i < 4; i++) {
            w.add(w.observe(mixed.get(i), m.get(i)));
        }
        DataProfile p = w.profile().orElseThrow();
        assertThat(p.areaUnit()).contains(DataProfile.UNIT_PIXELS);
        double[] pixels = new double[4];
        for (int i = 0; i < 4; i++) {
            pixels[i] = (double) m.get(i).height() * m.get(i).width() - m.get(i).count(0);
        }
        assertThat(p.values(DriftFeature.LV_AREA)).containsExactly(pixels);
        assertThat(p.values(DriftFeature.SPACING_ROW)[1]).isNaN();
        assertSameProfile(p, DataProfile.against(reference, mixed, m));
        // the reference is in mm², so the report leaves the area out and says why
        assertThat(w.report().orElseThrow().notes()).anyMatch(n -> n.startsWith("lv area not compared: reference "
                + "areas in mm2, incoming in px"));
    }

    @Test
    void badInputIsRefusedNamingIt() {
        for (int capacity : new int[] {1, 0, -5}) {
            assertThatThrownBy(() -> window(capacity)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a drift window needs at least 2 images, got " + capacity);
        }
        assertThatThrownBy(() -> new DriftWindow(null, 10, DETECTOR)).isInstanceOf(NullPointerException.class)
                .hasMessage("reference");
        assertThatThrownBy(() -> new DriftWindow(reference, 10, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("detector");
        DriftWindow w = window(10);
        Image image = incoming.get(0);
        assertThatThrownBy(() -> w.observe(image, Mask.empty(32, 64))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask is 32x64 but its image is 64x64");
        assertThatThrownBy(() -> w.observe(Image.of(8, 8, new float[64]), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the image has no signal: its 99th percentile is 0.0 (drift features are relative to it)");
        assertThatThrownBy(() -> w.observe(Image.of(4, 4, 3, new float[48]), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("drift features need single-channel images: the image is ");
        float[] nan = image.toArray();
        nan[7] = Float.NaN;
        assertThatThrownBy(() -> w.observe(Image.of(64, 64, nan), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the image has a non-finite pixel: NaN");
        assertThatThrownBy(() -> w.observe(null, null)).isInstanceOf(NullPointerException.class).hasMessage("image");
        assertThatThrownBy(() -> w.add(null)).isInstanceOf(NullPointerException.class).hasMessage("observation");
        assertThat(w.size()).isZero();
        assertThat(w.seen()).isZero();
    }

    @Test
    void anObservationCountedInAnotherReferencesBinsIsRefused() {
        DriftWindow w = window(10);
        // another reference with as many bins but other edges: counts of the same length, in other bins
        ObjectNode tree = (ObjectNode) Json.tree(reference.toJson());
        ArrayNode edges = (ArrayNode) tree.path("intensity_histogram").path("edges");
        for (int i = 0; i < edges.size(); i++) {
            edges.set(i, DoubleNode.valueOf(edges.get(i).asDouble() * 1.01));
        }
        DataProfile other = DataProfile.fromJson(Json.write(tree));
        assertThat(other.histogram().bins()).isEqualTo(reference.histogram().bins());
        DriftWindow.Observation foreign = new DriftWindow(other, 10, DETECTOR).observe(incoming.get(0), null);
        assertThatThrownBy(() -> w.add(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("observation was counted in other histogram bins ")
                .hasMessageEndingWith("; observe it with this window");
        // and fewer bins
        DataProfile coarse = DataProfile.of(incoming, null, 4);
        DriftWindow.Observation fewer = new DriftWindow(coarse, 10, DETECTOR).observe(incoming.get(0), null);
        assertThatThrownBy(() -> w.add(fewer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("observation was counted in other histogram bins ");
        assertThat(w.size()).isZero();
        // a window on an equal reference (read back from its JSON) takes it
        DriftWindow twin = new DriftWindow(DataProfile.fromJson(reference.toJson()), 10, DETECTOR);
        w.add(twin.observe(incoming.get(0), null));
        assertThat(w.size()).isEqualTo(1);
    }

    @Test
    void concurrentAddsLoseNothingAndReadersAlwaysSeeAConsistentWindow() throws Exception {
        int threads = 8;
        int perThread = 20_000;
        int capacity = 50;
        // each thread adds copies of its own frame at its own gain, so every window entry says who added it
        List<DriftWindow.Observation> observations = new ArrayList<>();
        DriftWindow w = window(capacity);
        Set<Double> scales = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            Image im = WhatIf.scaled(List.of(incoming.get(t)), 1 + t).get(0);
            observations.add(w.observe(im, incomingMasks.get(t)));
            scales.add(ImageStatistics.percentile99(im.toArray()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        try {
            List<Future<?>> adders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                DriftWindow.Observation o = observations.get(t);
                adders.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        w.add(o);
                    }
                    return null;
                }));
            }
            Future<Integer> reader = pool.submit(() -> {
                go.await();
                int reads = 0;
                while (!done.get()) {
                    w.report().ifPresent(r -> assertThat(r.incomingImages()).isBetween(1, capacity));
                    DataProfile p = w.profile().orElse(null);
                    if (p != null) {
                        assertThat(p.imageCount()).isBetween(1, capacity);
                        assertThat(p.values(DriftFeature.LV_AREA)).hasSize(p.imageCount());
                        for (double s : p.values(DriftFeature.INTENSITY_SCALE)) {
                            assertThat(scales).contains(s);
                        }
                    }
                    reads++;
                }
                return reads;
            });
            go.countDown();
            for (Future<?> f : adders) {
                f.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(w.seen()).isEqualTo((long) threads * perThread);
        assertThat(w.size()).isEqualTo(capacity);
        DataProfile p = w.profile().orElseThrow();
        assertThat(p.imageCount()).isEqualTo(capacity);
        assertThat(Arrays.stream(p.values(DriftFeature.INTENSITY_SCALE)).allMatch(scales::contains)).isTrue();
    }

    @Test
    void theWindowReportsDriftOnceEnoughShiftedImagesHaveArrived() {
        // one phantom patient, one receiver gain: its frames x4 lie far beyond the reference's intensity scale
        SegmentationDataset one = CardiacPhantom.builder().imageSize(64).patients(1).framesPerPatient(12).seed(5)
                .build().generate();
        List<Image> frames = images(one.samples());
        List<Mask> frameMasks = masks(one.samples());
        DriftWindow w = new DriftWindow(DataProfile.of(frames, frameMasks), 10, DETECTOR);
        for (int i = 0; i < 10; i++) {
            w.add(w.observe(frames.get(i), frameMasks.get(i)));
        }
        DriftReport before = w.report().orElseThrow();
        assertThat(before.drifted()).as(before.summary()).isFalse();
        List<Image> brighter = WhatIf.scaled(frames, 4);
        for (int i = 0; i < 10; i++) {
            w.add(w.observe(brighter.get(i), frameMasks.get(i)));
        }
        DriftReport r = w.report().orElseThrow();
        assertThat(r.driftedFeatures()).as(r.summary()).containsExactly("intensity_scale");
        assertThat(r.incomingImages()).isEqualTo(10);
        assertThat(r.referenceImages()).isEqualTo(12);
    }

    @Test
    void spacingIsKeptPerImage() {
        DriftWindow w = window(2);
        Image a = incoming.get(0).withSpacing(new PixelSpacing(1.5, 1.25));
        w.add(w.observe(a, null));
        w.add(w.observe(incoming.get(1).withSpacing(null), null));
        DataProfile p = w.profile().orElseThrow();
        assertThat(p.values(DriftFeature.SPACING_ROW)).containsExactly(1.5, Double.NaN);
        assertThat(p.values(DriftFeature.SPACING_COL)).containsExactly(1.25, Double.NaN);
    }
}
