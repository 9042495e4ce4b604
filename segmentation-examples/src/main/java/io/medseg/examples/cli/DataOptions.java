package io.medseg.examples.cli;

import io.medseg.data.DataFormat;
import io.medseg.data.DataSources;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.tfrecord.TFRecordReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * {@code --format} and {@code --skip-corrupt}, shared by every command that reads labelled data. Without
 * {@code --format} the format is detected from the content of {@code --data} ({@link DataSources#detect}).
 */
final class DataOptions {
    @Option(names = "--format", paramLabel = "F", converter = FormatConverter.class,
            description = "Input format: sunnybrook, tfrecord or folder (default: detected from the data).")
    DataFormat format;

    @Option(names = "--skip-corrupt",
            description = "Skip TFRecord records that fail their checksum or do not parse, and report how many.")
    boolean skipCorrupt;

    /** The format asked for, else the detected one. */
    DataFormat formatOf(Path data) throws IOException {
        Inputs.existing(data);
        return format != null ? format : DataSources.detect(data);
    }

    /**
     * Every labelled frame of {@code data} (of the given patients only, when {@code patients} is not null); refuses
     * unknown patient ids and an empty result.
     */
    SegmentationDataset load(Path data, Collection<String> patients, PrintStream err) throws IOException {
        DataFormat f = formatOf(data);
        boolean records = f == DataFormat.TFRECORD;
        if (skipCorrupt && !records) {
            err.println("note: --skip-corrupt applies to TFRecord input only; " + data + " is " + f.id());
        }
        SegmentationDataset ds = DataSources.load(data, f, skipCorrupt && records);
        if (skipCorrupt && records) {
            int skipped = skippedRecords(data);
            err.println("skipped " + skipped + " corrupt record" + (skipped == 1 ? "" : "s") + " in " + data);
        }
        return DataSources.select(data, ds, patients);
    }

    /**
     * How many records the lenient reader skips. A second pass over the framing only (no decoding): the dataset
     * loader returns frames, not a count, and a cheap recount keeps the report exact.
     */
    static int skippedRecords(Path data) throws IOException {
        int skipped = 0;
        for (Path file : recordFiles(data)) {
            try (TFRecordReader reader = TFRecordReader.open(file, true)) {
                while (reader.next() != null) {
                    // only the count of skipped records is wanted
                }
                skipped += reader.skipped();
            }
        }
        return skipped;
    }

    private static List<Path> recordFiles(Path data) throws IOException {
        if (!Files.isDirectory(data)) {
            return List.of(data);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(data)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains(".tfrecord"))
                    .sorted().forEach(files::add);
        }
        return files;
    }

    static final class FormatConverter implements ITypeConverter<DataFormat> {
        @Override
        public DataFormat convert(String value) {
            try {
                return DataFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
