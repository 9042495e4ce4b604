package io.medseg.examples.cli;

import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.TrustPolicy;
import io.medseg.mlops.signing.SigningKeys;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segment trust}: the registry's trusted signing keys and whether it requires signed packages. */
@Command(name = "trust", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"The registry's signing rules: trusted keys with their roles, and whether signatures are "
                + "required (then register needs a package signed by a register key, and production an approval "
                + "by a second, approve key).",
                "  segment trust add KEY.pub [--name N] [--role register|approve|both]",
                "  segment trust remove NAME|FINGERPRINT",
                "  segment trust require on|off",
                "  segment trust list"},
        subcommands = {TrustCommand.Add.class, TrustCommand.Remove.class, TrustCommand.Require.class,
                TrustCommand.ListKeys.class})
public final class TrustCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Override
    public Integer call() {
        throw new UsageException("give a subcommand: segment trust add | remove | require | list (segment trust "
                + "--help)");
    }

    static void print(SegmentCommand root, TrustPolicy p, ModelRegistry reg) {
        root.out().println("registry " + reg.root() + ": signatures " + (p.requireSignatures() ? "required"
                : "not required") + ", " + p.keys().size() + (p.keys().size() == 1 ? " trusted key" : " trusted keys"));
        for (TrustPolicy.Key k : p.keys()) {
            root.out().println("  " + k.name() + "  " + k.fingerprint() + "  " + String.join(",", k.roles())
                    + "  added " + k.added() + " by " + k.addedBy());
        }
    }

    /** {@code segment trust add}. */
    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
            description = "Trust a public key for registering, approving, or both.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Mixin
        RegistryOption registry = new RegistryOption();

        @Parameters(index = "0", paramLabel = "KEY.pub")
        Path key;

        @Option(names = "--name", paramLabel = "N", description = "Whose key (default: the file name without .pub).")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "both",
                description = "register, approve or both (default: ${DEFAULT-VALUE}).")
        String role;

        @Override
        public Integer call() throws Exception {
            PublicKey pub = SigningKeys.readPublic(Inputs.existing(key));
            String file = key.getFileName().toString();
            String n = name != null ? name : file.endsWith(SigningKeys.PUBLIC_SUFFIX)
                    ? file.substring(0, file.length() - SigningKeys.PUBLIC_SUFFIX.length()) : file;
            ModelRegistry reg = registry.open();
            print(parent.root, reg.trustKey(n, pub, TrustPolicy.Role.parse(role)), reg);
            return 0;
        }
    }

    /** {@code segment trust remove}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
            description = "Stop trusting a key, by name or fingerprint.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Mixin
        RegistryOption registry = new RegistryOption();

        @Parameters(index = "0", paramLabel = "NAME|FINGERPRINT")
        String key;

        @Override
        public Integer call() throws Exception {
            ModelRegistry reg = registry.open();
            print(parent.root, reg.distrustKey(key), reg);
            return 0;
        }
    }

    /** {@code segment trust require}. */
    @Command(name = "require", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
            description = "Require signed packages (on) or not (off).")
    static final class Require implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Mixin
        RegistryOption registry = new RegistryOption();

        @Parameters(index = "0", paramLabel = "on|off")
        String value;

        @Override
        public Integer call() throws Exception {
            boolean on = switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new UsageException("segment trust require takes on or off: " + value);
            };
            ModelRegistry reg = registry.open();
            print(parent.root, reg.requireSignatures(on), reg);
            return 0;
        }
    }

    /** {@code segment trust list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
            description = "Show the trusted keys and whether signatures are required.")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Mixin
        RegistryOption registry = new RegistryOption();

        @Override
        public Integer call() throws Exception {
            ModelRegistry reg = registry.open();
            print(parent.root, reg.trustPolicy(), reg);
            return 0;
        }
    }
}
