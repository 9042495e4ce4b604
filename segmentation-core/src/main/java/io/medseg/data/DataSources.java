package io.medseg.data;

import io.medseg.data.folder.ImageMaskFolder;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import io.medseg.data.tfrecord.TFRecordReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One entry point for datasets on disk: {@link #detect} tells the {@link DataFormat} from the content (never from
 * file extensions) and {@link #load(Path, DataFormat)} reads it.
 *
 * <p>Detection order: a folder with {@code link.csv}, {@code dicoms/} and {@code contourfiles/} is
 * {@link DataFormat#SUNNYBROOK}; a folder in an image/mask layout is {@link DataFormat#IMAGE_MASK_FOLDER}; a file
 * with a TFRecord header or the gzip magic, or a folder holding at least one such {@code *.tfrecord(s)} file (not
 * searched recursively), is {@link DataFormat#TFRECORD}.
 */
public final class DataSources {
    private DataSources() {
    }

    /**
     * The format of {@code path}, judged from its content.
     *
     * @throws java.nio.file.NoSuchFileException if {@code path} does not exist
     * @throws DataFormatException if it is none of the known formats; the message lists what was looked for
     */
    public static DataFormat detect(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no dataset here");
        }
        if (Files.isDirectory(path)) {
            if (SunnybrookDataset.looksLikeSunnybrook(path)) {
                return DataFormat.SUNNYBROOK;
            }
            if (ImageMaskFolder.looksLikeImageMaskFolder(path)) {
                return DataFormat.IMAGE_MASK_FOLDER;
            }
            // the same files the TFRecord loader reads, so detection and loading agree
            try (Stream<Path> files = Files.list(path)) {
                if (files.filter(DataSources::hasTfRecordName).anyMatch(TFRecordReader::looksLikeTFRecord)) {
                    return DataFormat.TFRECORD;
                }
            }
        } else if (TFRecordReader.looksLikeTFRecord(path)) {
            return DataFormat.TFRECORD;
        }
        throw new DataFormatException(path, "not a dataset in any known format; looked for " + lookedFor());
    }

    /** Detects the format of {@code path} and loads it. */
    public static SegmentationDataset load(Path path) throws IOException {
        return load(path, detect(path));
    }

    /** Loads {@code path} as {@code format}, with each format's defaults; corrupt TFRecords are errors. */
    public static SegmentationDataset load(Path path, DataFormat format) throws IOException {
        return load(path, format, false);
    }

    /**
     * Loads {@code path} as {@code format}. TFRecords are read with the cardiac lab's schema ({@link LabSchema});
     * with {@code skipCorrupt}, records whose checksums fail are skipped and counted in the log instead of failing.
     */
    public static SegmentationDataset load(Path path, DataFormat format, boolean skipCorrupt) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        return switch (format) {
            case SUNNYBROOK -> SunnybrookDataset.load(path);
            case IMAGE_MASK_FOLDER -> ImageMaskFolder.load(path);
            case TFRECORD -> TFRecordDataset.load(path, LabSchema.create(), skipCorrupt);
        };
    }

    /**
     * Loads {@code path} as {@code format} (detected from the content when null) and keeps the frames of
     * {@code patients} only, when that is not null.
     *
     * @throws IllegalArgumentException naming {@code path} when it has none of some of {@code patients}, or no
     *     labelled frames at all
     */
    public static SegmentationDataset load(Path path, DataFormat format, boolean skipCorrupt,
            Collection<String> patients) throws IOException {
        return select(path, load(path, format == null ? detect(path) : format, skipCorrupt), patients);
    }

    /**
     * The frames of {@code patients} in {@code ds} (all of them when {@code patients} is null), read from
     * {@code path}.
     *
     * @throws IllegalArgumentException naming {@code path} when it has none of some of {@code patients}, or no
     *     labelled frames at all
     */
    public static SegmentationDataset select(Path path, SegmentationDataset ds, Collection<String> patients) {
        if (patients != null) {
            Set<String> missing = new TreeSet<>(patients);
            missing.removeAll(ds.patients());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(path + ": no patients " + missing + " (patients: " + ds.patients()
                        + ")");
            }
            return nonEmpty(path, ds.forPatients(patients), patients);
        }
        return nonEmpty(path, ds, null);
    }

    private static SegmentationDataset nonEmpty(Path path, SegmentationDataset ds, Collection<String> patients) {
        if (ds.isEmpty()) {
            throw new IllegalArgumentException(path + ": no labelled frames"
                    + (patients == null ? "" : " for patients " + patients));
        }
        return ds;
    }

    private static boolean hasTfRecordName(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".tfrecord") || n.endsWith(".tfrecords");
    }

    private static String lookedFor() {
        List<String> parts = Arrays.stream(DataFormat.values()).map(f -> switch (f) {
            case SUNNYBROOK -> "SUNNYBROOK (a folder with link.csv, dicoms/ and contourfiles/)";
            case TFRECORD -> "TFRECORD (a file starting with a TFRecord header or gzip magic, or a folder of them)";
            case IMAGE_MASK_FOLDER -> "IMAGE_MASK_FOLDER (images/ + masks/ of PNGs, or <name>.png + "
                    + "<name>_mask.png)";
        }).toList();
        return String.join(", ", parts);
    }
}
