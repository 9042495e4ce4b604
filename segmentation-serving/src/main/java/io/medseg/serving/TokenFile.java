package io.medseg.serving;

import io.medseg.data.DataFormatException;
import io.medseg.mlops.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tokens file: one {@code NAME <sha256 of the token, hex>} line per client. The tokens themselves are never
 * stored; {@link #issue} prints a new one once. A request's token is hashed and compared with every line in
 * constant time, so neither the answer's timing nor the file reveals a token. The file is read again when it
 * changes, so a token added or removed takes effect without a restart. Thread-safe.
 */
public final class TokenFile {
    /** Client names: letters, digits, dot, dash, underscore, at sign; 1 to 64 characters. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);

    private final Path file;
    private volatile Snapshot snapshot;
    /** The version of the file whose reload failed, so it is neither logged nor read again until it changes. */
    private Stamp refused;

    private static final Pattern FIELDS = Pattern.compile("\\s+");

    /** One line: a client's name and the SHA-256 of its token. */
    private static final class Entry {
        private final String id;
        private final byte[] hash;

        Entry(String id, byte[] hash) {
            this.id = id;
            this.hash = hash;
        }

        String id() {
            return id;
        }
    }

    private record Snapshot(FileTime modified, long size, List<Entry> entries) {
    }

    /** The time and size of a version of the file. */
    private record Stamp(FileTime modified, long size) {
    }

    private TokenFile(Path file, Snapshot snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /**
     * Reads a tokens file.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws DataFormatException naming the line that is not {@code NAME <64 hex digits>}, or a name given twice
     */
    public static TokenFile open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return new TokenFile(file, read(file));
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The client names in the file. */
    public List<String> ids() {
        return snapshot.entries.stream().map(Entry::id).toList();
    }

    /**
     * The name of the client whose token this is, or empty. Every line is compared, whatever matched, in time that
     * does not depend on where the hashes differ.
     */
    public Optional<String> authenticate(String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] hash = sha256(token);
        String found = null;
        for (Entry e : current().entries) {
            if (MessageDigest.isEqual(hash, e.hash) && found == null) {
                found = e.id;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * The snapshot, read again first when the file's time or size has changed. When that read fails (a file being
     * rewritten, or an edit that left a malformed line) the tokens already known stay in force: the failure is
     * logged once, and the file is read again when it next changes.
     */
    private Snapshot current() {
        Snapshot s = snapshot;
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            // briefly missing while it is replaced: keep the tokens already known
            return s;
        }
        if (modified.equals(s.modified) && size == s.size) {
            return s;
        }
        synchronized (this) {
            s = snapshot;
            Stamp stamp = new Stamp(modified, size);
            if ((modified.equals(s.modified) && size == s.size) || stamp.equals(refused)) {
                return s;
            }
            try {
                s = read(file);
                snapshot = s;
                refused = null;
            } catch (IOException e) {
                refused = stamp;
                LOG.warn("{} changed but was not reloaded, the {} tokens read before stay in force: {}", file,
                        s.entries.size(), e.getMessage());
            }
        }
        return s;
    }

    private static Snapshot read(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = FIELDS.split(line, -1);
            if (parts.length != 2 || !ID.matcher(parts[0]).matches() || !Hashing.isSha256Hex(parts[1])) {
                throw new DataFormatException(file, "line " + (i + 1) + ": expected 'NAME <sha256 hex of the "
                        + "token>' (NAME of letters, digits, . _ @ -), as segment token writes it");
            }
            for (Entry e : entries) {
                if (e.id.equals(parts[0])) {
                    throw new DataFormatException(file, "line " + (i + 1) + ": name '" + parts[0] + "' is given twice");
                }
            }
            entries.add(new Entry(parts[0], HexFormat.of().parseHex(parts[1])));
        }
        return new Snapshot(modified, size, List.copyOf(entries));
    }

    /**
     * Makes a new random token for client {@code id}, appends {@code id <sha256>} to {@code file} (created readable
     * by its owner only when missing) and returns the token: the only time it is seen.
     *
     * @throws IllegalArgumentException if {@code id} is not a valid name
     * @throws DataFormatException if the file exists and is not a tokens file, or already names {@code id}
     */
    public static String issue(Path file, String id) throws IOException {
        Objects.requireNonNull(file, "file");
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("token id must be 1 to 64 letters, digits or . _ @ -: '" + id + "'");
        }
        byte[] raw = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(file)) {
            try {
                Files.createFile(file,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by another issuer meanwhile: append to it
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            Snapshot existing = read(file);
            for (Entry e : existing.entries) {
                if (e.id.equals(id)) {
                    throw new DataFormatException(file, "already has a token for '" + id
                            + "' (remove its line to revoke it first)");
                }
            }
            long end = ch.size();
            String prefix = "";
            if (end > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.read(last, end - 1);
                prefix = last.get(0) == '\n' ? "" : "\n";
            }
            byte[] line = (prefix + id + " " + Hashing.sha256(token.getBytes(StandardCharsets.UTF_8)) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                ch.write(buf, end + buf.position());
            }
            ch.force(true);
            Objects.requireNonNull(lock);
        }
        return token;
    }

    /** The SHA-256 of the token's UTF-8 bytes. */
    static byte[] sha256(String text) {
        return HexFormat.of().parseHex(Hashing.sha256(text.getBytes(StandardCharsets.UTF_8)));
    }
}
