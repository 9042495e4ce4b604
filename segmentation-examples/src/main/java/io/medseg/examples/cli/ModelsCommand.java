package io.medseg.examples.cli;

import io.medseg.io.Json;
import io.medseg.mlops.registry.HistoryEvent;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
            List<Object> out = new ArrayList<>();
            for (ModelVersion v : versions) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", v.name());
                m.put("version", v.version());
                m.put("stage", v.stage().id());
                m.put("registered", v.registered().toString());
                m.put("dice_mean", v.meanDice().isPresent() ? v.meanDice().getAsDouble() : null);
                m.put("dice_split", split(v));
                m.put("validation", v.validationVerdict());
                m.put("manifest_sha256", v.manifestSha256());
                m.put("path", v.path().toString());
                out.add(m);
            }
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
        return v.metrics().get("split") instanceof Map<?, ?> s ? String.valueOf(s.get("kind")) : "unknown split";
    }
}
