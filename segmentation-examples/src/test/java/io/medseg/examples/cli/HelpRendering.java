package io.medseg.examples.cli;

import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Run by {@link HelpTextTest} in a JVM of its own, so that picocli's warnings (written to that JVM's standard error)
 * can be seen: prints the {@code --help} of every subcommand at picocli's default width, each after a line
 * {@value #HEADER}{@code name}. With {@code --bad-first} it renders a help text with a stray {@code %} first.
 */
public final class HelpRendering {
    static final String HEADER = "=== ";

    private HelpRendering() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        if (args.length > 0 && args[0].equals("--bad-first")) {
            CommandSpec bad = CommandSpec.create().name("bad");
            bad.usageMessage().description("Required mean 95% Hausdorff distance.");
            out.println(HEADER + "bad");
            new CommandLine(bad).usage(out);
        }
        CommandLine root = Main.commandLine(out, System.err);
        out.println(HEADER + root.getCommandName());
        root.usage(out);
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            out.println(HEADER + e.getKey());
            e.getValue().usage(out);
        }
        out.flush();
    }
}
