package dev.clipsearch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * CLIP image preprocessing, pixel-exact with transformers' {@code CLIPImageProcessor} on its Pillow
 * backend: convert to RGB (Pillow's {@code convert("RGB")}: alpha and transparency dropped, every
 * pixel keeps its stored colour), resize so the shortest edge is {@code size.shortest_edge} with
 * Pillow's resampling (bicubic by default, fixed-point, antialiased when shrinking), centre-crop to
 * {@code crop_size} (zero padding when the image is smaller, as transformers does), rescale by
 * {@code rescale_factor}, normalise with {@code image_mean}/{@code image_std}, and lay the result
 * out channel-first as float32.
 *
 * <p>Instances are immutable and thread-safe; {@link #preprocess} keeps no shared mutable state
 * apart from a bounded, concurrent cache of resize coefficient tables.
 */
public final class ClipImagePreprocessor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] OPENAI_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] OPENAI_STD = {0.26862954, 0.26130258, 0.27577711};
    private static final double DEFAULT_RESCALE = 1.0 / 255.0;

    private final boolean doResize;
    private final int shortestEdge; // > 0 when resizing by shortest edge
    private final int resizeHeight; // > 0 when resizing to a fixed size
    private final int resizeWidth;
    private final boolean doCenterCrop;
    private final int cropSize;
    private final PilResampler.Filter filter;
    private final boolean convertRgb;

    /**
     * Output value for each channel and 8-bit input value: rescale (float64, then float32) and
     * normalise (float32).
     */
    private final float[][] lut;

    private ClipImagePreprocessor(
            boolean doResize,
            int shortestEdge,
            int resizeHeight,
            int resizeWidth,
            boolean doCenterCrop,
            int cropSize,
            PilResampler.Filter filter,
            boolean convertRgb,
            boolean doRescale,
            double rescaleFactor,
            boolean doNormalize,
            double[] mean,
            double[] std) {
        this.doResize = doResize;
        this.shortestEdge = shortestEdge;
        this.resizeHeight = resizeHeight;
        this.resizeWidth = resizeWidth;
        this.doCenterCrop = doCenterCrop;
        this.cropSize = cropSize;
        this.filter = filter;
        this.convertRgb = convertRgb;
        this.lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c];
            float s = (float) std[c];
            for (int v = 0; v < 256; v++) {
                float x = doRescale ? (float) (v * rescaleFactor) : v;
                lut[c][v] = doNormalize ? (x - m) / s : x;
            }
        }
    }

    /**
     * The preprocessing of OpenAI's CLIP checkpoints (e.g. {@code openai/clip-vit-base-patch32}):
     * shortest edge 224, bicubic, centre crop 224, rescale 1/255, OpenAI mean and std.
     *
     * @return the preprocessor
     */
    public static ClipImagePreprocessor openAiClip() {
        return new ClipImagePreprocessor(
                true,
                224,
                0,
                0,
                true,
                224,
                PilResampler.Filter.BICUBIC,
                true,
                true,
                DEFAULT_RESCALE,
                true,
                OPENAI_MEAN,
                OPENAI_STD);
    }

    /**
     * Reads a Hugging Face {@code preprocessor_config.json} of a CLIP-style image processor.
     * Understood keys (with transformers' defaults for CLIP when absent): {@code do_resize}, {@code
     * size} ({@code {"shortest_edge": n}}, {@code {"height": h, "width": w}} or a legacy integer
     * meaning the shortest edge), {@code resample} (1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5
     * HAMMING), {@code do_center_crop}, {@code crop_size} (square), {@code do_rescale}, {@code
     * rescale_factor}, {@code do_normalize}, {@code image_mean}, {@code image_std}, {@code
     * do_convert_rgb}.
     *
     * @param preprocessorConfigJson path of {@code preprocessor_config.json}
     * @return the preprocessor
     * @throws IllegalArgumentException if the file cannot be read or describes something
     *     unsupported (NEAREST resampling, a non-square output)
     */
    public static ClipImagePreprocessor fromConfig(Path preprocessorConfigJson) {
        JsonNode root;
        try {
            root = JSON.readTree(preprocessorConfigJson.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Cannot read preprocessor config "
                            + preprocessorConfigJson
                            + ": "
                            + e.getMessage(),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    "Preprocessor config " + preprocessorConfigJson + " is not a JSON object");
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unsupported preprocessor config "
                            + preprocessorConfigJson
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static ClipImagePreprocessor fromJson(JsonNode root) {
        boolean doResize = root.path("do_resize").asBoolean(true);
        int shortest = 0;
        int height = 0;
        int width = 0;
        JsonNode size = root.path("size");
        if (size.isInt()) {
            shortest = size.asInt();
        } else if (size.has("shortest_edge")) {
            shortest = positive(size.get("shortest_edge"), "size.shortest_edge");
        } else if (size.has("height") || size.has("width")) {
            height = positive(size.get("height"), "size.height");
            width = positive(size.get("width"), "size.width");
        } else if (size.isMissingNode() || size.isNull()) {
            shortest = 224;
        } else {
            throw new IllegalArgumentException(
                    "size must be an integer, {shortest_edge} or {height, width}: " + size);
        }
        if (doResize && shortest <= 0 && (height <= 0 || width <= 0)) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        boolean doCenterCrop = root.path("do_center_crop").asBoolean(true);
        int crop = 224;
        JsonNode cropNode = root.path("crop_size");
        if (cropNode.isInt()) {
            crop = cropNode.asInt();
        } else if (cropNode.isObject()) {
            int ch = positive(cropNode.get("height"), "crop_size.height");
            int cw = positive(cropNode.get("width"), "crop_size.width");
            if (ch != cw) {
                throw new IllegalArgumentException(
                        "non-square crop_size " + cw + "x" + ch + " is not supported");
            }
            crop = ch;
        }
        if (!doCenterCrop) {
            if (!doResize || height <= 0 || height != width) {
                throw new IllegalArgumentException(
                        "without do_center_crop the output must be square: set size to "
                                + "{height: n, width: n}");
            }
            crop = height;
        }
        if (crop <= 0) {
            throw new IllegalArgumentException("crop_size must be positive: " + cropNode);
        }
        PilResampler.Filter filter =
                PilResampler.Filter.fromPilCode(root.path("resample").asInt(3));
        boolean doRescale = root.path("do_rescale").asBoolean(true);
        double rescale = root.path("rescale_factor").asDouble(DEFAULT_RESCALE);
        boolean doNormalize = root.path("do_normalize").asBoolean(true);
        double[] mean = triple(root.path("image_mean"), OPENAI_MEAN, "image_mean");
        double[] std = triple(root.path("image_std"), OPENAI_STD, "image_std");
        for (double s : std) {
            if (doNormalize && s == 0.0) {
                throw new IllegalArgumentException("image_std must not contain 0");
            }
        }
        boolean convertRgb = root.path("do_convert_rgb").asBoolean(true);
        return new ClipImagePreprocessor(
                doResize,
                shortest,
                height,
                width,
                doCenterCrop,
                crop,
                filter,
                convertRgb,
                doRescale,
                rescale,
                doNormalize,
                mean,
                std);
    }

    private static int positive(JsonNode node, String field) {
        if (node == null || !node.canConvertToInt() || node.asInt() <= 0) {
            throw new IllegalArgumentException(field + " must be a positive integer, got " + node);
        }
        return node.asInt();
    }

    private static double[] triple(JsonNode node, double[] fallback, String field) {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (node.isNumber()) {
            return new double[] {node.asDouble(), node.asDouble(), node.asDouble()};
        }
        if (!node.isArray() || node.size() != 3) {
            throw new IllegalArgumentException(
                    field + " must be a number or a list of 3 numbers, got " + node);
        }
        return new double[] {
            node.get(0).asDouble(), node.get(1).asDouble(), node.get(2).asDouble()
        };
    }

    /**
     * Side of the square output image (the crop size), e.g. 224.
     *
     * @return the output size in pixels
     */
    public int imageSize() {
        return cropSize;
    }

    /**
     * Preprocesses a decoded image. Any {@link BufferedImage} works; pixel values are read raw (no
     * colour management), like Pillow, and transparency is dropped as transformers' {@code
     * convert_to_rgb} (Pillow's {@code convert("RGB")}) drops it: each pixel keeps its stored
     * colour. EXIF orientation is not known here: decode with {@link ClipImages} (or use {@link
     * #preprocess(byte[], String)}) to have it applied.
     *
     * @param image the image
     * @param inputName a name for the input, carried into the result and error messages
     * @return CHW float32 pixel values of {@link #imageSize()}²
     */
    public PreprocessedImage preprocess(BufferedImage image, String inputName) {
        Objects.requireNonNull(image, "image");
        PilPixels.Pixels px = PilPixels.read(image);
        // transformers' convert_to_rgb is Pillow's image.convert("RGB"): alpha is dropped, never
        // composited (PilPixels already un-premultiplied RGBa the way Pillow does)
        int[] rgb = px.argb();
        int w = px.width();
        int h = px.height();

        int outW = w;
        int outH = h;
        if (doResize) {
            if (shortestEdge > 0) {
                int shortSide = Math.min(w, h);
                int longSide = Math.max(w, h);
                // transformers get_resize_output_image_size: int(short_target * long / short),
                // truncated
                int newLong = (int) ((double) ((long) shortestEdge * longSide) / shortSide);
                outW = w <= h ? shortestEdge : newLong;
                outH = w <= h ? newLong : shortestEdge;
            } else {
                outW = resizeWidth;
                outH = resizeHeight;
            }
        }
        int size = cropSize;
        // transformers center_crop: top = (h - crop) // 2, zero padding (ceil split) when the image
        // is smaller
        int padTop = outH >= size ? 0 : (size - outH + 1) / 2;
        int padLeft = outW >= size ? 0 : (size - outW + 1) / 2;
        int offY =
                Math.max(0, Math.floorDiv(outH - size, 2) + padTop)
                        - padTop; // resized row of output row 0
        int offX = Math.max(0, Math.floorDiv(outW - size, 2) + padLeft) - padLeft;
        int y0 = Math.max(0, offY);
        int x0 = Math.max(0, offX);
        int winH = Math.min(outH, offY + size) - y0;
        int winW = Math.min(outW, offX + size) - x0;
        if (!doCenterCrop && (outW != size || outH != size)) {
            throw new IllegalStateException(
                    "resize produced " + outW + "x" + outH + ", expected " + size);
        }
        int[] window = PilResampler.resizeWindow(rgb, w, h, outW, outH, x0, y0, winW, winH, filter);

        float[] out = new float[3 * size * size];
        int plane = size * size;
        float[] lr = lut[0];
        float[] lg = lut[1];
        float[] lb = lut[2];
        boolean padded = winW != size || winH != size;
        if (padded) {
            java.util.Arrays.fill(out, 0, plane, lr[0]);
            java.util.Arrays.fill(out, plane, 2 * plane, lg[0]);
            java.util.Arrays.fill(out, 2 * plane, 3 * plane, lb[0]);
        }
        int dy = y0 - offY;
        int dx = x0 - offX;
        for (int y = 0; y < winH; y++) {
            int src = y * winW;
            int dst = (y + dy) * size + dx;
            for (int x = 0; x < winW; x++) {
                int p = window[src + x];
                out[dst + x] = lr[(p >> 16) & 0xFF];
                out[plane + dst + x] = lg[(p >> 8) & 0xFF];
                out[2 * plane + dst + x] = lb[p & 0xFF];
            }
        }
        return new PreprocessedImage(ImageDecodeException.nameOrDefault(inputName), size, out);
    }

    /**
     * Decodes (EXIF orientation applied, see {@link ClipImages#decode(byte[], String)}) and
     * preprocesses an image.
     *
     * @param encoded the encoded image
     * @param inputName a name for the input used in the result and error messages
     * @return CHW float32 pixel values of {@link #imageSize()}²
     * @throws ImageDecodeException if the bytes cannot be decoded
     */
    public PreprocessedImage preprocess(byte[] encoded, String inputName) {
        return preprocess(ClipImages.decode(encoded, inputName), inputName);
    }
}
