package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.search.Metadata;
import dev.clipsearch.search.ModelProvenance;
import dev.clipsearch.store.TableInfo;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clip-search info}: rows, dimension and index of a table, the model (and precision) that
 * made it and the datasets it holds.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Describe a table: rows, dimension, index, model and precision, datasets.")
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
            description =
                    "Print {\"table\", \"rows\", \"dimension\", \"index\", \"model\", \"precision\","
                            + " \"datasets\"} as JSON (model and precision null when not recorded).")
    boolean json;

    @Override
    public Integer call() {
        TableInfo info;
        Map<String, String> tableMetadata;
        try (VectorStore s = VectorStores.openExisting(store, table)) {
            info = s.info();
            tableMetadata = s.tableMetadata();
        }
        Optional<ModelProvenance> model = ModelProvenance.ofTable(tableMetadata);
        String datasets = tableMetadata.get(Metadata.TABLE_DATASETS);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode();
            node.put("table", info.table())
                    .put("rows", info.rows())
                    .put("dimension", info.dimension())
                    .put("index", info.index());
            if (model.isPresent()) {
                ObjectNode m = node.putObject("model");
                m.put("name", model.get().name())
                        .put("revision", model.get().revision())
                        .put("fingerprint", model.get().fingerprint())
                        .put("dimension", model.get().dimension())
                        .put("precision", model.get().precision());
                node.put("precision", model.get().precision());
            } else {
                node.putNull("model");
                node.putNull("precision");
            }
            ArrayNode ds = node.putArray("datasets");
            if (datasets != null) {
                for (String d : datasets.split("\n")) {
                    ds.add(d);
                }
            }
            out.println(node);
        } else {
            out.printf(
                    "table:     %s%nrows:      %d%ndimension: %d%nindex:     %s%nlocation:  %s%n",
                    info.table(), info.rows(), info.dimension(), info.index(), info.location());
            out.printf(
                    "model:     %s%nprecision: %s%ndatasets:  %s%n",
                    model.map(ModelProvenance::describe)
                            .orElse("not recorded (table written before model provenance)"),
                    model.map(ModelProvenance::precision).orElse("not recorded"),
                    datasets == null ? "not recorded" : datasets.replace("\n", ", "));
        }
        out.flush();
        return 0;
    }
}
