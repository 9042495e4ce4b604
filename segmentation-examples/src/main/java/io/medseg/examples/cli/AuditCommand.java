package io.medseg.examples.cli;

import io.medseg.mlops.audit.AuditLog;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** {@code segment audit}: the registry's hash-chained audit trail. */
@Command(name = "audit", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"The registry's audit trail: one hash-chained line per event (register, validate, sign, "
                + "approve, promote, archive, trusted-key changes, a server loading a model, access denials).",
                "  segment audit verify [--registry DIR]      exit 0 intact, 3 tampered or truncated",
                "  segment audit log [--model NAME] [--actor WHO] [--registry DIR]"},
        subcommands = {AuditCommand.Verify.class, AuditCommand.Log.class})
public final class AuditCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Override
    public Integer call() {
        throw new UsageException("give a subcommand: segment audit verify | log (segment audit --help)");
    }

    /** {@code segment audit verify}. */
    @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
            description = "Walk the audit log's hash chain; name the first broken line. Exit 0 intact, 3 not.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        AuditCommand parent;

        @Mixin
        RegistryOption registry = new RegistryOption();

        @Override
        public Integer call() throws Exception {
            AuditLog log = registry.open().auditLog();
            AuditLog.Verdict v = log.verify();
            String where = v.firstBrokenLine() > 0 ? " at line " + v.firstBrokenLine() : "";
            parent.root.out().println(log.file() + ": " + v.status().name().toLowerCase(java.util.Locale.ROOT)
                    + where + ": " + v.reason());
            return v.intact() ? 0 : 3;
        }
    }

    /** {@code segment audit log}. */
    @Command(name = "log", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
            description = "Print the audit log's events, oldest first, one line each, filtered by model or actor.")
    static final class Log implements Callable<Integer> {
        @ParentCommand
        AuditCommand parent;

        @Mixin
        RegistryOption registry = new RegistryOption();

        @Option(names = "--model", paramLabel = "NAME", description = "Only events about this model.")
        String model;

        @Option(names = "--actor", paramLabel = "WHO", description = "Only events by this actor: a user or token "
                + "id, or a key fingerprint (8 digits or more).")
        String actor;

        @Override
        public Integer call() throws Exception {
            List<JsonNode> entries = registry.open().auditLog().entries();
            for (JsonNode e : entries) {
                JsonNode s = e.path("subject");
                if (model != null && !model.equals(s.path("name").asString(null))) {
                    continue;
                }
                String key = e.path("actor_key").asString("");
                if (actor != null && !actor.equals(e.path("actor").asString(null))
                        && !(actor.length() >= 8 && key.startsWith(actor))) {
                    continue;
                }
                // an event about a trusted key (no model) names the key
                String about = s.path("name").asString("");
                if (about.isEmpty() && e.path("details").has("key_name")) {
                    about = "key " + e.path("details").path("key_name").asString();
                }
                parent.root.out().printf("%5d  %s  %-10s %-18s %-8s %s%s%s%n", e.path("seq").asLong(),
                        e.path("time").asString(), e.path("actor").asString(), e.path("action").asString(),
                        e.path("outcome").asString(), about,
                        s.path("version").isNull() || s.path("version").isMissingNode() ? ""
                                : " " + s.path("version").asInt(),
                        key.isEmpty() ? "" : "  by key " + key.substring(0, Math.min(16, key.length())));
            }
            return 0;
        }
    }
}
