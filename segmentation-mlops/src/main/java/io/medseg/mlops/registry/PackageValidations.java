package io.medseg.mlops.registry;

import io.medseg.data.DataFormatException;
import io.medseg.mlops.PackageManifest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validation records in a package's {@code validations/} folder, read fresh from disk: every non-hidden
 * regular {@code *.json} file directly in that folder. Files that are not readable records are not fatal: they are
 * kept in {@link #unreadable()} with the reason, so callers can say why a record did not count.
 *
 * @param records the readable records, oldest first ({@code created}, then file name)
 * @param unreadable file → why it is not a usable record, in file name order
 */
public record PackageValidations(List<ValidationRecord> records, Map<Path, String> unreadable) {
    private static final Comparator<ValidationRecord> ORDER = Comparator.comparing(ValidationRecord::created)
            .thenComparing(r -> r.file().getFileName().toString());

    public PackageValidations {
        records = List.copyOf(records);
        unreadable = Collections.unmodifiableMap(new LinkedHashMap<>(unreadable));
    }

    /** Reads the records of the package in {@code packageDir}; none if it has no {@code validations/} folder. */
    public static PackageValidations read(Path packageDir) throws IOException {
        Objects.requireNonNull(packageDir, "packageDir");
        Path dir = packageDir.resolve(PackageManifest.VALIDATIONS_DIR);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new PackageValidations(List.of(), Map.of());
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : entries) {
                if (!f.getFileName().toString().startsWith(".")) {
                    files.add(f);
                }
            }
        }
        files.sort(Comparator.comparing(f -> f.getFileName().toString()));
        List<ValidationRecord> records = new ArrayList<>();
        Map<Path, String> unreadable = new LinkedHashMap<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                unreadable.put(f, "not a regular file");
                continue;
            }
            try {
                records.add(ValidationRecord.read(f));
            } catch (DataFormatException e) {
                String msg = e.getMessage();
                String prefix = f + ": ";
                unreadable.put(f, msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg);
            }
        }
        records.sort(ORDER);
        return new PackageValidations(records, unreadable);
    }

    /** The records that validated the package whose MANIFEST has SHA-256 {@code manifestSha256}, oldest first. */
    public List<ValidationRecord> matching(String manifestSha256) {
        return records.stream().filter(r -> r.isFor(manifestSha256)).toList();
    }

    /** The newest record for that MANIFEST, whose verdict is the package's current verdict. */
    public Optional<ValidationRecord> latest(String manifestSha256) {
        List<ValidationRecord> m = matching(manifestSha256);
        return m.isEmpty() ? Optional.empty() : Optional.of(m.get(m.size() - 1));
    }
}
