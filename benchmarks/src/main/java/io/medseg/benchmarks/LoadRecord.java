package io.medseg.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link ServeLoad} saw of one request: its id, phase and kind, the status it got (0: no response), the model
 * version the response named (0: none), when it started and ended (milliseconds since the load began) and why it
 * failed, when it did. One line each of a CSV file ({@link #write}, {@link #read}), to join with the server's access
 * log on the request id.
 *
 * @param requestId the X-Request-Id sent
 * @param phase "warmup" or "measured"
 * @param kind what was sent
 * @param status the HTTP status, 0 when no response came
 * @param version the model version of the response (X-Model-Version), 0 when it named none
 * @param startMs when the request was sent, milliseconds since the run began
 * @param endMs when its response had arrived in full (or it failed)
 * @param error why the request counts as failed or got no response; empty when it did not
 */
record LoadRecord(String requestId, String phase, LoadPlan.Kind kind, int status, int version, double startMs,
        double endMs, String error) {
    static final String WARMUP = "warmup";
    static final String MEASURED = "measured";
    static final String HEADER = "request_id,phase,kind,expected_status,status,model_version,start_ms,end_ms,"
            + "latency_ms,error";

    LoadRecord {
        error = error == null ? "" : error.replaceAll("[,\\s\"]+", " ").strip();
    }

    double latencyMs() {
        return endMs - startMs;
    }

    boolean responded() {
        return status > 0;
    }

    /** Whether the server answered as it must: 200 for a good request, the kind's 4xx for a bad one. */
    boolean asExpected() {
        return status == kind.expected() && error.isEmpty();
    }

    String csv() {
        return String.join(",", requestId, phase, kind.label(), Integer.toString(kind.expected()),
                Integer.toString(status), version > 0 ? Integer.toString(version) : "",
                String.format(Locale.ROOT, "%.3f", startMs), String.format(Locale.ROOT, "%.3f", endMs),
                String.format(Locale.ROOT, "%.3f", latencyMs()), error);
    }

    static LoadRecord parse(String line, Path file, int lineNo) {
        String[] f = line.split(",", -1);
        if (f.length != 10) {
            throw new IllegalArgumentException(file + " line " + lineNo + ": expected 10 comma-separated fields ("
                    + HEADER + "), got " + f.length);
        }
        try {
            return new LoadRecord(f[0], f[1], LoadPlan.Kind.parse(f[2]), Integer.parseInt(f[4]),
                    f[5].isEmpty() ? 0 : Integer.parseInt(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                    f[9]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, List<LoadRecord> records) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.newLine();
            for (LoadRecord r : records) {
                w.write(r.csv());
                w.newLine();
            }
        }
    }

    /**
     * The records of a file {@link #write} wrote.
     *
     * @throws IllegalArgumentException naming the file and line of a malformed record
     */
    static List<LoadRecord> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException(file + ": not a ServeLoad records file (its first line is not '"
                    + HEADER + "')");
        }
        List<LoadRecord> out = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isEmpty()) {
                out.add(parse(lines.get(i), file, i + 1));
            }
        }
        return out;
    }
}
