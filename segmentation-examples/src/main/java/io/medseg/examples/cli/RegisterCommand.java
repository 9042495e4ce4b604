package io.medseg.examples.cli;

import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import io.medseg.io.FileTrees;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.signing.SignatureVerificationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segment register PKG}: adds a verified model package to the registry as the next version of its name. */
@Command(name = "register", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Register a model package: it is verified against its MANIFEST, copied into the registry "
                + "and given the next version number of its model name, in stage staging.",
                "Where the registry requires signatures (segment trust), PKG/model.sig must be a trusted register "
                        + "key's signature over exactly its files; exits 3 when it is not."})
public final class RegisterCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    RegistryOption registry = new RegistryOption();

    @Parameters(index = "0", paramLabel = "PKG", description = "A model package folder or .zip (segment export).")
    Path pkg;

    @Override
    public Integer call() throws Exception {
        ModelRegistry reg = registry.open();
        ModelVersion v;
        try {
            v = register(reg);
        } catch (SignatureVerificationException refused) {
            // a rule of the registry: it requires a trusted signature over exactly these files
            root.err().println(Errors.PREFIX + "registry " + reg.root() + " requires signed packages: "
                    + refused.getMessage());
            return Errors.NOT_MET;
        }
        root.out().println("registered " + v.name() + " version " + v.version() + " [" + v.stage().id() + "] in "
                + reg.root() + " (validation: " + v.validationVerdict() + (v.signedByKey().isPresent()
                ? ", signed by key " + v.signedByKey().get() : "") + ")");
        return 0;
    }

    private ModelVersion register(ModelRegistry reg) throws java.io.IOException {
        ModelVersion v;
        if (Files.isRegularFile(pkg) && pkg.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            // a zipped package: unpacked beside the registry's own copy step, verified there, then removed
            Path unpacked = Files.createTempDirectory("medseg-package-");
            try {
                v = reg.register(ModelPackage.unzip(pkg, unpacked.resolve("package")));
            } finally {
                FileTrees.deleteTree(unpacked);
            }
        } else {
            v = reg.register(Inputs.directory(pkg));
        }
        return v;
    }
}
