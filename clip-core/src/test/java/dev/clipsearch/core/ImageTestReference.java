package dev.clipsearch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test access to {@code src/test/resources/clip-reference}: the image list of reference.json and
 * the F32 {@code pixel_values} tensor of reference.safetensors (a minimal reader: 8-byte LE header
 * length, JSON header, raw little-endian data), independent of the production SafetensorsReader.
 */
final class ImageTestReference {

    static final String ROOT = "/clip-reference/";

    private ImageTestReference() {}

    static List<String> imageNames() {
        try (InputStream in = resource(ROOT + "reference.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<String> names = new ArrayList<>();
            root.get("images").forEach(n -> names.add(n.asText()));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] imageBytes(String name) {
        try (InputStream in = resource(ROOT + "images/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path imagePath(String name) {
        return resourcePath(ROOT + "images/" + name);
    }

    static Path resourcePath(String resource) {
        try {
            return Path.of(ImageTestReference.class.getResource(resource).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + resource, e);
        }
    }

    /** Reads an F32 tensor; returns the flat values and fills {@code shapeOut} with its shape. */
    static float[] readF32(String tensor, List<Integer> shapeOut) {
        try (InputStream in = resource(ROOT + "reference.safetensors")) {
            byte[] all = in.readAllBytes();
            ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = buf.getLong(0);
            String header = new String(all, 8, (int) headerLen, StandardCharsets.UTF_8);
            JsonNode entry = new ObjectMapper().readTree(header).get(tensor);
            if (entry == null || !"F32".equals(entry.get("dtype").asText())) {
                throw new IllegalStateException("no F32 tensor " + tensor);
            }
            entry.get("shape").forEach(n -> shapeOut.add(n.asInt()));
            long begin = entry.get("data_offsets").get(0).asLong();
            long end = entry.get("data_offsets").get(1).asLong();
            int base = (int) (8 + headerLen + begin);
            float[] values = new float[(int) ((end - begin) / 4)];
            for (int i = 0; i < values.length; i++) {
                values[i] = buf.getFloat(base + 4 * i);
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = ImageTestReference.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + path);
        }
        return in;
    }
}
