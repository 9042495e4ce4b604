package io.medseg.examples.cli;

import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.audit.AuditLog;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.signing.ModelSigning;
import io.medseg.mlops.signing.SigningKeys;
import io.medseg.mlops.signing.SigningPayload;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment sign PKG --key NAME.key}: signs a model package in the OpenSSF model signing format into
 * {@code PKG/model.sig}. With {@code --registry} the signature is also recorded in that registry's audit log.
 */
@Command(name = "sign", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Sign a model package: writes PKG/model.sig, an OpenSSF model signing bundle (DSSE envelope, "
                + "in-toto statement listing every file's SHA-256) that model_signing and segment verify check.",
                "The package must match its MANIFEST. NAME.pub must lie beside NAME.key.",
                "With --registry DIR the signing is recorded in that registry's audit log."})
public final class SignCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Parameters(index = "0", paramLabel = "PKG", description = "A model package folder.")
    Path pkg;

    @Option(names = "--key", required = true, paramLabel = "NAME.key", description = "The private key (segment "
            + "keygen).")
    Path key;

    @Option(names = "--registry", paramLabel = "DIR", description = "Also record the signing in this registry's "
            + "audit log.")
    Path registry;

    @Override
    public Integer call() throws Exception {
        Path dir = Inputs.directory(pkg);
        SigningKeys.SigningKey pair = SigningKeys.readPair(Inputs.existing(key));
        ModelRegistry reg = registry == null ? null : ModelRegistry.open(registry);
        SigningPayload payload = ModelSigning.sign(dir, pair);
        root.out().println("signed " + dir + ": " + payload.resources().size() + " files, subject "
                + payload.modelName() + " sha256 " + payload.rootDigest());
        root.out().println("key fingerprint " + pair.fingerprint() + "; signature " + dir.resolve(
                ModelSigning.SIGNATURE_FILE));
        if (reg != null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("package", dir.toAbsolutePath().toString());
            details.put("subject_sha256", payload.rootDigest());
            reg.auditLog().append(AuditLog.Actor.osUser().withKey(pair.fingerprint()), "sign",
                    new AuditLog.Subject(payload.modelName(), null, PackageManifest.sha256(dir)), "ok", details);
        }
        return 0;
    }
}
