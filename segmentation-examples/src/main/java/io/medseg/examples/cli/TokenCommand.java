package io.medseg.examples.cli;

import io.medseg.serving.TokenFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment token --id NAME --tokens FILE}: makes a bearer token for {@code segment serve}, prints it once on
 * standard output and appends {@code NAME <sha256 of the token>} to the tokens file. The token is not stored.
 */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Make a bearer token for segment serve: prints it on standard output (the only time it is "
                + "shown) and appends 'NAME <sha256 of it>' to the tokens file, created readable by you alone.",
                "Revoke a token by deleting its line; a running server reads the file again when it changes."})
public final class TokenCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Option(names = "--id", required = true, paramLabel = "NAME",
            description = "Who the token is for, as the access log names them (letters, digits, . _ @ -).")
    String id;

    @Option(names = "--tokens", required = true, paramLabel = "FILE", description = "The tokens file to append to.")
    Path tokens;

    @Override
    public Integer call() throws Exception {
        String token;
        try {
            token = TokenFile.issue(tokens, id);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        root.out().println(token);
        root.err().println("segment token: added '" + id + "' to " + tokens);
        return 0;
    }
}
