package io.medseg.examples.cli;

import io.medseg.mlops.signing.ModelSigning;
import io.medseg.mlops.signing.SignatureVerificationException;
import io.medseg.mlops.signing.SigningKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segment verify PKG --trusted A.pub...}: checks a package's signature against the keys one trusts. */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Verify a model package's signature (PKG/model.sig) against trusted public keys: the bundle, "
                + "the key that made it, and every file's SHA-256.",
                "Exits 0 when verified, 3 when the signature does not hold, naming the file at fault."})
public final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Parameters(index = "0", paramLabel = "PKG", description = "A model package folder.")
    Path pkg;

    @Option(names = "--trusted", required = true, arity = "1..*", paramLabel = "KEY.pub",
            description = "Public keys whose signature is accepted.")
    List<Path> trusted;

    @Option(names = "--signature", paramLabel = "FILE", description = "A signature bundle kept elsewhere "
            + "(default: PKG/model.sig).")
    Path signature;

    @Override
    public Integer call() throws Exception {
        Path dir = Inputs.directory(pkg);
        List<ModelSigning.TrustedKey> keys = new ArrayList<>();
        for (Path p : trusted) {
            String name = p.getFileName().toString();
            keys.add(new ModelSigning.TrustedKey(name.endsWith(SigningKeys.PUBLIC_SUFFIX)
                    ? name.substring(0, name.length() - SigningKeys.PUBLIC_SUFFIX.length()) : name,
                    SigningKeys.readPublic(Inputs.existing(p))));
        }
        Path bundle = signature != null ? Inputs.existing(signature) : dir.resolve(ModelSigning.SIGNATURE_FILE);
        ModelSigning.Verified v;
        try {
            v = ModelSigning.verify(dir, bundle, keys);
        } catch (SignatureVerificationException e) {
            root.err().println("segment: NOT VERIFIED: " + e.getMessage());
            return Errors.NOT_MET;
        }
        root.out().println("VERIFIED " + dir + ": signed by " + v.key().name() + " (fingerprint " + v.fingerprint()
                + "); " + v.payload().resources().size() + " files match, subject " + v.payload().modelName()
                + " sha256 " + v.payload().rootDigest());
        return 0;
    }
}
