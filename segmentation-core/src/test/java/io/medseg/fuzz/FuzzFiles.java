package io.medseg.fuzz;

import io.medseg.data.DataFormatException;
import io.medseg.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What the fuzz tests share: a scratch folder for the files the readers are given (in memory-backed
 * {@code /dev/shm} where there is one, as a campaign writes a file per execution), the rule every harness enforces,
 * and the seed arguments the harnesses take from code.
 *
 * <p>The rule: a reader given any bytes either returns or throws the library's bad-input type,
 * {@link DataFormatException} (or a subclass), whose message names a file, is short and holds no control
 * characters. Anything else (another exception, an error, a hang, an exhausted heap) is a finding.
 */
public final class FuzzFiles {
    /** Longer than any message of ours; an error message past it is quoting raw input. */
    public static final int MAX_MESSAGE = 1_500;
    private static final Path SCRATCH = createScratch();

    private FuzzFiles() {
    }

    /** A reader's call on fuzzed bytes. */
    @FunctionalInterface
    public interface Read {
        void run() throws Exception;
    }

    private static Path createScratch() {
        try {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "medseg-fuzz")
                    : Files.createTempDirectory("medseg-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    FileTrees.deleteTree(dir);
                } catch (IOException e) {
                    // a scratch folder left behind in a temporary location
                }
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code relative} under the scratch folder, its parent folders created. */
    public static Path path(String relative) {
        Path p = SCRATCH.resolve(relative);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Writes {@code bytes} to {@code relative} under the scratch folder, replacing what was there. */
    public static Path write(String relative, byte[] bytes) {
        Path p = path(relative);
        try {
            return Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code read}: returning is fine, a {@link DataFormatException} is fine if its message is fit to show,
     * anything else propagates to the fuzzer as a finding.
     */
    public static void badInputOnly(Read read) throws Exception {
        try {
            read.run();
        } catch (DataFormatException e) {
            checkMessage(e);
        }
    }

    /** Fails with an {@link AssertionError} if the refusal's message does not name a file or quotes raw input. */
    public static void checkMessage(DataFormatException e) {
        String m = e.getMessage();
        if (e.file().isEmpty()) {
            throw new AssertionError("a refusal that names no file: " + m, e);
        }
        if (m.length() > MAX_MESSAGE) {
            throw new AssertionError("a refusal of " + m.length() + " characters: " + m.substring(0, 200), e);
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw new AssertionError(String.format("a refusal with the control character \\x%02x: %s", (int) c,
                        m), e);
            }
        }
    }

    /** Seed arguments for a {@code byte[]} fuzz test: one per entry, named by its key. */
    public static Stream<Arguments> seeds(Map<String, byte[]> seeds) {
        return seeds.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(Named.of(e.getKey(), e.getValue())));
    }

    /** The seeds plus the empty input and each seed cut in half, the cheapest variants of every seed. */
    public static Stream<Arguments> seedsWithCuts(Map<String, byte[]> seeds) {
        Map<String, byte[]> all = new java.util.TreeMap<>(seeds);
        all.put("empty", new byte[0]);
        for (Map.Entry<String, byte[]> e : List.copyOf(seeds.entrySet())) {
            all.put(e.getKey() + "-cut", Arrays.copyOf(e.getValue(), e.getValue().length / 2));
        }
        return seeds(all);
    }
}
