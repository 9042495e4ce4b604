package io.medseg.tf.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.tfrecord.TFRecordReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** Reads event files back through the project's checksum-verifying TFRecord reader and our proto. */
final class EventFiles {
    private EventFiles() {
    }

    /** Every event of {@code file}, in order. */
    static List<Event> read(Path file) throws IOException {
        List<Event> out = new ArrayList<>();
        try (TFRecordReader r = TFRecordReader.open(file)) {
            for (byte[] b = r.next(); b != null; b = r.next()) {
                out.add(Event.parseFrom(b));
            }
        }
        return out;
    }

    /** The one event file in {@code dir}. */
    static Path single(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().startsWith(EventFileWriter.FILE_PREFIX))
                    .toList();
            assertThat(files).as("event files in " + dir).hasSize(1);
            return files.get(0);
        }
    }

    /** The summary values of {@code events} with tag {@code tag}, paired with their steps. */
    static List<Tagged> values(List<Event> events, String tag) {
        List<Tagged> out = new ArrayList<>();
        for (Event e : events) {
            if (e.hasSummary()) {
                for (Summary.Value v : e.getSummary().getValueList()) {
                    if (v.getTag().equals(tag)) {
                        out.add(new Tagged(e.getStep(), v));
                    }
                }
            }
        }
        return out;
    }

    /** The steps of the values with tag {@code tag}, in file order. */
    static List<Long> steps(List<Event> events, String tag) {
        return values(events, tag).stream().map(Tagged::step).toList();
    }

    /** Every tag, in order of first appearance. */
    static List<String> tags(List<Event> events) {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                if (!out.contains(v.getTag())) {
                    out.add(v.getTag());
                }
            }
        }
        return out;
    }

    record Tagged(long step, Summary.Value value) {
    }
}
