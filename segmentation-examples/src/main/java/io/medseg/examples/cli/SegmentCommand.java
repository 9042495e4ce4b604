package io.medseg.examples.cli;

import io.medseg.train.TrainingListener;
import io.medseg.train.TrainingListeners;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code segment} command: holds the output streams and the options every subcommand shares. */
@Command(name = "segment", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = "Left-ventricle segmentation of cardiac MRI with a U-Net (medseg).",
        subcommands = {DemoCommand.class, TrainCommand.class, PredictCommand.class, EvaluateCommand.class,
                CrossValidateCommand.class, ConvertCommand.class, InspectCommand.class, ReproduceCommand.class,
                ExportCommand.class, DiffCommand.class, ValidateCommand.class, RegisterCommand.class,
                ModelsCommand.class, PromoteCommand.class, DriftCommand.class, ServeCommand.class, TokenCommand.class,
                AgreementCommand.class, BatchCommand.class, AuditCommand.class, KeygenCommand.class,
                SignCommand.class, VerifyCommand.class, TrustCommand.class, UncertaintyCommand.class,
                HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage or input error, 3 a checked requirement was not met "
                        + "(validate, reproduce, drift, verify, audit verify, a registry rule).",
                "Data layout and output formats: docs/data-formats.md"})
public final class SegmentCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures and debug logging.")
    boolean verbose;

    public SegmentCommand() {
        this(System.out, System.err, TrainingListeners.isTerminal(System.err));
    }

    /** Standard error taken for a file: progress is written a line at a time. */
    public SegmentCommand(PrintStream out, PrintStream err) {
        this(out, err, false);
    }

    /** {@code terminal}: whether {@code err} is a terminal, where progress is drawn in place. */
    public SegmentCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.terminal = terminal;
    }

    /** Results. */
    PrintStream out() {
        return out;
    }

    /** Progress and errors. */
    PrintStream err() {
        return err;
    }

    /** Whether {@link #err()} is a terminal, where progress may be redrawn in place. */
    boolean terminal() {
        return terminal;
    }

    /** The training progress on {@link #err()}: drawn in place on a terminal, a line per epoch otherwise. */
    TrainingListener progressBar() {
        return TrainingListeners.progressBar(err, terminal);
    }

    @Override
    public Integer call() {
        err.println(Errors.PREFIX + "missing command (one of demo, train, predict, evaluate, crossval, convert, inspect, reproduce, export, diff, validate, register, models, promote, drift, serve, token)");
        spec.commandLine().usage(err);
        return Errors.USAGE;
    }

    /** The jar's Implementation-Version when packaged, else "development build". */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SegmentCommand.class.getPackage().getImplementationVersion();
            return new String[] {"segment (medseg) " + (v == null ? "development build" : v) + ", Java "
                    + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
