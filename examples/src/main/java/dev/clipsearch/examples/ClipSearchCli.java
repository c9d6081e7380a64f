package dev.clipsearch.examples;

import dev.clipsearch.search.DatasetMismatchException;
import dev.clipsearch.search.ModelMismatchException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code clip-search}: index a dataset with CLIP into a vector store, search it from the command
 * line or a web gallery, evaluate and benchmark. Errors print one line (a stack trace with {@code
 * --verbose}) and exit 1; bad usage exits 2.
 */
@Command(
        name = "clip-search",
        mixinStandardHelpOptions = true,
        version = "clip-search 0.1.0",
        description = "Search images with natural language: CLIP embeddings in a vector store.",
        subcommands = {
            EmbedCommand.class,
            IndexCommand.class,
            SearchCommand.class,
            ServeCommand.class,
            DemoCommand.class,
            InfoCommand.class,
            EvalCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class ClipSearchCli {

    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    /**
     * Runs the CLI and exits with its status. Logging: slf4j-simple, configured by {@code
     * simplelogger.properties} (this project INFO, other libraries WARN; {@code -D} overrides).
     */
    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs one subcommand with {@code args} and exits with its status (for the named mains). */
    static void runCommand(String command, String[] args) {
        main(commandArgs(command, args));
    }

    /** {@code command} followed by {@code args}. */
    static String[] commandArgs(String command, String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    /**
     * Runs the CLI, printing to {@code out} and {@code err}; returns the exit status (0 on
     * success).
     */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        DjlSettings.apply();
        CommandLine cli = commandLine(out, err);
        return cli.execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        ClipSearchCli root = new ClipSearchCli();
        CommandLine cli = new CommandLine(root);
        cli.setOut(
                new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(
                new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    PrintWriter w = commandLine.getErr();
                    String help = FirstRunHelp.message(e, hubCacheDir());
                    w.println("Error: " + (help != null ? help : message(e)) + cliRemedy(e));
                    if (root.verbose) {
                        e.printStackTrace(w);
                    }
                    w.flush();
                    return 1;
                });
        // embed takes --image and --text in any mix; its option setters see every occurrence in
        // order
        cli.getSubcommands().get("embed").setOverwrittenOptionsAllowed(true);
        return cli;
    }

    private static Path hubCacheDir() {
        try {
            return ModelOptions.hubBuilder.get().build().cacheDir();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The command-line form of a library-level remedy: the library names its options, the CLI adds
     * the flag that sets them.
     */
    static String cliRemedy(Throwable e) {
        if (e instanceof DatasetMismatchException) {
            return " On the command line: --table T for another table, or --add.";
        }
        if (e instanceof ModelMismatchException) {
            return " On the command line: --allow-model-mismatch.";
        }
        return "";
    }

    /** The exception's message, followed by its causes' where they add something. */
    static String message(Throwable e) {
        StringBuilder sb =
                new StringBuilder(
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        Throwable c = e.getCause();
        for (int depth = 0; c != null && c != e && depth < 3; depth++, c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !sb.toString().contains(m)) {
                sb.append(": ").append(m);
            }
        }
        return sb.toString().replace('\n', ' ');
    }
}
