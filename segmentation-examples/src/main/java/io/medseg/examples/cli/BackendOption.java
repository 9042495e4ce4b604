package io.medseg.examples.cli;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import picocli.CommandLine.Option;

/** {@code --backend NAME}, shared by the commands that run a model. */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "The engine that runs the model: tensorflow (the default) or onnx (ONNX Runtime, which "
                    + "runs the package's model.onnx, written by 'segment export --onnx'; inference only). "
                    + "-Dmedseg.onnx.optimization=none|basic|extended|all in SEGMENT_JAVA_OPTS sets ONNX Runtime's "
                    + "graph optimisation (default all).")
    String name;

    /** The backend asked for, or the highest-ranked one on the classpath. */
    Backend backend() throws BackendUnavailableException {
        return name == null ? Backends.load() : Backends.load(name.strip());
    }
}
