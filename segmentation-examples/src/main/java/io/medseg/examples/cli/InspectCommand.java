package io.medseg.examples.cli;

import io.medseg.data.SegmentationDataset;
import io.medseg.io.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segment inspect}: what a dataset holds, before training on it (see {@link DatasetSummary}). */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Describe labelled data: format, images, patients, shapes, label fractions, intensity range "
                + "and pixel spacing.", "With --json prints one JSON object."})
public final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "A Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask folder.")
    Path data;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String format = dataOptions.formatOf(data).id();
        SegmentationDataset ds = dataOptions.load(data, null, root.err());
        DatasetSummary summary = DatasetSummary.of(format, ds);
        root.out().println(json ? Json.writeCompact(summary.toJson()) : summary.toText());
        return 0;
    }
}
