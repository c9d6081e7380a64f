package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.store.TableInfo;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip-search info}: rows, dimension and index of a table. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Describe a table: rows, dimension, index.")
final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--store",
            paramLabel = "URI",
            description = "Vector store URI (default: ${DEFAULT-VALUE}).")
    String store = VectorStores.DEFAULT_URI;

    @Option(names = "--table", description = "Table name (default: ${DEFAULT-VALUE}).")
    String table = VectorStores.DEFAULT_TABLE;

    @Option(
            names = "--json",
            description = "Print {\"table\", \"rows\", \"dimension\", \"index\"} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        TableInfo info;
        try (VectorStore s = VectorStores.openExisting(store, table)) {
            info = s.info();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode();
            node.put("table", info.table())
                    .put("rows", info.rows())
                    .put("dimension", info.dimension())
                    .put("index", info.index());
            out.println(node);
        } else {
            out.printf(
                    "table:     %s%nrows:      %d%ndimension: %d%nindex:     %s%nlocation:  %s%n",
                    info.table(), info.rows(), info.dimension(), info.index(), info.location());
        }
        out.flush();
        return 0;
    }
}
