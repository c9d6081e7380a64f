package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {

    @TempDir Path temp;

    /** Builds a safetensors file from a header JSON and raw data. */
    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).put(data);
        return Files.write(temp.resolve(name), buf.array());
    }

    private static byte[] shorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    @Test
    void readsF32WithoutCopyingAndWidensF16AndBf16() throws IOException {
        ByteBuffer f32 =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
        byte[] f16 =
                shorts(
                        0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00,
                        0x3555); // 1, -2, 2^-24, 65504, inf, ~0.333
        byte[] bf16 = shorts(0x3f80, 0xc040, 0x4049); // 1, -3, 3.140625
        byte[] data = new byte[8 + f16.length + bf16.length];
        System.arraycopy(f32.array(), 0, data, 0, 8);
        System.arraycopy(f16, 0, data, 8, f16.length);
        System.arraycopy(bf16, 0, data, 8 + f16.length, bf16.length);
        String header =
                "{\"__metadata__\":{\"format\":\"pt\"},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[8,20]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[20,26]}}";
        try (SafetensorsReader r = SafetensorsReader.open(file("ok.safetensors", header, data))) {
            assertThat(r.tensors()).containsOnlyKeys("a", "h", "b");
            assertThat(r.metadata()).containsEntry("format", "pt");
            ByteBuffer a = r.float32("a");
            assertThat(a.isDirect()).isTrue();
            assertThat(a.isReadOnly()).as("F32 is the mapping itself, not a copy").isTrue();
            assertThat(r.floats("a")).containsExactly(1.5f, -2f);
            assertThat(r.floats("h"))
                    .containsExactly(
                            1f,
                            -2f,
                            (float) Math.pow(2, -24),
                            65504f,
                            Float.POSITIVE_INFINITY,
                            0.33325195f);
            assertThat(r.info("h").shape()).containsExactly(2, 3);
            assertThat(r.floats("b")).containsExactly(1f, -3f, 3.140625f);
        }
    }

    @Test
    void halfToFloatCoversEveryHalfValue() {
        // every finite half converts exactly: reconverting by rounding gives the same bits
        for (int h = 0; h < 0x10000; h++) {
            float f = SafetensorsReader.halfToFloat((short) h);
            int exp = (h >>> 10) & 0x1f;
            if (exp == 0x1f) {
                assertThat(Float.isInfinite(f) || Float.isNaN(f)).isTrue();
                continue;
            }
            int mant = h & 0x3ff;
            double expected =
                    (exp == 0
                                    ? mant * Math.pow(2, -24)
                                    : (1 + mant / 1024.0) * Math.pow(2, exp - 15))
                            * ((h & 0x8000) != 0 ? -1 : 1);
            assertThat((double) f).as("half 0x%04x", h).isEqualTo(expected);
        }
    }

    @Test
    void truncatedFileNamesFileAndTensor() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        Path f = file("short.safetensors", header, new byte[10]);
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("'w'")
                .hasMessageContaining("truncated");
    }

    @Test
    void sizeNotMatchingDtypeAndShapeIsRejected() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        Path f = file("size.safetensors", header, new byte[16]);
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'w'")
                .hasMessageContaining("holds 16 bytes but F16 [4] needs 8");
    }

    @Test
    void malformedHeadersAreRejected() throws IOException {
        Path notJson = file("bad.safetensors", "{not json", new byte[0]);
        assertThatThrownBy(() -> SafetensorsReader.open(notJson))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(notJson.toString())
                .hasMessageContaining("not valid JSON");
        Path dtype =
                file(
                        "dtype.safetensors",
                        "{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                        new byte[1]);
        assertThatThrownBy(() -> SafetensorsReader.open(dtype))
                .hasMessageContaining("unsupported dtype F8");
        Path tiny = Files.write(temp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsReader.open(tiny))
                .hasMessageContaining("not a safetensors file");
        byte[] hugeLength =
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        Path huge = Files.write(temp.resolve("huge.safetensors"), hugeLength);
        assertThatThrownBy(() -> SafetensorsReader.open(huge))
                .hasMessageContaining("invalid safetensors header length");
        assertThatThrownBy(() -> SafetensorsReader.open(temp.resolve("missing.safetensors")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("file not found");
    }

    @Test
    void missingTensorAndWrongDtypeAreNamed() throws IOException {
        String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        ByteBuffer data =
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1);
        Path f = file("ids.safetensors", header, data.array());
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.longs("ids")).containsExactly(7, -1);
            assertThatThrownBy(() -> r.float32("ids")).hasMessageContaining("'ids' has dtype I64");
            assertThatThrownBy(() -> r.info("nope"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("'nope' is missing");
        }
    }
}
