package io.medseg.examples.cli;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.onnx.OnnxExport;
import io.medseg.tf.TensorFlowBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segment export}: a training run to a model package (folder, or zip when the name ends in .zip). */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Package a completed training run: SavedModel, model.json, provenance, metrics, model card, "
                + "drift profile and a MANIFEST with the SHA-256 of every file.",
                "  segment export --model RUN_DIR --out PKG [--name cardiac-lv] [--onnx]",
                "With --out PKG.zip the package is one zip file. With --onnx it also holds model.onnx, the same "
                        + "network for ONNX Runtime and other ONNX runtimes (run it here with --backend onnx)."})
public final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Option(names = "--model", required = true, paramLabel = "RUN_DIR", description = "A completed training run.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "PKG",
            description = "The package to write: a new (or empty) folder, or a file ending in .zip.")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "cardiac-lv",
            description = "The model's name in registries (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--onnx", description = "Also write model.onnx (ONNX opset 17, batch norm folded, the same input "
            + "and output as the SavedModel, normalisation and class names in its metadata), hashed in the MANIFEST.")
    boolean onnx;

    @Override
    public Integer call() throws Exception {
        Path run = Inputs.modelDirectory(model);
        List<ModelPackage.Addition> additions = new ArrayList<>();
        if (onnx) {
            Backend tensorflow = Backends.load(TensorFlowBackend.NAME);
            additions.add(staged -> OnnxExport.intoModelFolder(tensorflow, staged));
        }
        Path written = ModelPackage.export(run, out, name, additions);
        if (Files.isDirectory(written)) {
            PackageManifest manifest = PackageManifest.verify(written);
            root.out().println("exported " + name + " to " + written + " (" + manifest.entries().size()
                    + " files" + (onnx ? " with " + OnnxExport.FILE_NAME : "") + ", MANIFEST sha256 "
                    + manifest.sha256() + ")");
        } else {
            root.out().println("exported " + name + " to " + written + " (" + Files.size(written) + " bytes, zip)");
        }
        return 0;
    }
}
