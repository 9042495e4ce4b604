package io.medseg.mlops.audit;

import io.medseg.data.DataFormatException;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.mlops.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A registry's audit trail: one JSON line per event, each holding the SHA-256 of the line before it (a hash chain)
 * and of its own content, with the count and last hash kept in a head file beside it. Editing, deleting, inserting
 * or swapping lines breaks the chain, a line's own hash or the head, and {@link #verify} names the first broken line;
 * a last line cut short by a crash mid-append is reported as truncated, not as tampering.
 *
 * <p>Appends are safe across processes (an exclusive lock on the log for the whole append) and durable (the log is
 * forced to disk before the head is written, the head atomically after).
 *
 * <p>{@code ModelRegistry} appends its events (register, approve, promote, archive, validate, sign, the changes of
 * its trusted keys; refusals too) through {@code ModelRegistry.auditLog()}, the server its model loads and access
 * denials; {@code segment audit verify} and {@code segment audit log} read it.
 */
public final class AuditLog {
    public static final String FILE_NAME = "audit.log";
    public static final String HEAD_NAME = "audit.head";
    static final String GENESIS = "0".repeat(64);
    /** Bytes read from the end of the log to find its last line (an event is well under 1 KiB). */
    private static final int TAIL_WINDOW = 64 * 1024;

    private final Path file;
    private final Path head;

    private AuditLog(Path file) {
        this.file = file;
        this.head = file.resolveSibling(HEAD_NAME);
    }

    /** The audit log of the registry in {@code registryDir}. */
    public static AuditLog of(Path registryDir) {
        return new AuditLog(registryDir.resolve(FILE_NAME));
    }

    public Path file() {
        return file;
    }

    /**
     * Who did it: an OS user name or a serving token id, and the fingerprint of the signing key used when the event
     * is a signature (null otherwise).
     */
    public record Actor(String id, String keySha256) {
        public Actor {
            Objects.requireNonNull(id, "id");
        }

        /** The OS user running this process. */
        public static Actor osUser() {
            return new Actor(System.getProperty("user.name", "unknown"), null);
        }

        public Actor withKey(String fingerprint) {
            return new Actor(id, fingerprint);
        }
    }

    /** What an event is about: a model version and its package's MANIFEST hash (any may be null). */
    public record Subject(String name, Integer version, String manifestSha256) {
    }

    /**
     * Appends one event and returns its sequence number (1 for the first).
     *
     * @throws IOException when the log cannot be written; nothing half-written is left to look like tampering
     */
    public long append(String actor, String action, Subject subject, String outcome, Map<String, ?> details)
            throws IOException {
        return append(new Actor(actor, null), action, subject, outcome, details);
    }

    /**
     * Appends one event by {@code actor}; its key, when it has one, is written as {@code actor_key} after
     * {@code actor}.
     */
    @SuppressWarnings("try") // the lock is held for the whole block, never referenced
    public long append(Actor actor, String action, Subject subject, String outcome, Map<String, ?> details)
            throws IOException {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        Files.createDirectories(file.getParent());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            Tail tail = tail(ch);
            long end = tail.end();
            if (end < ch.size()) {
                // a crash cut the last append short: it was never acknowledged, so it is cut off here
                ch.truncate(end);
            }
            String prev = tail.lastLineSha256() == null ? GENESIS : tail.lastLineSha256();
            long seq = tail.lines() + 1;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("seq", seq);
            entry.put("time", Instant.now().toString());
            entry.put("actor", actor.id());
            if (actor.keySha256() != null) {
                entry.put("actor_key", actor.keySha256());
            }
            entry.put("action", action);
            Map<String, Object> s = new LinkedHashMap<>();
            if (subject != null) {
                s.put("name", subject.name());
                s.put("version", subject.version());
                s.put("manifest_sha256", subject.manifestSha256());
            }
            entry.put("subject", s);
            entry.put("outcome", outcome);
            entry.put("details", details == null ? Map.of() : details);
            entry.put("prev_sha256", prev);
            String body = Json.writeCompact(entry);
            String line = body.substring(0, body.length() - 1) + ",\"sha256\":\"" + Hashing.sha256(
                    body.getBytes(StandardCharsets.UTF_8)) + "\"}";
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            ch.position(end);
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
            AtomicFile.writeString(head, seq + " " + Hashing.sha256(line.getBytes(StandardCharsets.UTF_8)) + "\n");
            return seq;
        }
    }

    /** What {@link #verify} found. */
    public record Verdict(Status status, long entries, long firstBrokenLine, String reason) {
        public boolean intact() {
            return status == Status.INTACT;
        }
    }

    public enum Status {
        /** Every line chains to the one before it and the head names the last. */
        INTACT,
        /** The last line is cut short (a crash mid-append); everything before it is intact. */
        TRUNCATED,
        /** A line was edited, deleted, inserted or moved: {@link Verdict#firstBrokenLine} says where. */
        TAMPERED
    }

    /** Walks the chain from the first line. */
    public Verdict verify() throws IOException {
        if (!Files.exists(file)) {
            return Files.exists(head) ? new Verdict(Status.TAMPERED, 0, 1, "the log is missing but its head is "
                    + "there") : new Verdict(Status.INTACT, 0, 0, "no events yet");
        }
        byte[] all = Files.readAllBytes(file);
        int end = all.length;
        boolean torn = end > 0 && all[end - 1] != '\n';
        List<byte[]> lines = split(all, torn ? lastIndexOf(all, end, (byte) '\n') + 1 : end);
        String prev = GENESIS;
        for (int i = 0; i < lines.size(); i++) {
            String problem = check(lines.get(i), i + 1, prev);
            if (problem != null) {
                return new Verdict(Status.TAMPERED, lines.size(), i + 1, problem);
            }
            prev = Hashing.sha256(lines.get(i));
        }
        String headProblem = checkHead(lines.size(), prev);
        if (torn) {
            return headProblem == null || headProblem.startsWith("behind")
                    ? new Verdict(Status.TRUNCATED, lines.size(), lines.size() + 1, "line " + (lines.size() + 1)
                            + " is cut short (a crash mid-append?); the " + lines.size() + " lines before it are "
                            + "intact")
                    : new Verdict(Status.TAMPERED, lines.size(), lines.size() + 1, headProblem);
        }
        if (headProblem != null && !headProblem.startsWith("behind")) {
            return new Verdict(Status.TAMPERED, lines.size(), lines.size(), headProblem);
        }
        return new Verdict(Status.INTACT, lines.size(), 0, lines.size() + " events, chain intact");
    }

    /** Null when {@code line} is entry {@code seq} chained to {@code prev}, else why not. */
    private static String check(byte[] line, long seq, String prev) {
        JsonNode n;
        try {
            n = Json.tree(new String(line, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return "line " + seq + " is not a JSON object";
        }
        String own = n.path("sha256").asString("");
        String text = new String(line, StandardCharsets.UTF_8);
        int at = text.lastIndexOf(",\"sha256\":\"");
        if (at < 0 || own.isEmpty()) {
            return "line " + seq + " has no sha256 of its own";
        }
        String body = text.substring(0, at) + "}";
        if (!Hashing.sha256(body.getBytes(StandardCharsets.UTF_8)).equals(own)) {
            return "line " + seq + " was changed: its content does not match its sha256";
        }
        if (n.path("seq").asLong(-1) != seq) {
            return "line " + seq + " says it is event " + n.path("seq").asString("?") + ": lines were deleted, "
                    + "inserted or moved";
        }
        if (!prev.equals(n.path("prev_sha256").asString(""))) {
            return "line " + seq + " does not chain to the line before it: lines were deleted, inserted, moved or "
                    + "changed";
        }
        return null;
    }

    /** Null when the head names {@code count} lines ending in {@code last}; "behind ..." when one append ahead. */
    private String checkHead(long count, String last) throws IOException {
        if (!Files.exists(head)) {
            return count == 0 ? null : "the head file " + head.getFileName() + " is missing";
        }
        String[] parts = Files.readString(head, StandardCharsets.UTF_8).strip().split(" ", -1);
        long n;
        try {
            n = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return "the head file is not readable";
        }
        if (n == count && parts.length == 2 && parts[1].equals(last)) {
            return null;
        }
        if (n == count - 1) {
            return "behind: the head names " + n + " events, the log has " + count + " (a crash after an append)";
        }
        return "the log has " + count + " events but its head says " + n + ": events at the end were deleted or "
                + "added";
    }

    /**
     * Every event, oldest first (a torn last line left out); read as it is, without checking the chain.
     *
     * @throws DataFormatException naming the log and the line when a line is not JSON
     */
    public List<JsonNode> entries() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        byte[] all = Files.readAllBytes(file);
        int end = all.length > 0 && all[all.length - 1] != '\n' ? lastIndexOf(all, all.length, (byte) '\n') + 1
                : all.length;
        List<JsonNode> out = new ArrayList<>();
        List<byte[]> lines = split(all, end);
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.add(Json.tree(new String(lines.get(i), StandardCharsets.UTF_8)));
            } catch (RuntimeException e) {
                throw new DataFormatException(file, "line " + (i + 1) + " is not a JSON object (segment audit "
                        + "verify says what else is broken)", e);
            }
        }
        return out;
    }

    /** Where the complete lines end, the SHA-256 of the last of them (null when none), and how many there are. */
    private record Tail(long end, String lastLineSha256, long lines) {
        static Tail of(long end, byte[] lastLine, long lines) {
            return new Tail(end, lastLine == null ? null : Hashing.sha256(lastLine), lines);
        }
    }

    /**
     * Reads the end of the log only: the last complete line and its sequence number give the next one, so an
     * append costs the same on a log of any length. A last line that does not parse falls back to counting lines.
     */
    private static Tail tail(FileChannel ch) throws IOException {
        long size = ch.size();
        int window = (int) Math.min(size, TAIL_WINDOW);
        ByteBuffer buf = ByteBuffer.allocate(window);
        ch.position(size - window);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
            // reads until full
        }
        byte[] b = buf.array();
        int lastNl = lastIndexOf(b, b.length, (byte) '\n');
        int prevNl = lastNl < 0 ? -1 : lastIndexOf(b, lastNl, (byte) '\n');
        boolean whole = size == window;
        if (lastNl < 0 && whole) {
            return Tail.of(0, null, 0);
        }
        if (lastNl >= 0 && (prevNl >= 0 || whole)) {
            byte[] line = java.util.Arrays.copyOfRange(b, prevNl + 1, lastNl);
            long seq = -1;
            try {
                seq = Json.tree(new String(line, StandardCharsets.UTF_8)).path("seq").asLong(-1);
            } catch (RuntimeException unreadable) {
                // counted below
            }
            if (seq > 0) {
                return Tail.of(size - window + lastNl + 1, line, seq);
            }
        }
        byte[] all = readAll(ch);
        int end = lastIndexOf(all, all.length, (byte) '\n') + 1;
        List<byte[]> lines = split(all, end);
        return Tail.of(end, lines.isEmpty() ? null : lines.get(lines.size() - 1), lines.size());
    }

    private static byte[] readAll(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException("audit log of " + size + " bytes is too large to append to in one piece");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        ch.position(0);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
            // reads until full
        }
        return buf.array();
    }

    private static int lastIndexOf(byte[] b, int end, byte v) {
        for (int i = end - 1; i >= 0; i--) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** The newline-terminated lines of {@code b[0..end)}, without their newlines. */
    private static List<byte[]> split(byte[] b, int end) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < end; i++) {
            if (b[i] == '\n') {
                byte[] line = new byte[i - start];
                System.arraycopy(b, start, line, 0, line.length);
                lines.add(line);
                start = i + 1;
            }
        }
        return lines;
    }
}
