package io.medseg.mlops;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import io.medseg.io.AtomicFile;
import io.medseg.io.TextFields;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code MANIFEST} of a model package: the SHA-256 of every file in the package directory, so that a package can
 * be checked for tampering or incomplete copies before it is registered or served.
 *
 * <p>Format: UTF-8 text, one line per regular file, {@code <sha256 hex><two spaces><relative path>}, paths with
 * {@code '/'} separators, sorted by path (string order), each line ending in {@code '\n'}. This is what
 * {@code sha256sum} prints, so {@code sha256sum -c MANIFEST} run inside the package directory checks it too. The
 * manifest leaves out itself, everything under {@code validations/} (validation-gate records added after export) and
 * the signature {@code model.sig} (which covers the MANIFEST in its turn).
 * When reading, a {@code '*'} instead of the second space ({@code sha256sum -b}) and upper-case hex are accepted.
 *
 * <p>{@link #write} refuses symbolic links, special files, hidden files and directories (names starting with
 * {@code '.'}, such as half-written temporary files) and names that {@code sha256sum} would have to escape (with a
 * backslash, newline or carriage return). {@link #verify} re-hashes every file and throws a
 * {@link PackageIntegrityException} naming the offending file when anything differs.
 */
public final class PackageManifest {
    /** The manifest's file name inside a package. */
    public static final String FILE_NAME = "MANIFEST";
    /** The package folder for validation records, not covered by the manifest. */
    public static final String VALIDATIONS_DIR = "validations";
    /** A package's signature ({@code io.medseg.mlops.signing.ModelSigning}), not covered by the manifest. */
    public static final String SIGNATURE_FILE = "model.sig";

    private static final int MAX_LISTED_PROBLEMS = 5;
    /** The most characters of each further file's name a refusal shows (names can come from the MANIFEST). */
    private static final int MAX_LISTED_NAME_CHARS = 80;

    private final Path dir;
    private final SortedMap<String, String> entries;
    private final String sha256;

    private PackageManifest(Path dir, SortedMap<String, String> entries, String sha256) {
        this.dir = dir;
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.sha256 = sha256;
    }

    /**
     * Hashes every file of the package in {@code dir} and writes its {@code MANIFEST} atomically, replacing any
     * earlier one.
     *
     * @throws DataFormatException naming the first symbolic link, special file, hidden file or unrepresentable
     *     name found; nothing is written then
     */
    public static PackageManifest write(Path dir) throws IOException {
        Path root = packageRoot(dir);
        Scan scan = scan(root, true);
        if (!scan.problems.isEmpty()) {
            Problem first = scan.problems.get(0);
            throw new DataFormatException(first.file, first.message);
        }
        SortedMap<String, String> entries = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Path> e : scan.files.entrySet()) {
            String hash = Hashing.sha256(e.getValue());
            entries.put(e.getKey(), hash);
            text.append(hash).append("  ").append(e.getKey()).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(root.resolve(FILE_NAME), out -> out.write(bytes));
        return new PackageManifest(root, entries, Hashing.sha256(bytes));
    }

    /**
     * Reads and parses the package's {@code MANIFEST} without checking any file against it.
     *
     * @throws PackageIntegrityException if the manifest is missing, not UTF-8 or has a malformed line (the message
     *     gives the line number)
     */
    public static PackageManifest read(Path dir) throws IOException {
        Path root = packageRoot(dir);
        Path file = root.resolve(FILE_NAME);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PackageIntegrityException(file, "missing: not a model package, or its MANIFEST was never "
                    + "written");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PackageIntegrityException(file, "not a regular file");
        }
        ReadLimits limits = ReadLimits.defaults();
        long size = Files.size(file);
        if (size > limits.maxFileBytes()) {
            throw new PackageIntegrityException(file, "MANIFEST of " + size + " bytes is over the limit of "
                    + limits.maxFileBytes() + " bytes (raise it with -D" + ReadLimits.PROPERTY_PREFIX
                    + "maxFileBytes)");
        }
        byte[] bytes = Files.readAllBytes(file);
        return new PackageManifest(root, parse(file, bytes, limits.maxLineChars()), Hashing.sha256(bytes));
    }

    /**
     * Re-hashes the package in {@code dir} and checks it against its {@code MANIFEST}: every listed file present and
     * unmodified, every regular file outside {@code validations/} listed, no symbolic links or special files.
     *
     * @return the manifest, once everything matched
     * @throws PackageIntegrityException naming the first offending file (files in path order; the message counts
     *     and names a few more problems if there are any)
     */
    public static PackageManifest verify(Path dir) throws IOException {
        PackageManifest manifest = read(dir);
        Path root = manifest.dir;
        Scan scan = scan(root, false);
        List<Problem> problems = new ArrayList<>(scan.problems);
        for (Map.Entry<String, String> e : manifest.entries.entrySet()) {
            Path file = root.resolve(e.getKey());
            if (scan.files.containsKey(e.getKey())) {
                String actual = Hashing.sha256(file);
                if (!actual.equals(e.getValue())) {
                    problems.add(new Problem(file, "modified: sha256 is " + actual + ", MANIFEST says "
                            + e.getValue()));
                }
            } else if (scan.problems.stream().noneMatch(p -> file.startsWith(p.file))) {
                problems.add(new Problem(file, Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                        ? "listed in MANIFEST but not a regular file" : "listed in MANIFEST but missing"));
            }
        }
        for (Map.Entry<String, Path> e : scan.files.entrySet()) {
            if (!manifest.entries.containsKey(e.getKey())) {
                problems.add(new Problem(e.getValue(), "not listed in MANIFEST (added after the MANIFEST was "
                        + "written?)"));
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing((Problem p) -> p.file));
            throw integrityError(root, problems);
        }
        return manifest;
    }

    /** The SHA-256 of the package's {@code MANIFEST} file, which identifies the package's content. */
    public static String sha256(Path dir) throws IOException {
        return read(dir).sha256();
    }

    /** The package directory (absolute, symbolic links resolved). */
    public Path dir() {
        return dir;
    }

    /** Relative path (with {@code '/'}) → SHA-256 hex, sorted by path. */
    public SortedMap<String, String> entries() {
        return entries;
    }

    /** The SHA-256 of the {@code MANIFEST} file's bytes. */
    public String sha256() {
        return sha256;
    }

    @Override
    public String toString() {
        return "PackageManifest[" + dir + ", " + entries.size() + " files, sha256 " + sha256 + "]";
    }

    // ---- reading ----

    private static SortedMap<String, String> parse(Path file, byte[] bytes, int maxLineChars)
            throws PackageIntegrityException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PackageIntegrityException(file, "not utf-8 text", e);
        }
        SortedMap<String, String> entries = new TreeMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        int lineNo = 0;
        for (int start = 0; start < text.length(); ) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNo++;
            if (end - start > maxLineChars) {
                throw malformed(file, lineNo, "longer than the limit of " + maxLineChars + " characters (raise it "
                        + "with -D" + ReadLimits.PROPERTY_PREFIX + "maxLineChars)");
            }
            String line = text.substring(start, end);
            start = end + 1;
            if (line.isEmpty()) {
                throw malformed(file, lineNo, "empty line");
            }
            if (line.indexOf('\r') >= 0) {
                throw malformed(file, lineNo, "carriage return in line (windows line endings?)");
            }
            if (line.length() < 67 || !Hashing.isSha256Hex(line.substring(0, 64).toLowerCase(Locale.ROOT))
                    || line.charAt(64) != ' ' || (line.charAt(65) != ' ' && line.charAt(65) != '*')) {
                throw malformed(file, lineNo, "expected <64 hex digits><two spaces><relative path>, found "
                        + TextFields.excerpt(line, 80));
            }
            String hash = line.substring(0, 64).toLowerCase(Locale.ROOT);
            String path = line.substring(66);
            String bad = badPath(path);
            if (bad != null) {
                throw malformed(file, lineNo, "path " + TextFields.excerpt(path, 80) + " " + bad);
            }
            try {
                file.getFileSystem().getPath(path);
            } catch (InvalidPathException e) {
                throw malformed(file, lineNo, "path " + TextFields.excerpt(path, 80) + " is not a valid file name "
                        + "here: " + e.getReason());
            }
            Integer earlier = lineOf.putIfAbsent(path, lineNo);
            if (earlier != null) {
                throw malformed(file, lineNo, "path " + TextFields.excerpt(path, 80) + " listed again (first on "
                        + "line " + earlier + ")");
            }
            entries.put(path, hash);
        }
        return entries;
    }

    /** Why a manifest path is unacceptable, or null if it is a plain relative path inside the package. */
    private static String badPath(String path) {
        String unsafe = unsafeRelativePath(path);
        if (unsafe != null) {
            return unsafe;
        }
        if (path.equals(FILE_NAME)) {
            return "is the MANIFEST itself";
        }
        if (path.startsWith(VALIDATIONS_DIR + "/")) {
            return "is under " + VALIDATIONS_DIR + "/, which the MANIFEST does not cover";
        }
        return null;
    }

    /**
     * Why {@code path} (with {@code '/'} separators) cannot name a file inside a package folder, or null if it can:
     * absolute, a backslash, a control character, or an empty, {@code .} or {@code ..} part. Checked before the path
     * is resolved against anything.
     */
    static String unsafeRelativePath(String path) {
        if (path.startsWith("/")) {
            return "is absolute";
        }
        if (path.indexOf('\\') >= 0) {
            return "contains a backslash (escaped names are not supported)";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return String.format(Locale.ROOT, "contains the control character \\x%02x at position %d", (int) c,
                        i);
            }
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return "is not a normalised relative path";
            }
        }
        return null;
    }

    private static PackageIntegrityException malformed(Path file, int lineNo, String what) {
        return new PackageIntegrityException(file, "malformed line " + lineNo + ": " + what);
    }

    private static PackageIntegrityException integrityError(Path root, List<Problem> problems) {
        Problem first = problems.get(0);
        StringBuilder msg = new StringBuilder(first.message);
        if (problems.size() > 1) {
            msg.append(" (and ").append(problems.size() - 1).append(" more: ");
            for (int i = 1; i < problems.size() && i <= MAX_LISTED_PROBLEMS; i++) {
                if (i > 1) {
                    msg.append("; ");
                }
                Problem p = problems.get(i);
                msg.append(TextFields.printable(relative(root, p.file), MAX_LISTED_NAME_CHARS)).append(' ')
                        .append(p.message);
            }
            if (problems.size() > MAX_LISTED_PROBLEMS + 1) {
                msg.append("; ...");
            }
            msg.append(')');
        }
        return new PackageIntegrityException(first.file, msg.toString());
    }

    // ---- scanning the directory ----

    private record Problem(Path file, String message) {
    }

    private record Scan(SortedMap<String, Path> files, List<Problem> problems) {
    }

    /**
     * The package's regular files outside {@code validations/}, except the MANIFEST and the signature, by relative
     * path; links and special files are problems, and so, when writing, are hidden names and names sha256sum would
     * escape.
     */
    private static Scan scan(Path root, boolean forWrite) throws IOException {
        SortedMap<String, Path> files = new TreeMap<>();
        List<Problem> problems = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (d.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(root, d);
                if (rel.equals(VALIDATIONS_DIR)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (forWrite) {
                    String bad = unwritableName(d);
                    if (bad != null) {
                        problems.add(new Problem(d, bad));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                String rel = relative(root, f);
                if (rel.equals(FILE_NAME) || rel.equals(SIGNATURE_FILE)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    problems.add(new Problem(f, "symbolic link: a model package must hold regular files only"));
                } else if (!attrs.isRegularFile()) {
                    problems.add(new Problem(f, "not a regular file: a model package must hold regular files "
                            + "only"));
                } else if (forWrite && unwritableName(f) != null) {
                    problems.add(new Problem(f, unwritableName(f)));
                } else {
                    files.put(rel, f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                throw e;
            }
        });
        problems.sort(Comparator.comparing(Problem::file));
        return new Scan(files, problems);
    }

    private static String unwritableName(Path p) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
            return "hidden file or directory (a temporary file?): a model package must not contain names starting "
                    + "with '.'";
        }
        if (name.indexOf('\\') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            return "name contains a backslash, newline or carriage return, which a MANIFEST line cannot hold";
        }
        return null;
    }

    private static String relative(Path root, Path p) {
        Path rel = root.relativize(p);
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }

    private static Path packageRoot(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a package directory: " + dir + (Files.exists(dir)
                    ? " is not a directory" : " does not exist"));
        }
        return dir.toRealPath();
    }
}
