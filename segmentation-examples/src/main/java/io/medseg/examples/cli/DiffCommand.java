package io.medseg.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.io.Json;
import io.medseg.mlops.JsonDiff;
import io.medseg.mlops.ModelPackage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segment diff PKG_A PKG_B}: how two model packages differ in what made them and what they measured. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Compare the provenance, model description and metrics of two model packages, one line per "
                + "difference (run ids and times left out).", "Both packages are verified against their MANIFEST."})
public final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Parameters(index = "0", paramLabel = "PKG_A")
    Path a;

    @Parameters(index = "1", paramLabel = "PKG_B")
    Path b;

    @Option(names = "--json", description = "Print the differences as one JSON object.")
    boolean json;

    /** The {@code --json} output. */
    record DiffJson(String a, String b, @JsonProperty("identical_content") boolean identicalContent,
            List<Difference> differences) {
    }

    /** One difference; a side is null where the path is absent. */
    record Difference(String path, Object a, Object b) {
    }

    @Override
    public Integer call() throws Exception {
        ModelPackage pa = ModelPackage.open(Inputs.directory(a));
        ModelPackage pb = ModelPackage.open(Inputs.directory(b));
        List<JsonDiff.Change> changes = ModelPackage.diff(pa, pb);
        if (json) {
            root.out().println(Json.writeCompact(new DiffJson(pa.dir().toString(), pb.dir().toString(),
                    pa.manifestSha256().equals(pb.manifestSha256()),
                    changes.stream().map(c -> new Difference(c.path(), c.left(), c.right())).toList())));
            return 0;
        }
        root.out().println("--- " + pa.dir() + " (" + pa.name() + ")");
        root.out().println("+++ " + pb.dir() + " (" + pb.name() + ")");
        for (JsonDiff.Change c : changes) {
            root.out().println(c);
        }
        root.out().println(changes.size() + " difference" + (changes.size() == 1 ? "" : "s")
                + (pa.manifestSha256().equals(pb.manifestSha256()) ? " (identical package content)" : ""));
        return 0;
    }
}
