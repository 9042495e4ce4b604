package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Sample;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.tf.tensorboard.EventFileWriter;
import io.medseg.tf.tensorboard.TensorBoardListener;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.EagerSession;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Event files from {@link EventFileWriter} and {@link TensorBoardListener} against TensorFlow's own pieces: the
 * records are read by TensorFlow's C++ TFRecord reader ({@link TensorFlowRecords}) and parsed with TensorFlow's
 * generated {@code org.tensorflow.proto} classes (no unknown fields), and our histograms are compared with the
 * {@code HistogramSummary} kernel's.
 */
class TensorBoardEventsTest {
    private static final UNetSpec TINY = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();

    @TempDir
    Path tmp;

    @BeforeAll
    static void natives() throws BackendUnavailableException {
        Backends.load();
    }

    /** Every event of the one event file in {@code dir}, read by TensorFlow and parsed with its protos. */
    private static List<Event> readWithTensorFlow(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList();
        }
        assertThat(files).as("event files in " + dir).hasSize(1);
        List<Event> out = new ArrayList<>();
        for (byte[] record : TensorFlowRecords.readAll(files.get(0), "")) {
            Event e = Event.parseFrom(record);
            assertNoUnknownFields(e);
            out.add(e);
        }
        return out;
    }

    /** A field number or wire type of ours that TensorFlow's proto does not share would land in unknown fields. */
    private static void assertNoUnknownFields(Message m) {
        assertThat(m.getUnknownFields().asMap()).as("unknown fields of " + m.getDescriptorForType().getFullName())
                .isEmpty();
        for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
            if (f.getKey().getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (f.getKey().isRepeated()) {
                    for (Object o : (List<?>) f.getValue()) {
                        assertNoUnknownFields((Message) o);
                    }
                } else {
                    assertNoUnknownFields((Message) f.getValue());
                }
            }
        }
    }

    /** tag to (step to value), in file order. */
    private static Map<String, Map<Long, Summary.Value>> byTag(List<Event> events) {
        Map<String, Map<Long, Summary.Value>> out = new LinkedHashMap<>();
        for (Event e : events) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                Summary.Value old = out.computeIfAbsent(v.getTag(), t -> new LinkedHashMap<>()).put(e.getStep(), v);
                assertThat(old).as("tag %s written twice at step %d", v.getTag(), e.getStep()).isNull();
            }
        }
        return out;
    }

    @Test
    void tensorFlowReadsOurEventFile() throws Exception {
        BufferedImage rgb = new BufferedImage(12, 8, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(5, 3, 0x30FF30);
        BufferedImage grey = new BufferedImage(9, 11, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 4, 0, 200);
        float[] values = gaussian(5000, 7);
        try (EventFileWriter w = EventFileWriter.create(tmp)) {
            w.sessionStart(4);
            w.scalar("train/loss", 4, 0.625);
            w.scalar("train/loss", 5, 0.5);
            w.image("frames/a/prediction", 4, rgb);
            w.image("frames/a/input", 4, grey);
            w.histogram("weights/w", 4, values);
        }
        List<Event> events = readWithTensorFlow(tmp);
        assertThat(events).hasSize(7);
        assertThat(events.get(0).getWhatCase()).isEqualTo(Event.WhatCase.FILE_VERSION);
        assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(events.get(1).getWhatCase()).isEqualTo(Event.WhatCase.SESSION_LOG);
        assertThat(events.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(events.get(1).getStep()).isEqualTo(4);
        for (Event e : events) {
            assertThat(e.getWallTime()).isGreaterThan(1.6e9);
        }

        Map<String, Map<Long, Summary.Value>> tags = byTag(events);
        assertThat(tags.keySet()).containsExactly("train/loss", "frames/a/prediction", "frames/a/input",
                "weights/w");
        assertThat(tags.get("train/loss").keySet()).containsExactly(4L, 5L);
        assertThat(tags.get("train/loss").get(4L).getValueCase()).isEqualTo(Summary.Value.ValueCase.SIMPLE_VALUE);
        assertThat(tags.get("train/loss").get(4L).getSimpleValue()).isEqualTo(0.625f);
        assertThat(tags.get("train/loss").get(5L).getSimpleValue()).isEqualTo(0.5f);

        Summary.Image pred = tags.get("frames/a/prediction").get(4L).getImage();
        assertThat(pred.getWidth()).isEqualTo(12);
        assertThat(pred.getHeight()).isEqualTo(8);
        assertThat(pred.getColorspace()).isEqualTo(3);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(pred.getEncodedImageString().toByteArray()));
        assertThat(decoded.getWidth()).isEqualTo(12);
        assertThat(decoded.getRGB(5, 3) & 0xFFFFFF).isEqualTo(0x30FF30);
        Summary.Image in = tags.get("frames/a/input").get(4L).getImage();
        assertThat(in.getColorspace()).isEqualTo(1);
        BufferedImage inDecoded = ImageIO.read(new ByteArrayInputStream(in.getEncodedImageString().toByteArray()));
        assertThat(inDecoded.getHeight()).isEqualTo(11);
        assertThat(inDecoded.getRaster().getSample(2, 4, 0)).isEqualTo(200);

        HistogramProto h = tags.get("weights/w").get(4L).getHisto();
        assertThat(h.getNum()).isEqualTo(5000);
        assertThat(h.getBucketList().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(5000);
        assertThat(h).isEqualTo(tensorFlowHistogram(values));
    }

    @Test
    void histogramsMatchTensorFlowsHistogramSummaryKernel() {
        SplittableRandom r = new SplittableRandom(3);
        List<float[]> cases = new ArrayList<>();
        cases.add(new float[] {0f});
        cases.add(new float[] {0f, -0f});
        cases.add(new float[] {-0f, 0f});
        cases.add(new float[] {-0f, 0f, 1e-12f, -1e-12f, 1f, -1f, 1e-30f, 3e30f, -3e30f, Float.MAX_VALUE});
        cases.add(gaussian(20_000, 11));
        float[] weights = new float[3000];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (r.nextGaussian() * 0.05 + (i % 3 == 0 ? 1 : 0));
        }
        cases.add(weights);
        for (float[] values : cases) {
            try (EventFileWriter w = EventFileWriter.create(tmp.resolve("h" + cases.indexOf(values)))) {
                w.histogram("h", 1, values);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        for (int i = 0; i < cases.size(); i++) {
            try {
                HistogramProto ours = byTag(readWithTensorFlow(tmp.resolve("h" + i))).get("h").get(1L).getHisto();
                assertThat(ours).as("case %d", i).isEqualTo(tensorFlowHistogram(cases.get(i)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 2.5 - 0.3);
        }
        return v;
    }

    /** The histogram TensorFlow's {@code HistogramSummary} kernel makes of {@code values}. */
    private static HistogramProto tensorFlowHistogram(float[] values) {
        try (EagerSession session = EagerSession.create();
                TFloat32 t = TFloat32.tensorOf(Shape.of(values.length), d -> StdArrays.copyTo(values, d))) {
            Ops tf = Ops.create(session);
            try (TString out = tf.summary.histogramSummary(tf.constant("h"), tf.constantOf(t)).summary().asTensor()) {
                Summary s = Summary.parseFrom(out.asBytes().getObject());
                return s.getValue(0).getHisto();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aTinyTrainingRunLogsEveryTagAtEveryStep() throws Exception {
        // 8 phantom frames: 6 to train on in batches of 4 (2 batches per epoch), 2 to validate and to picture
        List<Sample> data = CardiacPhantom.builder().imageSize(32).patients(2).framesPerPatient(4).seed(5).build()
                .generate().samples();
        List<Sample> train = data.subList(0, 6);
        List<Sample> val = data.subList(6, 8);
        Path logDir = tmp.resolve("run");
        TrainingResult result;
        Set<String> variables = new TreeSet<>();
        try (SegmentationModel model = Backends.load().create(TINY, 1);
                TensorBoardListener tb = TensorBoardListener.builder().logDir(logDir).model(model).frames(val)
                        .histograms(true).build()) {
            ModelState s = model.snapshot();
            s.names().forEach(variables::add);
            result = Trainer.builder().epochs(2).batchSize(4).seed(1)
                    .optimizer(Optimizers.adam(Optimizers.step(1e-2, 1, 0.1))).listener(tb).build()
                    .fit(model, train, val);
        }
        assertThat(variables).isNotEmpty();

        List<Event> steps = readWithTensorFlow(logDir.resolve(TensorBoardListener.STEPS_RUN));
        assertThat(steps.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(steps.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(steps.get(1).getStep()).isEqualTo(1);
        Map<String, Map<Long, Summary.Value>> s = byTag(steps);
        assertThat(s.keySet()).containsExactlyInAnyOrder("train/loss", "train/learning_rate");
        assertThat(s.get("train/loss").keySet()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(s.get("train/learning_rate").keySet()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(s.get("train/learning_rate").values()).extracting(Summary.Value::getSimpleValue)
                .containsExactly(1e-2f, 1e-2f, 1e-3f, 1e-3f);
        for (Summary.Value v : s.get("train/loss").values()) {
            assertThat(v.getSimpleValue()).isPositive().isFinite();
        }
        // the epoch loss is the mean of its steps' losses
        float[] loss = new float[4];
        int i = 0;
        for (Summary.Value v : s.get("train/loss").values()) {
            loss[i++] = v.getSimpleValue();
        }
        assertThat(result.history().get(0).trainLoss()).isCloseTo((loss[0] + loss[1]) / 2.0,
                org.assertj.core.data.Offset.offset(1e-6));

        List<Event> epochs = readWithTensorFlow(logDir.resolve(TensorBoardListener.EPOCHS_RUN));
        assertThat(epochs.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(epochs.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(epochs.get(1).getStep()).isEqualTo(1);
        Map<String, Map<Long, Summary.Value>> e = byTag(epochs);
        Set<String> expected = new HashSet<>(List.of("epoch/loss", "epoch/val_dice", "epoch/learning_rate",
                "frames/dice_mean"));
        for (Sample f : val) {
            for (String kind : List.of("input", "expert", "prediction", "dice")) {
                expected.add("frames/" + f.id() + "/" + kind);
            }
        }
        variables.forEach(v -> expected.add("weights/" + v));
        assertThat(e.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String tag : expected) {
            boolean once = tag.endsWith("/input") || tag.endsWith("/expert");
            assertThat(e.get(tag).keySet()).as(tag).containsExactlyElementsOf(once ? List.of(1L) : List.of(1L, 2L));
        }
        for (int epoch = 1; epoch <= 2; epoch++) {
            var r = result.history().get(epoch - 1);
            long step = epoch;
            assertThat(e.get("epoch/loss").get(step).getSimpleValue()).isEqualTo((float) r.trainLoss());
            assertThat(e.get("epoch/val_dice").get(step).getSimpleValue())
                    .isEqualTo((float) r.validationDice().getAsDouble());
            assertThat(e.get("epoch/learning_rate").get(step).getSimpleValue()).isEqualTo((float) r.learningRate());
        }
        for (Sample f : val) {
            for (String kind : List.of("input", "expert", "prediction")) {
                Summary.Image img = e.get("frames/" + f.id() + "/" + kind).get(1L).getImage();
                assertThat(img.getWidth()).isEqualTo(32);
                assertThat(img.getHeight()).isEqualTo(32);
                assertThat(img.getColorspace()).isEqualTo(kind.equals("input") ? 1 : 3);
                BufferedImage b = ImageIO.read(new ByteArrayInputStream(img.getEncodedImageString().toByteArray()));
                assertThat(b.getWidth()).isEqualTo(32);
            }
        }
        for (String v : variables) {
            for (long step : List.of(1L, 2L)) {
                HistogramProto h = e.get("weights/" + v).get(step).getHisto();
                assertThat(h.getBucketList().stream().mapToDouble(Double::doubleValue).sum()).as(v)
                        .isEqualTo(h.getNum());
                assertThat(h.getNum()).isPositive();
            }
        }
    }
}
