package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What data a run read, by content: every regular file under the data path (or the data file itself) with its
 * size and SHA-256, plus one aggregate hash over the sorted list. Hidden files and folders (names starting with a
 * dot) are left out. Two manifests with the same aggregate hash describe byte-identical data.
 *
 * @param root the data path as given, made absolute
 * @param files entries sorted by relative path ({@code /}-separated)
 * @param aggregateSha256 SHA-256 of the lines {@code "<sha256>  <path>\n"} of all entries in order
 */
@JsonPropertyOrder({"format", "formatVersion", "root", "file_count", "total_bytes", "aggregate_sha256", "files"})
public record DataManifest(String root, List<Entry> files,
        @JsonProperty("aggregate_sha256") String aggregateSha256) {
    /** The {@code "format"} of {@code data-manifest.json}. */
    public static final String FORMAT = "medseg-data-manifest";
    static final int FORMAT_VERSION = 1;

    /** One input file. */
    public record Entry(String path, long size, String sha256) {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    public DataManifest {
        Objects.requireNonNull(root, "root");
        files = List.copyOf(Objects.requireNonNull(files, "files"));
        Objects.requireNonNull(aggregateSha256, "aggregateSha256");
    }

    /** Hashes every regular, non-hidden file under {@code dataPath} (a folder or one file). */
    public static DataManifest of(Path dataPath) throws IOException {
        Path root = dataPath.toAbsolutePath().normalize();
        List<Entry> entries = new ArrayList<>();
        if (Files.isRegularFile(root)) {
            entries.add(new Entry(root.getFileName().toString(), Files.size(root), Hashing.sha256(root)));
        } else if (Files.isDirectory(root)) {
            TreeMap<String, Path> sorted = new TreeMap<>();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).filter(p -> !hidden(root.relativize(p)))
                        .forEach(p -> sorted.put(relative(root, p), p));
            }
            for (Map.Entry<String, Path> e : sorted.entrySet()) {
                entries.add(new Entry(e.getKey(), Files.size(e.getValue()), Hashing.sha256(e.getValue())));
            }
        } else {
            throw new java.nio.file.NoSuchFileException(root.toString(), null, "no such data file or folder");
        }
        return new DataManifest(root.toString(), entries, aggregate(entries));
    }

    private static boolean hidden(Path rel) {
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    static String aggregate(List<Entry> entries) {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.sha256()).append("  ").append(e.path()).append('\n');
        }
        return Hashing.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    @JsonProperty("total_bytes")
    public long totalBytes() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    /**
     * What differs from {@code other}, one line per file ({@code "changed patients/SCD0000101/IM-0001.dcm"},
     * {@code "added ..."}, {@code "removed ..."}, from this manifest's point of view); empty when the data are
     * the same.
     */
    public List<String> differencesFrom(DataManifest other) {
        Map<String, Entry> mine = byPath(files);
        Map<String, Entry> theirs = byPath(other.files);
        List<String> out = new ArrayList<>();
        for (Entry e : files) {
            Entry o = theirs.get(e.path());
            if (o == null) {
                out.add("added " + e.path());
            } else if (!o.sha256().equals(e.sha256())) {
                out.add("changed " + e.path());
            }
        }
        for (Entry o : other.files) {
            if (!mine.containsKey(o.path())) {
                out.add("removed " + o.path());
            }
        }
        return out;
    }

    private static Map<String, Entry> byPath(List<Entry> entries) {
        Map<String, Entry> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.path(), e));
        return m;
    }

    /** Files listed. */
    @JsonProperty("file_count")
    public int fileCount() {
        return files.size();
    }

    @JsonProperty("format")
    String format() {
        return FORMAT;
    }

    @JsonProperty("formatVersion")
    int formatVersion() {
        return FORMAT_VERSION;
    }

    /** Binds a {@code data-manifest.json}; refuses another format and an aggregate hash that does not match. */
    @JsonCreator
    static DataManifest fromJson(@JsonProperty("format") String format, @JsonProperty("root") String root,
            @JsonProperty("files") List<Entry> files, @JsonProperty("aggregate_sha256") String aggregateSha256) {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("not a data manifest (format: " + format + ")");
        }
        if (!aggregate(files).equals(aggregateSha256)) {
            throw new IllegalArgumentException("aggregate hash does not match the listed files");
        }
        return new DataManifest(root, files, aggregateSha256);
    }

    /** Writes the manifest as {@code file} (pretty JSON, atomically). */
    public void write(Path file) throws IOException {
        Json.writeFile(file, this);
    }

    /**
     * Reads a manifest written by {@link #write}; checks that the aggregate hash matches the entries.
     *
     * @throws DataFormatException naming the file when it is not a readable data manifest
     */
    public static DataManifest read(Path file) throws IOException {
        return Json.read(file, DataManifest.class);
    }
}
