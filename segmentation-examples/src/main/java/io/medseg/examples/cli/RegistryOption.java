package io.medseg.examples.cli;

import io.medseg.mlops.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --registry DIR}, shared by the registry commands; default {@code $MEDSEG_REGISTRY} or ~/.medseg/registry. */
final class RegistryOption {
    @Option(names = "--registry", paramLabel = "DIR",
            description = "The model registry folder (default: $MEDSEG_REGISTRY, else ~/.medseg/registry).")
    Path registry;

    ModelRegistry open() throws IOException {
        return ModelRegistry.open(registry != null ? registry : ModelRegistry.defaultLocation());
    }
}
