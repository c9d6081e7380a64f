package dev.clipsearch.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Writes F32 safetensors files whose tensor values come from a function of the element index, so
 * that large checkpoints stream to disk without being held in memory.
 */
final class SafetensorsWriter {

    private record Entry(String name, long[] shape, IntToDoubleFunction values) {
        long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * Adds an F32 tensor whose element {@code i} (row-major) is {@code values.applyAsDouble(i)}.
     */
    SafetensorsWriter add(String name, long[] shape, IntToDoubleFunction values) {
        entries.add(new Entry(name, shape.clone(), values));
        return this;
    }

    /** Adds an F32 tensor from an array. */
    SafetensorsWriter add(String name, long[] shape, float[] values) {
        return add(name, shape, i -> values[i]);
    }

    void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode node = header.putObject(e.name());
            node.put("dtype", "F32");
            var shape = node.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            long bytes = e.count() * 4;
            node.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(headerBytes);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                int count = Math.toIntExact(e.count());
                for (int i = 0; i < count; i++) {
                    if (!chunk.hasRemaining()) {
                        chunk.flip();
                        writeFully(ch, chunk);
                        chunk.clear();
                    }
                    chunk.putFloat((float) e.values().applyAsDouble(i));
                }
            }
            chunk.flip();
            writeFully(ch, chunk);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
