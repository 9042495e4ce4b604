package io.medseg.examples.cli;

import io.medseg.mlops.signing.SigningKeys;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segment keygen --out NAME}: a new ECDSA P-256 signing key pair, {@code NAME.key} and {@code NAME.pub}. */
@Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Make an ECDSA P-256 key pair for signing model packages: NAME.key (PKCS#8 PEM, readable by "
                + "you alone) and NAME.pub (PEM). Prints the key's fingerprint. Existing files are never "
                + "overwritten."})
public final class KeygenCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Option(names = "--out", required = true, paramLabel = "NAME", description = "Path and name of the key files, "
            + "without suffix.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PublicKey pub = SigningKeys.generateFiles(out);
        root.out().println("wrote " + SigningKeys.privateFile(out) + " (private: keep it secret) and "
                + SigningKeys.publicFile(out));
        root.out().println("fingerprint " + SigningKeys.fingerprint(pub));
        return 0;
    }
}
