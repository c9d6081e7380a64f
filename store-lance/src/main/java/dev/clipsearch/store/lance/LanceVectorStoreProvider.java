package dev.clipsearch.store.lance;

import dev.clipsearch.store.StoreLocation;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStoreProvider;
import java.nio.file.Path;

/**
 * The {@code lance:} backend: an embedded LanceDB database directory. {@code lance:./data/lancedb}
 * keeps table {@code image_search} at {@code ./data/lancedb/image_search.lance} (relative paths
 * resolve against the working directory), the layout LanceDB uses, so {@code
 * lancedb.connect("./data/lancedb").open_table("image_search")} opens it from Python or Node.
 *
 * <p>URI parameters: {@code index_threshold} (rows from which {@code createIndex(AUTO)} builds an
 * IVF_HNSW_SQ index; default 100000), {@code nprobes}, {@code refine_factor}, {@code ef} (search
 * tuning; 0 or absent: measured defaults), {@code index_cache_mb} (index cache bound, default 4096;
 * an IVF_HNSW_SQ index of 1M 512-d vectors needs more than 1024), {@code exact_filter_rows}
 * (filtered searches matching at most this many rows are exact even with an index; default 20000),
 * {@code memory_rows} (a table without a vector index and with at most this many rows, and at most
 * {@code index_threshold}, is searched from a memory-resident copy of its vectors; default 100000,
 * 0: never), {@code table} (overrides the table name).
 *
 * <p>This is a thin layer over {@link LanceVectorStore#builder(Path)}: the URI parameters become
 * the builder's typed options.
 */
public final class LanceVectorStoreProvider implements VectorStoreProvider {

    @Override
    public String scheme() {
        return "lance";
    }

    @Override
    public VectorStore open(StoreLocation location, String table, int dimension) {
        LanceOptions options = LanceOptions.from(location);
        String target = location.target();
        if (target.startsWith("//")) {
            throw new IllegalArgumentException(
                    "lance: store URIs take a local directory (lance:./data/lancedb or "
                            + "lance:/abs/path), got "
                            + location.redacted());
        }
        Path db =
                Path.of(target.isEmpty() ? "./data/lancedb" : target).toAbsolutePath().normalize();
        return LanceVectorStore.builder(db)
                .table(location.param("table", table))
                .dimension(dimension)
                .options(options)
                .open();
    }
}
