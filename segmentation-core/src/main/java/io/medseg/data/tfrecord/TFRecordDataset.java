package io.medseg.data.tfrecord;

import com.google.protobuf.InvalidProtocolBufferException;
import io.medseg.data.DataFormatException;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.tfrecord.proto.Example;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segmentation samples stored as {@code tf.train.Example}s in TFRecord files: loaded whole, streamed with bounded
 * memory, or written atomically.
 *
 * <p>The input is one {@code .tfrecord}/{@code .tfrecords} file or a folder of them (read in file-name order). A
 * record that does not decode becomes a {@link DataFormatException} naming the file, the record index and its byte
 * offset; {@code skipCorrupt} only skips records whose checksum fails (see {@link TFRecordReader}), never records
 * that are intact but do not fit the schema.
 */
public final class TFRecordDataset {
    private static final Logger LOG = LoggerFactory.getLogger(TFRecordDataset.class);

    private TFRecordDataset() {
    }

    /** The TFRecord files {@code fileOrDir} stands for: itself, or the folder's {@code *.tfrecord(s)} sorted by name. */
    public static List<Path> files(Path fileOrDir) throws IOException {
        Objects.requireNonNull(fileOrDir, "fileOrDir");
        if (Files.isRegularFile(fileOrDir)) {
            return List.of(fileOrDir);
        }
        if (!Files.isDirectory(fileOrDir)) {
            throw new DataFormatException(fileOrDir, "no such TFRecord file or folder");
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(fileOrDir)) {
            s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".tfrecord") || n.endsWith(".tfrecords");
            }).sorted().forEach(out::add);
        }
        if (out.isEmpty()) {
            throw new DataFormatException(fileOrDir, "folder holds no .tfrecord or .tfrecords files");
        }
        return List.copyOf(out);
    }

    /** Loads every sample into memory; the dataset is named after {@code fileOrDir}. */
    public static SegmentationDataset load(Path fileOrDir, ExampleSchema schema, boolean skipCorrupt)
            throws IOException {
        List<Sample> samples = new ArrayList<>();
        try (Stream<Sample> s = stream(fileOrDir, schema, skipCorrupt)) {
            s.forEachOrdered(samples::add);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return SegmentationDataset.of(fileOrDir.getFileName().toString(), samples);
    }

    /**
     * The samples one at a time: at most one record is held in memory. Close the stream (try-with-resources) to
     * release the open file. I/O errors surface as {@link UncheckedIOException}.
     */
    public static Stream<Sample> stream(Path fileOrDir, ExampleSchema schema, boolean skipCorrupt)
            throws IOException {
        SampleIterator it = new SampleIterator(files(fileOrDir), Objects.requireNonNull(schema, "schema"),
                skipCorrupt);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(it::close);
    }

    /** Writes {@code samples} in order to {@code file}; the file appears only once every sample is written. */
    public static void write(Collection<Sample> samples, Path file, ExampleSchema schema, boolean gzip)
            throws IOException {
        Objects.requireNonNull(samples, "samples");
        Objects.requireNonNull(schema, "schema");
        try (TFRecordWriter w = TFRecordWriter.create(file, gzip)) {
            for (Sample s : samples) {
                w.write(schema.encode(s).toByteArray());
            }
            w.commit();
        }
        LOG.info("{}: wrote {} samples{}", file, samples.size(), gzip ? " (gzip)" : "");
    }

    private static final class SampleIterator implements Iterator<Sample>, AutoCloseable {
        private final List<Path> files;
        private final ExampleSchema schema;
        private final boolean skipCorrupt;
        private int fileIndex;
        private TFRecordReader reader;
        private Sample next;

        SampleIterator(List<Path> files, ExampleSchema schema, boolean skipCorrupt) {
            this.files = files;
            this.schema = schema;
            this.skipCorrupt = skipCorrupt;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    if (reader == null) {
                        if (fileIndex >= files.size()) {
                            return false;
                        }
                        reader = TFRecordReader.open(files.get(fileIndex++), skipCorrupt);
                    }
                    byte[] payload = reader.next();
                    if (payload == null) {
                        if (reader.skipped() > 0) {
                            LOG.warn("{}: skipped {} corrupt record(s)", reader.file(), reader.skipped());
                        }
                        reader.close();
                        reader = null;
                    } else {
                        next = decode(reader, payload);
                    }
                }
                return true;
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private Sample decode(TFRecordReader r, byte[] payload) throws DataFormatException {
            String where = "record " + r.recordIndex() + " at byte offset " + r.offset();
            try {
                return schema.decode(Example.parseFrom(payload),
                        r.file().getFileName() + "#" + r.recordIndex());
            } catch (InvalidProtocolBufferException e) {
                throw new DataFormatException(r.file(), where + ": not a tf.train.Example: " + e.getMessage(), e);
            } catch (ExampleFormatException | IllegalArgumentException e) {
                throw new DataFormatException(r.file(), where + ": " + e.getMessage(), e);
            }
        }

        @Override
        public Sample next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Sample s = next;
            next = null;
            return s;
        }

        @Override
        public void close() {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException e) {
                    LOG.debug("closing {}", reader.file(), e);
                }
                reader = null;
            }
            fileIndex = files.size();
        }
    }
}
