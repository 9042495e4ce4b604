package io.medseg.tf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The float variables of one graph, each with a placeholder and an assign op so that values computed in Java
 * (seeded initial weights, snapshots, loaded checkpoints) can be written without storing them as constants in
 * the graph.
 */
final class Variables {

    /** How a variable's first values are drawn. */
    enum Init {
        /** He-normal: N(0, 2 / fanIn), for weights followed by ReLU-like activations. */
        HE_NORMAL,
        ZEROS,
        ONES
    }

    @SuppressWarnings("ArrayRecordComponent") // a shape, read but never compared
    record Entry(String name, Variable<TFloat32> variable, Placeholder<TFloat32> feed, Assign<TFloat32> assign,
            long[] shape, Init init, long fanIn, boolean trainable) {
        int size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return Math.toIntExact(n);
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    Variable<TFloat32> create(Ops scoped, String name, long[] shape, Init init, long fanIn, boolean trainable) {
        Variable<TFloat32> v = scoped.withName(name).variable(Shape.of(shape), TFloat32.class);
        String fullName = v.op().name();
        if (entries.containsKey(fullName)) {
            throw new IllegalStateException("variable created twice: " + fullName);
        }
        Placeholder<TFloat32> feed = scoped.withName(name + "_feed").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(shape)));
        Assign<TFloat32> assign = scoped.withName(name + "_assign").assign(v, feed);
        entries.put(fullName, new Entry(fullName, v, feed, assign, shape.clone(), init, fanIn, trainable));
        return v;
    }

    Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no variable named " + name);
        }
        return e;
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    List<Entry> all() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    List<Entry> trainable() {
        return entries.values().stream().filter(Entry::trainable).toList();
    }

    /** Initial values for every variable, drawn in creation order from one seeded generator. */
    Map<String, float[]> initialValues(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            float[] v = new float[e.size()];
            switch (e.init()) {
                case ONES -> java.util.Arrays.fill(v, 1f);
                case ZEROS -> {
                    // already zero
                }
                case HE_NORMAL -> {
                    double sd = Math.sqrt(2.0 / Math.max(1, e.fanIn()));
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (gaussian(random) * sd);
                    }
                }
                default -> throw new IllegalStateException("unknown init " + e.init());
            }
            values.put(e.name(), v);
        }
        return values;
    }

    /** Box-Muller, so the sequence depends only on the generator (not on JDK nextGaussian internals). */
    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
