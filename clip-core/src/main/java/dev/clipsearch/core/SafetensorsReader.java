package dev.clipsearch.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a <a href="https://huggingface.co/docs/safetensors">safetensors</a> file: an 8-byte
 * little-endian header length, a JSON header (name to dtype, shape, data_offsets), then raw
 * little-endian tensor data.
 *
 * <p>The header is parsed and fully validated when the file is opened (offsets inside the file,
 * byte sizes matching dtype and shape); errors name the file and the tensor. Tensor data is
 * memory-mapped, one mapping per tensor, so files larger than 2 GiB work and nothing is read until
 * asked for; mappings stay valid after {@link #close()}. {@link #float32(String)} returns F32 data
 * without copying (a read-only slice of the mapping) and widens F16 and BF16 to F32 in Java.
 */
public final class SafetensorsReader implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** Data types of the safetensors format that this reader understands. */
    public enum Dtype {
        F64(8),
        F32(4),
        F16(2),
        BF16(2),
        I64(8),
        I32(4),
        I16(2),
        I8(1),
        U8(1),
        BOOL(1);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /** One tensor's header entry; {@code offset} is relative to the start of the data section. */
    public record TensorInfo(String name, Dtype dtype, long[] shape, long offset, long byteLength) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** The shape as text, e.g. {@code [512, 768]}. */
        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(
            Path file,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @throws ModelLoadException if the file is missing, truncated or its header is malformed
     */
    public static SafetensorsReader open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(file + ": file not found");
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new ModelLoadException(
                        file
                                + ": not a safetensors file ("
                                + size
                                + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new ModelLoadException(
                        file
                                + ": invalid safetensors header length "
                                + headerLength
                                + " (file has "
                                + size
                                + " bytes; truncated or not safetensors)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors =
                    parseHeader(file, header.array(), size - dataStart, metadata);
            return new SafetensorsReader(file, channel, dataStart, tensors, metadata);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ModelLoadException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path file, byte[] headerBytes, long dataSize, Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(headerBytes);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException(
                    file + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot parse safetensors header", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + ": safetensors header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals("__metadata__")) {
                node.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseEntry(file, name, node, dataSize));
        }
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataSize) {
        String where = file + ": tensor '" + name + "': ";
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null
                || shapeNode == null
                || offsetsNode == null
                || !shapeNode.isArray()
                || !offsetsNode.isArray()
                || offsetsNode.size() != 2) {
            throw new ModelLoadException(
                    where
                            + "header entry needs dtype, shape and data_offsets [begin, end]: "
                            + node);
        }
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dtypeNode.asText());
        } catch (IllegalArgumentException ex) {
            throw new ModelLoadException(where + "unsupported dtype " + dtypeNode.asText());
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new ModelLoadException(where + "invalid shape " + shapeNode);
            }
            shape[i] = d.asLong();
            elements = Math.multiplyExact(elements, shape[i]);
        }
        long begin = offsetsNode.get(0).asLong(-1);
        long end = offsetsNode.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new ModelLoadException(where + "invalid data_offsets " + offsetsNode);
        }
        if (end > dataSize) {
            throw new ModelLoadException(
                    where
                            + "data_offsets "
                            + offsetsNode
                            + " run past the end of the data ("
                            + dataSize
                            + " bytes): the file is truncated");
        }
        long expected = elements * dtype.bytes();
        if (end - begin != expected) {
            throw new ModelLoadException(
                    where
                            + "holds "
                            + (end - begin)
                            + " bytes but "
                            + dtype
                            + " "
                            + Arrays.toString(shape)
                            + " needs "
                            + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end - begin);
    }

    /** The file this reader reads. */
    public Path file() {
        return file;
    }

    /** All tensors, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} entries (empty if none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /**
     * The header entry of a tensor.
     *
     * @throws ModelLoadException naming the file if there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new ModelLoadException(file + ": tensor '" + name + "' is missing");
        }
        return info;
    }

    /** The raw little-endian bytes of a tensor, memory-mapped (read-only, no copy). */
    public ByteBuffer raw(String name) {
        TensorInfo info = info(name);
        if (info.byteLength() == 0) {
            return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            MappedByteBuffer mapped =
                    channel.map(
                            FileChannel.MapMode.READ_ONLY,
                            dataStart + info.offset(),
                            info.byteLength());
            return mapped.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelLoadException(
                    file + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * A tensor as float32 in a direct, little-endian buffer: the memory mapping itself for F32 (no
     * copy), a widened copy for F16 and BF16 (and F64, narrowed).
     *
     * @throws ModelLoadException if the tensor is missing or not a floating-point tensor
     */
    public ByteBuffer float32(String name) {
        TensorInfo info = info(name);
        ByteBuffer raw = raw(name);
        if (info.dtype() == Dtype.F32) {
            return raw;
        }
        long count = info.elementCount();
        if (count * 4 > Integer.MAX_VALUE) {
            throw new ModelLoadException(
                    file + ": tensor '" + name + "' is too large to widen to F32 in one buffer");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer dst = out.asFloatBuffer();
        switch (info.dtype()) {
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(i, halfToFloat(raw.getShort(i * 2)));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(i, Float.intBitsToFloat((raw.getShort(i * 2) & 0xffff) << 16));
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(i, (float) raw.getDouble(i * 8));
                }
            }
            default ->
                    throw new ModelLoadException(
                            file
                                    + ": tensor '"
                                    + name
                                    + "' has dtype "
                                    + info.dtype()
                                    + ", expected a floating-point type (F32, F16, BF16)");
        }
        return out;
    }

    /** A floating-point tensor copied into a Java array (float32). */
    public float[] floats(String name) {
        ByteBuffer buf = float32(name);
        float[] out = new float[buf.capacity() / 4];
        buf.asFloatBuffer().get(out);
        return out;
    }

    /** An integer tensor (I64, I32, I16, I8, U8) as a long array. */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        ByteBuffer raw = raw(name);
        int count = Math.toIntExact(info.elementCount());
        long[] out = new long[count];
        switch (info.dtype()) {
            case I64 -> {
                LongBuffer lb = raw.asLongBuffer();
                lb.get(out);
            }
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = raw.getInt(i * 4);
                }
            }
            case I16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = raw.getShort(i * 2);
                }
            }
            case I8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = raw.get(i);
                }
            }
            case U8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = raw.get(i) & 0xff;
                }
            }
            default ->
                    throw new ModelLoadException(
                            file
                                    + ": tensor '"
                                    + name
                                    + "' has dtype "
                                    + info.dtype()
                                    + ", expected an integer type");
        }
        return out;
    }

    /** Closes the file; buffers already returned stay valid (mappings outlive the channel). */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    /** IEEE 754 half precision to float (handles subnormals, infinities and NaN). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: normalise
            int e = -1;
            do {
                e++;
                mant <<= 1;
            } while ((mant & 0x400) == 0);
            mant &= 0x3ff;
            return Float.intBitsToFloat(sign | ((127 - 15 - e) << 23) | (mant << 13));
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
