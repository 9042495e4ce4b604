package io.medseg.mlops.signing;

import io.medseg.io.Json;
import io.medseg.mlops.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * What a model signature signs: an in-toto Statement v1 in the OpenSSF model signing format (predicate type
 * {@value #PREDICATE_TYPE}, serialization method {@code files}). The predicate lists every file of the model by its
 * path relative to the model folder ({@code /}-separated) with its SHA-256; the subject is the model's name (the
 * folder's name) with the SHA-256 over all file digests, raw bytes, in the order listed. Files are listed in the
 * order of their paths compared component by component; a model that is a single file lists it as {@code "."}.
 *
 * <p>{@code ignorePaths} are left out of the listing and recorded in the statement, so that a verifier leaves them
 * out too; for a model package they are the signature file itself and {@code validations/} (the evidence added
 * after export, which the package's MANIFEST leaves out as well).
 */
public final class SigningPayload {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
    static final String METHOD = "files";
    static final String HASH = "sha256";

    /** Compares {@code /}-separated paths component by component, as the format orders its resources. */
    static final Comparator<String> PATH_ORDER = (a, b) -> {
        String[] pa = a.split("/", -1);
        String[] pb = b.split("/", -1);
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c = pa[i].compareTo(pb[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pa.length, pb.length);
    };

    private final String modelName;
    private final Map<String, String> resources;
    private final boolean allowSymlinks;
    private final List<String> ignorePaths;

    private SigningPayload(String modelName, Map<String, String> resources, boolean allowSymlinks,
            List<String> ignorePaths) {
        this.modelName = modelName;
        this.resources = resources;
        this.allowSymlinks = allowSymlinks;
        this.ignorePaths = ignorePaths;
    }

    /**
     * Hashes the model at {@code model} (a folder, or a single file) into a payload.
     *
     * @param allowSymlinks whether a symbolic link is followed and its target's content hashed; if not, a link is
     *     an error naming it
     * @param ignorePaths paths relative to the model folder left out (a folder leaves out all below it)
     * @throws UnsignableModelException naming a link (when not allowed) or a file that is neither regular nor a
     *     folder
     */
    public static SigningPayload of(Path model, boolean allowSymlinks, List<String> ignorePaths) throws IOException {
        Objects.requireNonNull(model, "model");
        List<String> ignored = normalise(ignorePaths);
        Path root = model.toAbsolutePath().normalize();
        String name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        Map<String, String> digests = new java.util.TreeMap<>(PATH_ORDER);
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            checkEntry(root, root, allowSymlinks);
            if (!Files.isDirectory(root)) {
                digests.put(".", Hashing.sha256(root));
            }
        } else {
            Files.walkFileTree(root, allowSymlinks ? EnumSet.of(FileVisitOption.FOLLOW_LINKS)
                    : EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root) && isIgnored(relative(root, dir), ignored)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!dir.equals(root)) {
                        checkEntry(root, dir, allowSymlinks);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String rel = relative(root, file);
                    if (isIgnored(rel, ignored)) {
                        return FileVisitResult.CONTINUE;
                    }
                    checkEntry(root, file, allowSymlinks);
                    if (Files.isRegularFile(file)) {
                        digests.put(rel, Hashing.sha256(file));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return new SigningPayload(name, digests, allowSymlinks, ignored);
    }

    /**
     * Reads a statement and checks it is one of this format, consistent with itself: the statement and predicate
     * types, one subject, {@code files} serialization with SHA-256, each resource a SHA-256 with a safe relative
     * name, and the subject's digest equal to the digest over the resources.
     *
     * @throws IllegalArgumentException saying what does not hold
     */
    public static SigningPayload parse(byte[] statementJson) {
        JsonNode s;
        try {
            s = Json.tree(new String(statementJson, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the signed statement is not JSON: " + e.getMessage(), e);
        }
        require(STATEMENT_TYPE.equals(s.path("_type").asString(null)), "the statement's _type is "
                + s.path("_type") + ", expected " + STATEMENT_TYPE);
        require(PREDICATE_TYPE.equals(s.path("predicateType").asString(null)), "the predicateType is "
                + s.path("predicateType") + ", expected " + PREDICATE_TYPE);
        JsonNode subjects = s.path("subject");
        require(subjects.isArray() && subjects.size() == 1, "the statement has " + (subjects.isArray()
                ? subjects.size() : 0) + " subjects, expected 1");
        String name = subjects.get(0).path("name").asString(null);
        String expectedRoot = subjects.get(0).path("digest").path(HASH).asString(null);
        require(name != null && Hashing.isSha256Hex(expectedRoot), "the subject has no name or no sha256 digest");
        JsonNode ser = s.path("predicate").path("serialization");
        require(METHOD.equals(ser.path("method").asString(null)), "serialization method "
                + ser.path("method") + " is not supported (only \"files\")");
        require(HASH.equals(ser.path("hash_type").asString(null)), "hash_type " + ser.path("hash_type")
                + " is not supported (only \"sha256\")");
        require(ser.path("allow_symlinks").isBoolean(), "serialization.allow_symlinks is not a boolean");
        List<String> ignore = new ArrayList<>();
        for (JsonNode p : ser.path("ignore_paths")) {
            require(p.isString(), "serialization.ignore_paths holds a non-string");
            ignore.add(p.asString());
        }
        Map<String, String> digests = new LinkedHashMap<>();
        JsonNode res = s.path("predicate").path("resources");
        require(res.isArray(), "predicate.resources is not a list");
        for (JsonNode r : res) {
            String rn = r.path("name").asString(null);
            String alg = r.path("algorithm").asString(null);
            String d = r.path("digest").asString(null);
            require(rn != null && safeName(rn), "a resource has an unsafe or missing name: " + r.path("name"));
            require(HASH.equals(alg) && Hashing.isSha256Hex(d), "resource " + rn + " is not a sha256 digest");
            require(digests.put(rn, d) == null, "resource " + rn + " is listed twice");
        }
        String actualRoot = rootDigest(digests.values());
        require(actualRoot.equals(expectedRoot), "the statement is inconsistent: its subject digest is "
                + expectedRoot + ", its resources hash to " + actualRoot);
        return new SigningPayload(name, digests, ser.path("allow_symlinks").asBoolean(), normalise(ignore));
    }

    /** The model's name: its folder's (or file's) name. */
    public String modelName() {
        return modelName;
    }

    /** Every file's SHA-256 by relative path, in the format's order. */
    public Map<String, String> resources() {
        return java.util.Collections.unmodifiableMap(resources);
    }

    public boolean allowSymlinks() {
        return allowSymlinks;
    }

    /** Paths left out of the listing, sorted. */
    public List<String> ignorePaths() {
        return ignorePaths;
    }

    /** The subject's digest: SHA-256 over the raw file digests in listed order. */
    public String rootDigest() {
        return rootDigest(resources.values());
    }

    private static String rootDigest(java.util.Collection<String> hexDigests) {
        MessageDigest md = Hashing.newDigest();
        hexDigests.forEach(d -> md.update(HexFormat.of().parseHex(d)));
        return HexFormat.of().formatHex(md.digest());
    }

    /** The statement as the JSON bytes that get signed (pretty-printed, UTF-8). */
    public byte[] statementJson() {
        Map<String, Object> serialization = new LinkedHashMap<>();
        serialization.put("method", METHOD);
        serialization.put("hash_type", HASH);
        serialization.put("allow_symlinks", allowSymlinks);
        if (!ignorePaths.isEmpty()) {
            serialization.put("ignore_paths", ignorePaths);
        }
        List<Map<String, String>> res = new ArrayList<>();
        resources.forEach((n, d) -> {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("algorithm", HASH);
            r.put("digest", d);
            r.put("name", n);
            res.add(r);
        });
        Map<String, Object> predicate = new LinkedHashMap<>();
        predicate.put("serialization", serialization);
        predicate.put("resources", res);
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("_type", STATEMENT_TYPE);
        statement.put("subject", List.of(Map.of("name", modelName, "digest", Map.of(HASH, rootDigest()))));
        statement.put("predicateType", PREDICATE_TYPE);
        statement.put("predicate", predicate);
        return Json.write(statement).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * How {@code actual} (the model as it is now) differs from this signed listing: files modified, missing or not
     * signed, in path order; empty when they match.
     */
    public List<String> differences(SigningPayload actual) {
        SortedSet<String> names = new TreeSet<>(PATH_ORDER);
        names.addAll(resources.keySet());
        names.addAll(actual.resources.keySet());
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String want = resources.get(n);
            String have = actual.resources.get(n);
            if (want == null) {
                out.add(n + ": not signed (added after signing)");
            } else if (have == null) {
                out.add(n + ": missing (signed with sha256 " + want + ")");
            } else if (!want.equals(have)) {
                out.add(n + ": modified (sha256 is " + have + ", signed " + want + ")");
            }
        }
        return out;
    }

    private static void checkEntry(Path root, Path p, boolean allowSymlinks) throws IOException {
        if (Files.isSymbolicLink(p) && !allowSymlinks) {
            throw new UnsignableModelException(p, "a symbolic link: a signed model holds regular files only");
        }
        if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
            throw new UnsignableModelException(p, Files.exists(p) ? "not a regular file" : "a dangling link");
        }
        if (!safeName(relative(root, p)) && !p.equals(root)) {
            throw new UnsignableModelException(p, "a name the format cannot carry");
        }
    }

    private static boolean isIgnored(String rel, List<String> ignored) {
        for (String i : ignored) {
            if (rel.equals(i) || rel.startsWith(i + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Relative, {@code /}-separated, no empty, {@code .} or {@code ..} component (or exactly {@code "."}). */
    static boolean safeName(String n) {
        if (n.equals(".")) {
            return true;
        }
        if (n.isEmpty() || n.startsWith("/") || n.indexOf('\\') >= 0 || n.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : n.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static List<String> normalise(List<String> paths) {
        SortedSet<String> out = new TreeSet<>();
        for (String p : paths == null ? List.<String>of() : paths) {
            String n = p.replace('\\', '/');
            while (n.endsWith("/")) {
                n = n.substring(0, n.length() - 1);
            }
            if (n.startsWith("./")) {
                n = n.substring(2);
            }
            if (!n.isEmpty() && !n.startsWith("../") && !n.startsWith("/")) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
