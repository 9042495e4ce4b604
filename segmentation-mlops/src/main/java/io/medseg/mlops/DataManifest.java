package io.medseg.mlops;

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
public record DataManifest(String root, List<Entry> files, String aggregateSha256) {

    /** One input file. */
    public record Entry(String path, long size, String sha256) {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    public DataManifest {
        Objects.requireNonNull(root, "root");
        files = List.copyOf(files);
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

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "medseg-data-manifest");
        m.put("formatVersion", 1);
        m.put("root", root);
        m.put("file_count", files.size());
        m.put("total_bytes", totalBytes());
        m.put("aggregate_sha256", aggregateSha256);
        List<Object> list = new ArrayList<>();
        for (Entry e : files) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("path", e.path());
            f.put("size", e.size());
            f.put("sha256", e.sha256());
            list.add(f);
        }
        m.put("files", list);
        return m;
    }

    /** Reads a manifest written by {@link #toMap()}; checks that the aggregate hash matches the entries. */
    public static DataManifest read(Path file) throws IOException {
        Map<String, Object> m;
        try {
            m = Json.object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
            if (!"medseg-data-manifest".equals(m.get("format"))) {
                throw new DataFormatException(file, "not a data manifest (format: " + m.get("format") + ")");
            }
            List<Entry> entries = new ArrayList<>();
            for (Object o : Json.getArray(m, "files")) {
                Map<String, Object> f = Json.object(o);
                entries.add(new Entry(Json.getString(f, "path"), Json.getLong(f, "size"), Json.getString(f, "sha256")));
            }
            String agg = Json.getString(m, "aggregate_sha256");
            if (!aggregate(entries).equals(agg)) {
                throw new DataFormatException(file, "aggregate hash does not match the listed files");
            }
            return new DataManifest(Json.getString(m, "root"), entries, agg);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "unreadable data manifest: " + e.getMessage(), e);
        }
    }
}
