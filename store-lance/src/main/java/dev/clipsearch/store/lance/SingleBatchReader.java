package dev.clipsearch.store.lance;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} that serves one in-memory batch (no IPC round trip); does not own the
 * source.
 */
final class SingleBatchReader extends ArrowReader {

    private final VectorSchemaRoot source;
    private boolean served;

    SingleBatchReader(BufferAllocator allocator, VectorSchemaRoot source) {
        super(allocator);
        this.source = source;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        prepareLoadNextBatch();
        if (served) {
            return false;
        }
        served = true;
        ArrowRecordBatch batch = new VectorUnloader(source).getRecordBatch();
        loadRecordBatch(batch);
        return true;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    protected void closeReadSource() {
        // the source root belongs to the caller
    }

    @Override
    protected Schema readSchema() {
        return source.getSchema();
    }
}
