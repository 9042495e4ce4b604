package io.medseg.benchmarks;

import io.medseg.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cross-checks a {@code segment serve} access log with what {@link ServeLoad} saw ({@link LoadRecord}s):
 * <ul>
 *   <li>every line of the log is one whole JSON object and the file ends with a newline (no torn line);</li>
 *   <li>every request that got a response is in the log, once, with the status the client got and, for a good
 *       request answered 200, the model version the response named;</li>
 *   <li>within each run, no request that started after a newer version's first answer had arrived was answered
 *       by an older one (a swap sends every new request to the new version);</li>
 *   <li>each of the versions required (e.g. both sides of a swap) answered at least one good request.</li>
 * </ul>
 * Requests that got no response (cut off by a crash) need not be in the log; those that are anyway are counted.
 */
final class AccessLogCheck {
    private static final int EXAMPLES = 10;

    private AccessLogCheck() {
    }

    /** One access log line's fields that the check uses. */
    private record Entry(int status, int version) {
    }

    /**
     * The check's findings as JSON, {@code "passed"} among them.
     *
     * @param runs the records of each load run (each with its own clock, so the swap is judged run by run)
     * @param requiredVersions versions that must each have answered a good request (empty: none required)
     */
    static ObjectNode check(Path accessLog, List<List<LoadRecord>> runs, Set<Integer> requiredVersions)
            throws IOException {
        List<LoadRecord> records = runs.stream().flatMap(List::stream).toList();
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("access_log", accessLog.toString());
        byte[] bytes = Files.readAllBytes(accessLog);
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean endsWithNewline = text.isEmpty() || text.endsWith("\n");
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
        int lineCount = endsWithNewline ? Math.max(0, lines.length - 1) : lines.length;
        Map<String, Entry> byId = new HashMap<>();
        Map<String, Integer> times = new HashMap<>();
        int invalid = 0;
        ArrayNode invalidExamples = Json.mapper().createArrayNode();
        for (int i = 0; i < lineCount; i++) {
            JsonNode n = parseLine(lines[i]);
            if (n == null || !n.isObject() || !n.path("request_id").isString()) {
                invalid++;
                if (invalidExamples.size() < EXAMPLES) {
                    ObjectNode e = invalidExamples.addObject();
                    e.put("line", i + 1);
                    e.put("text", lines[i].length() > 200 ? lines[i].substring(0, 200) + "..." : lines[i]);
                }
                continue;
            }
            String id = n.path("request_id").asString();
            JsonNode v = n.path("model_version");
            byId.put(id, new Entry(n.path("status").asInt(0), v.isIntegralNumber() ? v.asInt() : 0));
            times.merge(id, 1, Integer::sum);
        }
        out.put("lines", lineCount);
        out.put("invalid_lines", invalid);
        out.put("ends_with_newline", endsWithNewline);
        out.set("invalid_examples", invalidExamples);

        int responded = 0;
        int missing = 0;
        int duplicated = 0;
        int statusMismatch = 0;
        int versionMismatch = 0;
        int loggedWithoutResponse = 0;
        ArrayNode problems = Json.mapper().createArrayNode();
        Map<Integer, Integer> versions = new TreeMap<>();
        for (LoadRecord r : records) {
            Entry e = byId.get(r.requestId());
            if (!r.responded()) {
                if (e != null) {
                    loggedWithoutResponse++;
                }
                continue;
            }
            responded++;
            if (e == null) {
                missing++;
                example(problems, r, "got a response (status " + r.status() + ") but is not in the access log");
                continue;
            }
            if (times.get(r.requestId()) > 1) {
                duplicated++;
                example(problems, r, "is in the access log " + times.get(r.requestId()) + " times");
            }
            if (e.status() != r.status()) {
                statusMismatch++;
                example(problems, r, "the client got " + r.status() + ", the access log says " + e.status());
            }
            if (r.kind() == LoadPlan.Kind.GOOD && r.status() == 200) {
                if (e.version() != r.version()) {
                    versionMismatch++;
                    example(problems, r, "the response named version " + r.version() + ", the access log says "
                            + e.version());
                }
                versions.merge(e.version(), 1, Integer::sum);
            }
        }
        int stale = 0;
        for (List<LoadRecord> run : runs) {
            stale += stale(run, byId, problems);
        }
        ArrayNode absent = Json.mapper().createArrayNode();
        for (int v : requiredVersions) {
            if (!versions.containsKey(v)) {
                absent.add(v);
            }
        }
        out.put("records", records.size());
        out.put("responded", responded);
        out.put("missing_from_log", missing);
        out.put("logged_more_than_once", duplicated);
        out.put("status_mismatches", statusMismatch);
        out.put("version_mismatches", versionMismatch);
        out.put("logged_without_response", loggedWithoutResponse);
        ObjectNode vs = out.putObject("versions_by_log");
        versions.forEach((v, c) -> vs.put(Integer.toString(v), c));
        out.put("stale_after_swap", stale);
        out.set("required_versions_absent", absent);
        out.set("problems", problems);
        boolean passed = invalid == 0 && endsWithNewline && missing == 0 && duplicated == 0 && statusMismatch == 0
                && versionMismatch == 0 && stale == 0 && absent.isEmpty();
        out.put("passed", passed);
        return out;
    }

    /**
     * The good requests of one run answered by an older version although they were sent after the run's newest
     * version had first answered: such a request was leased after the swap, so the new version must have answered.
     */
    private static int stale(List<LoadRecord> run, Map<String, Entry> byId, ArrayNode problems) {
        int newest = 0;
        double firstNewestEnd = Double.POSITIVE_INFINITY;
        for (LoadRecord r : run) {
            Entry e = byId.get(r.requestId());
            if (e == null || r.kind() != LoadPlan.Kind.GOOD || r.status() != 200) {
                continue;
            }
            if (e.version() > newest) {
                newest = e.version();
                firstNewestEnd = r.endMs();
            } else if (e.version() == newest) {
                firstNewestEnd = Math.min(firstNewestEnd, r.endMs());
            }
        }
        int stale = 0;
        for (LoadRecord r : run) {
            Entry e = byId.get(r.requestId());
            if (e != null && r.kind() == LoadPlan.Kind.GOOD && r.status() == 200 && e.version() < newest
                    && r.startMs() > firstNewestEnd) {
                stale++;
                example(problems, r, "was sent after version " + newest + " had answered, but version "
                        + e.version() + " answered it");
            }
        }
        return stale;
    }

    private static JsonNode parseLine(String line) {
        try {
            return Json.tree(line);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void example(ArrayNode problems, LoadRecord r, String what) {
        if (problems.size() < EXAMPLES) {
            problems.add(r.requestId() + " (" + r.kind().label() + "): " + what);
        }
    }
}
