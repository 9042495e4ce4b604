package io.medseg.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.io.Json;
import io.medseg.mlops.registry.HistoryEvent;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segment models [NAME]}: the registry's versions with their stage, metrics and validation verdict. */
@Command(name = "models", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = "List registered model versions: stage, mean Dice (with its split), latest validation verdict.")
public final class ModelsCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    RegistryOption registry = new RegistryOption();

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Only this model name.")
    String name;

    @Option(names = "--json", description = "Print one JSON array.")
    boolean json;

    @Option(names = "--history", description = "Print NAME's registrations and stage changes, oldest first.")
    boolean history;

    /** One version in the {@code --json} output. */
    record Listing(String name, int version, String stage, String registered,
            @JsonProperty("dice_mean") Double diceMean, @JsonProperty("dice_split") String diceSplit,
            String validation, @JsonProperty("manifest_sha256") String manifestSha256, String path) {
    }

    @Override
    public Integer call() throws Exception {
        ModelRegistry reg = registry.open();
        if (history) {
            if (name == null) {
                throw new UsageException("--history needs a model NAME");
            }
            for (HistoryEvent e : reg.history(name)) {
                root.out().println(e.time() + "  " + e.name() + " " + e.version() + ": "
                        + (e.from() == null ? "registered" : e.from().id()) + " -> " + e.to().id() + "  by "
                        + e.user());
            }
            return 0;
        }
        List<ModelVersion> versions = name == null ? reg.list() : reg.list(name);
        if (json) {
            List<Listing> out = versions.stream().map(v -> new Listing(v.name(), v.version(), v.stage().id(),
                    v.registered().toString(), v.meanDice().isPresent() ? v.meanDice().getAsDouble() : null, split(v),
                    v.validationVerdict(), v.manifestSha256(), v.path().toString())).toList();
            root.out().println(Json.writeCompact(out));
            return 0;
        }
        if (versions.isEmpty()) {
            root.out().println("no models registered in " + reg.root() + (name == null ? "" : " under " + name));
            return 0;
        }
        root.out().println(String.format(Locale.ROOT, "%-20s %7s  %-10s  %-22s  %-10s  %s", "name", "version",
                "stage", "dice", "validation", "registered"));
        for (ModelVersion v : versions) {
            String dice = v.meanDice().isPresent()
                    ? String.format(Locale.ROOT, "%.4f", v.meanDice().getAsDouble()) + " (" + split(v) + ")" : "-";
            root.out().println(String.format(Locale.ROOT, "%-20s %7d  %-10s  %-22s  %-10s  %s", v.name(),
                    v.version(), v.stage().id(), dice, v.validationVerdict(), v.registered()));
        }
        return 0;
    }

    private static String split(ModelVersion v) {
        return v.metrics().path("split").isObject() ? v.metricsSplit().orElse("null") : "unknown split";
    }
}
