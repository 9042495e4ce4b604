package io.medseg.tf;

import io.medseg.backend.ModelState;
import io.medseg.backend.TrainingSession;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * The training graph of one model: loss over the training-mode network, gradients, and TensorFlow's own
 * {@code ApplyAdam} / {@code ApplyMomentum} kernels with the learning rate (and Adam's bias-correction powers) fed
 * each step, so any schedule runs without rebuilding the graph. Every update waits for every gradient (control
 * dependencies), so no variable changes while another gradient still reads it: runs are reproducible.
 */
final class TfTrainingSession implements TrainingSession {
    private final TfSegmentationModel model;
    private final Session session;
    private final UNetSpec spec;
    private final OptimizerSpec optimizer;
    private final Placeholder<TUint8> labels;
    private final Placeholder<TFloat32> learningRate;
    private final Placeholder<TFloat32> beta1Power;
    private final Placeholder<TFloat32> beta2Power;
    private final Operand<TFloat32> loss;
    private final Op trainOp;
    private final List<Variables.Entry> slotEntries = new ArrayList<>();
    /** Per slot, a key that names the weight and the slot kind, independent of the session's graph scope. */
    private final List<String> slotKeys = new ArrayList<>();
    private long steps;
    private boolean closed;

    TfTrainingSession(TfSegmentationModel model, Ops root, UNetGraph net, LossSpec lossSpec,
            OptimizerSpec optimizer, int index) {
        this.model = model;
        this.session = model.session();
        this.spec = model.spec();
        this.optimizer = optimizer;
        Ops tf = root.withSubScope("training" + (index == 0 ? "" : "_" + index));
        this.labels = tf.withName("labels").placeholder(TUint8.class,
                Placeholder.shape(Shape.of(-1, spec.inputHeight(), spec.inputWidth())));
        this.learningRate = tf.withName("learning_rate").placeholder(TFloat32.class,
                Placeholder.shape(Shape.scalar()));
        this.beta1Power = tf.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        this.beta2Power = tf.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

        Operand<TFloat32> logits = net.trainingLogits();
        Operand<TInt32> labelIndex = tf.dtypes.cast(labels, TInt32.class);
        Operand<TFloat32> oneHot = tf.oneHot(labelIndex, tf.constant(spec.numClasses()), tf.constant(1f),
                tf.constant(0f));
        this.loss = tf.withName("loss").identity(LossGraph.build(tf.withSubScope("loss"), lossSpec, logits, oneHot,
                spec.numClasses()));

        List<Variables.Entry> trainable = net.variables().trainable();
        List<Operand<?>> vars = new ArrayList<>();
        for (Variables.Entry e : trainable) {
            vars.add(e.variable());
        }
        Output<?>[] grads = session.graph().addGradients(loss.asOutput(),
                vars.stream().map(Operand::asOutput).toArray(Output<?>[]::new));
        List<Op> gradOps = new ArrayList<>();
        for (Output<?> g : grads) {
            if (g == null) {
                throw new IllegalStateException("no gradient for a trainable variable: check the graph");
            }
            gradOps.add(g);
        }
        // BN moving statistics are updated from the same forward pass, then all optimiser updates run
        gradOps.addAll(net.batchNormUpdates());
        // slots are created outside the control dependencies (their initial assign must not need a batch)
        Ops slotScope = tf.withSubScope("slots");
        Ops opt = tf.withSubScope("optimizer").withControlDependencies(gradOps);
        List<Op> updates = new ArrayList<>();
        for (int i = 0; i < trainable.size(); i++) {
            updates.add(update(opt, slotScope, trainable.get(i), grads[i]));
        }
        this.trainOp = tf.withName("train").withControlDependencies(updates).noOp();
        model.initialiseSlots(slotEntries);
    }

    @SuppressWarnings("unchecked")
    private Op update(Ops opt, Ops slotScope, Variables.Entry e, Output<?> gradient) {
        Output<TFloat32> grad = (Output<TFloat32>) gradient;
        String base = e.name().replace('/', '_');
        Variable<TFloat32> var = e.variable();
        if (optimizer instanceof OptimizerSpec.Adam adam) {
            Variable<TFloat32> m = slot(slotScope, base + "_m", e.name() + ":m", e.shape());
            Variable<TFloat32> v = slot(slotScope, base + "_v", e.name() + ":v", e.shape());
            return opt.train.applyAdam(var, m, v, beta1Power, beta2Power, learningRate,
                    opt.constant((float) adam.beta1()), opt.constant((float) adam.beta2()),
                    opt.constant((float) adam.epsilon()), grad);
        }
        if (optimizer instanceof OptimizerSpec.Sgd sgd) {
            Variable<TFloat32> accum = slot(slotScope, base + "_momentum", e.name() + ":momentum", e.shape());
            return opt.train.applyMomentum(var, accum, learningRate, grad, opt.constant((float) sgd.momentum()),
                    ApplyMomentum.useNesterov(sgd.nesterov()));
        }
        throw new IllegalArgumentException("unsupported optimizer: " + optimizer);
    }

    private Variable<TFloat32> slot(Ops scope, String name, String key, long[] shape) {
        Variables slots = model.slotVariables();
        Variable<TFloat32> v = slots.create(scope, name, shape, Variables.Init.ZEROS, 1, false);
        slotEntries.add(slots.get(v.op().name()));
        slotKeys.add(key);
        return v;
    }

    @Override
    public float step(float[] images, byte[] labelData, int batchSize, float rate) {
        checkOpen();
        int per = spec.inputHeight() * spec.inputWidth();
        if (batchSize < 1 || images.length != (long) batchSize * per * spec.inputChannels()
                || labelData.length != (long) batchSize * per) {
            throw new IllegalArgumentException("batch of " + batchSize + " needs " + (batchSize * per
                    * spec.inputChannels()) + " input values and " + (batchSize * per) + " labels, got "
                    + images.length + " and " + labelData.length);
        }
        long t = steps + 1;
        float b1 = 0f;
        float b2 = 0f;
        if (optimizer instanceof OptimizerSpec.Adam adam) {
            b1 = (float) Math.pow(adam.beta1(), (double) t);
            b2 = (float) Math.pow(adam.beta2(), (double) t);
        }
        final float beta1 = b1;
        final float beta2 = b2;
        return model.exclusive(() -> {
            try (TFloat32 x = Tensors.floats(images, batchSize, spec.inputHeight(), spec.inputWidth(),
                    spec.inputChannels());
                    TUint8 y = Tensors.bytes(labelData, batchSize, spec.inputHeight(), spec.inputWidth());
                    TFloat32 lr = Tensors.scalar(rate);
                    TFloat32 p1 = Tensors.scalar(beta1);
                    TFloat32 p2 = Tensors.scalar(beta2)) {
                float value = model.firstRuns().run("step " + trainOp.op().name(), () -> {
                    try (Result r = session.runner().feed(model.input(), x).feed(labels, y).feed(learningRate, lr)
                            .feed(beta1Power, p1).feed(beta2Power, p2).fetch(loss).addTarget(trainOp).run()) {
                        return ((TFloat32) r.get(0)).getFloat();
                    }
                });
                steps = t;
                return value;
            }
        });
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public ModelState optimizerState() {
        checkOpen();
        Map<String, float[]> byEntry = model.read(slotEntries);
        Map<String, float[]> byKey = new LinkedHashMap<>();
        for (int i = 0; i < slotEntries.size(); i++) {
            byKey.put(slotKeys.get(i), byEntry.get(slotEntries.get(i).name()));
        }
        return new ModelState(byKey);
    }

    @Override
    public void restoreOptimizerState(ModelState state, long restoredSteps) {
        checkOpen();
        if (restoredSteps < 0) {
            throw new IllegalArgumentException("steps must be >= 0: " + restoredSteps);
        }
        if (state.size() != slotKeys.size()) {
            throw new IllegalArgumentException("optimizer state does not fit this session: " + state.size()
                    + " slots, expected " + slotKeys.size() + " (" + optimizer + ")");
        }
        Map<String, float[]> byEntry = new LinkedHashMap<>();
        for (int i = 0; i < slotEntries.size(); i++) {
            Variables.Entry e = slotEntries.get(i);
            float[] v;
            try {
                v = state.get(slotKeys.get(i));
            } catch (IllegalArgumentException missing) {
                throw new IllegalArgumentException("optimizer state does not fit this session: slot "
                        + slotKeys.get(i) + " is missing", missing);
            }
            if (v.length != e.size()) {
                throw new IllegalArgumentException("optimizer state does not fit this session: slot "
                        + slotKeys.get(i) + " has " + v.length + " values, expected " + e.size());
            }
            byEntry.put(e.name(), v);
        }
        model.assign(model.slotVariables(), byEntry);
        steps = restoredSteps;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("training session is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        model.trainingSessionClosed(this);
    }
}
