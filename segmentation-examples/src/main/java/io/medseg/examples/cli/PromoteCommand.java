package io.medseg.examples.cli;

import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import io.medseg.mlops.registry.PromotionRefusedException;
import io.medseg.mlops.registry.Stage;
import io.medseg.mlops.signing.SigningKeys;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment promote NAME VERSION STAGE}: moves a version to staging, production or archived. Production needs
 * a passing validation record for exactly this package; the previous production version is archived.
 */
@Command(name = "promote", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Move a registered version to a stage: staging, production or archived.",
                "Production requires that the newest validation record of the package passed (segment validate); "
                        + "the previous production version is archived. Exits 3 when the registry refuses the move.",
                "Where the registry requires signatures (segment trust), production also needs an approval: "
                        + "--key APPROVER.key signs the registered copy with a trusted approve key that is not the "
                        + "registrant's (four eyes)."})
public final class PromoteCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    RegistryOption registry = new RegistryOption();

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION")
    int version;

    @Parameters(index = "2", paramLabel = "STAGE", description = "staging, production or archived")
    String stage;

    @Option(names = "--key", paramLabel = "APPROVER.key",
            description = "Approve the version with this key first (APPROVER.pub beside it), then promote.")
    Path key;

    @Override
    public Integer call() throws Exception {
        Stage target;
        try {
            target = Stage.parse(stage);
        } catch (IllegalArgumentException e) {
            throw new UsageException("stage must be staging, production or archived: " + stage);
        }
        ModelRegistry reg = registry.open();
        ModelVersion before = reg.version(name, version);
        ModelVersion after;
        try {
            if (key != null) {
                SigningKeys.SigningKey approver = SigningKeys.readPair(Inputs.existing(key));
                reg.approve(name, version, approver);
                root.out().println(name + " " + version + ": approved with key " + approver.fingerprint());
            }
            after = reg.promote(name, version, target);
        } catch (PromotionRefusedException refused) {
            // a rule of the registry, not a failure of the command: no validation record, or a failing one
            root.err().println(Errors.PREFIX + refused.getMessage());
            return Errors.NOT_MET;
        }
        root.out().println(name + " " + version + ": " + before.stage().id() + " -> " + after.stage().id());
        return 0;
    }
}
