package dev.clipsearch.core;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * ImageIO plumbing behind {@link ClipImages}: picks a reader for the bytes (PNG, JPEG incl.
 * CMYK/YCCK, GIF, BMP, TIFF, WebP), checks the declared size against the pixel limit before any
 * pixel is decoded, turns reader failures and truncation warnings into {@link
 * ImageDecodeException}s, and always disposes the reader and closes the stream.
 */
final class ImageDecodingSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecodingSupport.class);

    /**
     * Formats Pillow opens that we decode; other ImageIO plugins (e.g. WBMP, whose sniffing is
     * loose) are refused.
     */
    static final Set<String> SUPPORTED_FORMATS =
            Set.of("png", "jpeg", "gif", "bmp", "tiff", "webp");

    static {
        // Make plugins on the context class path (TwelveMonkeys) visible even when ImageIO was
        // initialised elsewhere.
        ImageIO.scanForPlugins();
    }

    private ImageDecodingSupport() {}

    /**
     * Header facts read before decoding. For GIF, width and height are Pillow's canvas (the logical
     * screen, grown to hold the first frame) and {@code frameX}/{@code frameY} place the first
     * frame on it; otherwise they are 0.
     */
    record Header(String format, int width, int height, int orientation, int frameX, int frameY) {}

    /** Callback run with an open reader whose input is set and whose header has been validated. */
    @FunctionalInterface
    private interface ReaderTask<T> {
        T run(ImageReader reader, Header header, List<String> warnings) throws IOException;
    }

    static ImageInfo probe(byte[] bytes, String inputName) {
        return withReader(
                bytes,
                inputName,
                Long.MAX_VALUE,
                (reader, header, warnings) -> {
                    boolean swap = header.orientation() >= 5;
                    return new ImageInfo(
                            header.format(),
                            swap ? header.height() : header.width(),
                            swap ? header.width() : header.height());
                });
    }

    static BufferedImage decode(byte[] bytes, String inputName, long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        return withReader(
                bytes,
                inputName,
                maxPixels,
                (reader, header, warnings) -> {
                    ImageReadParam param = reader.getDefaultReadParam();
                    ImageTypeSpecifier raw = rawType(reader);
                    if (raw != null) {
                        param.setDestinationType(
                                raw); // stored samples: no ICC conversion, CMYK kept for Pillow's
                        // formula
                    }
                    BufferedImage image = reader.read(0, param);
                    for (String warning : warnings) {
                        String lower = warning.toLowerCase(Locale.ROOT);
                        if (lower.contains("premature end")
                                || lower.contains("truncat")
                                || lower.contains("unexpected end")) {
                            throw new ImageDecodeException(
                                    inputName, "truncated image data (" + warning + ")", null);
                        }
                        LOG.debug("Image {}: decoder warning: {}", inputName, warning);
                    }
                    if ("gif".equals(header.format())
                            && (image.getWidth() != header.width()
                                    || image.getHeight() != header.height())) {
                        image = placeOnGifCanvas(image, reader, header);
                    }
                    if (image.getWidth() != header.width()
                            || image.getHeight() != header.height()) {
                        throw new ImageDecodeException(
                                inputName,
                                "decoder returned "
                                        + image.getWidth()
                                        + "x"
                                        + image.getHeight()
                                        + " for an image declared "
                                        + header.width()
                                        + "x"
                                        + header.height(),
                                null);
                    }
                    boolean invertedCmyk =
                            "jpeg".equals(header.format())
                                    && ImageDecodingMetadata.hasAdobeMarker(bytes);
                    int colourKey =
                            "png".equals(header.format())
                                    ? ImageDecodingMetadata.pngColourKey(bytes)
                                    : -1;
                    return toIntImage(image, header.orientation(), invertedCmyk, colourKey);
                });
    }

    /**
     * Converts to TYPE_INT_RGB / TYPE_INT_ARGB the Pillow way, makes pixels of the PNG colour key
     * (packed RGB, or -1 for none) transparent, and applies the EXIF orientation.
     */
    static BufferedImage toIntImage(
            BufferedImage image, int orientation, boolean invertedCmyk, int colourKey) {
        PilPixels.Pixels px = PilPixels.read(image, invertedCmyk);
        int[] argb = px.argb();
        boolean alpha = false;
        if (colourKey >= 0 && !px.hasAlpha()) {
            for (int i = 0; i < argb.length; i++) {
                boolean keyed = (argb[i] & 0xFFFFFF) == colourKey;
                alpha |= keyed;
                argb[i] = keyed ? colourKey : argb[i] | 0xFF000000;
            }
        } else if (px.hasAlpha()) {
            for (int v : argb) {
                if ((v >>> 24) != 0xFF) {
                    alpha = true;
                    break;
                }
            }
        }
        boolean swap = orientation >= 5 && orientation <= 8;
        int w = swap ? px.height() : px.width();
        int h = swap ? px.width() : px.height();
        int[] oriented =
                ImageDecodingMetadata.transpose(argb, px.width(), px.height(), orientation);
        return wrap(oriented, w, h, alpha); // may share the decoder's own (discarded) image array
    }

    /** A TYPE_INT_RGB / TYPE_INT_ARGB image backed by {@code argb} without copying. */
    static BufferedImage wrap(int[] argb, int w, int h, boolean alpha) {
        int[] masks =
                alpha
                        ? new int[] {0xFF0000, 0xFF00, 0xFF, 0xFF000000}
                        : new int[] {0xFF0000, 0xFF00, 0xFF};
        DirectColorModel cm =
                alpha
                        ? (DirectColorModel) ColorModel.getRGBdefault()
                        : new DirectColorModel(24, masks[0], masks[1], masks[2]);
        WritableRaster raster =
                Raster.createPackedRaster(
                        new DataBufferInt(argb, argb.length), w, h, w, masks, null);
        return new BufferedImage(cm, raster, false, null);
    }

    /**
     * Pillow's canvas for the first GIF frame: the logical screen size, grown to hold the frame,
     * and the frame's position on it, as {@code {width, height, frameX, frameY}}.
     */
    private static int[] gifCanvas(ImageReader reader, int frameWidth, int frameHeight)
            throws IOException {
        int screenW = 0;
        int screenH = 0;
        IIOMetadata stream = reader.getStreamMetadata();
        if (stream != null) {
            Node screen =
                    child(
                            stream.getAsTree("javax_imageio_gif_stream_1.0"),
                            "LogicalScreenDescriptor");
            screenW = intAttribute(screen, "logicalScreenWidth");
            screenH = intAttribute(screen, "logicalScreenHeight");
        }
        Node descriptor =
                child(
                        reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0"),
                        "ImageDescriptor");
        int x = intAttribute(descriptor, "imageLeftPosition");
        int y = intAttribute(descriptor, "imageTopPosition");
        return new int[] {
            Math.max(screenW, x + frameWidth), Math.max(screenH, y + frameHeight), x, y
        };
    }

    /**
     * Places a GIF's first frame on Pillow's canvas: the area it does not cover is the frame's
     * transparent index if it has one, else palette index 0 (Pillow's zero-filled "P" image).
     */
    private static BufferedImage placeOnGifCanvas(
            BufferedImage frame, ImageReader reader, Header header) throws IOException {
        int fill = 0;
        if (frame.getColorModel() instanceof java.awt.image.IndexColorModel icm) {
            Node gce =
                    child(
                            reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0"),
                            "GraphicControlExtension");
            boolean transparent =
                    gce != null
                            && "TRUE"
                                    .equalsIgnoreCase(
                                            ((Element) gce).getAttribute("transparentColorFlag"));
            fill = transparent ? 0 : icm.getRGB(0);
        }
        PilPixels.Pixels px = PilPixels.read(frame);
        int w = header.width();
        int h = header.height();
        int[] canvas = new int[Math.multiplyExact(w, h)];
        java.util.Arrays.fill(canvas, fill);
        for (int y = 0; y < px.height(); y++) {
            int srcBase = y * px.width();
            int[] src = px.argb();
            for (int x = 0; x < px.width(); x++) {
                canvas[(header.frameY() + y) * w + header.frameX() + x] =
                        px.hasAlpha() ? src[srcBase + x] : src[srcBase + x] | 0xFF000000;
            }
        }
        return wrap(canvas, w, h, true);
    }

    private static Node child(Node parent, String name) {
        for (Node c = parent == null ? null : parent.getFirstChild();
                c != null;
                c = c.getNextSibling()) {
            if (name.equals(c.getNodeName())) {
                return c;
            }
        }
        return null;
    }

    private static int intAttribute(Node node, String name) {
        if (!(node instanceof Element e) || e.getAttribute(name).isEmpty()) {
            return 0;
        }
        return Integer.parseInt(e.getAttribute(name));
    }

    /**
     * The reader's raw destination type (samples as stored, no ICC profile conversion, CMYK kept as
     * CMYK) when it is plain gray, RGB or CMYK; null to use the reader's default. TwelveMonkeys'
     * JPEG reader otherwise converts images with an embedded profile (e.g. Adobe RGB) to sRGB,
     * which Pillow does not do.
     */
    private static ImageTypeSpecifier rawType(ImageReader reader) {
        ImageTypeSpecifier raw;
        try {
            raw = reader.getRawImageType(0);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (raw == null) {
            return null;
        }
        int csType = raw.getColorModel().getColorSpace().getType();
        return csType == ColorSpace.TYPE_RGB
                        || csType == ColorSpace.TYPE_GRAY
                        || csType == ColorSpace.TYPE_CMYK
                ? raw
                : null;
    }

    private static <T> T withReader(
            byte[] bytes, String inputName, long maxPixels, ReaderTask<T> task) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageDecodeException(inputName, "empty input (0 bytes)", null);
        }
        ImageReader chosen = null;
        String refusedFormat = null;
        try (ImageInputStream stream =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            while (readers.hasNext()) {
                ImageReader candidate = readers.next();
                String format = formatName(candidate);
                if (chosen == null && SUPPORTED_FORMATS.contains(format)) {
                    chosen = candidate;
                } else {
                    if (refusedFormat == null && !"wbmp".equals(format)) {
                        refusedFormat = format;
                    }
                    candidate.dispose();
                }
            }
            if (chosen == null) {
                String sniffed = sniffUnsupported(bytes);
                String reason =
                        sniffed != null
                                ? "unsupported image format " + sniffed
                                : refusedFormat != null
                                        ? "unsupported image format " + refusedFormat
                                        : "not a recognised image format (first bytes: "
                                                + hexPrefix(bytes)
                                                + ")";
                throw new ImageDecodeException(
                        inputName, reason + "; supported: PNG, JPEG, GIF, BMP, TIFF, WebP", null);
            }
            List<String> warnings = new ArrayList<>();
            chosen.addIIOReadWarningListener(
                    (IIOReadWarningListener) (source, warning) -> warnings.add(warning));
            chosen.setInput(stream, true, true);
            String format = formatName(chosen);
            int width;
            int height;
            int[] gifCanvas = null;
            try {
                width = chosen.getWidth(0);
                height = chosen.getHeight(0);
                if ("gif".equals(format)) {
                    gifCanvas = gifCanvas(chosen, width, height);
                    width = gifCanvas[0];
                    height = gifCanvas[1];
                }
            } catch (IOException | RuntimeException e) {
                throw new ImageDecodeException(
                        inputName, "corrupt " + format + " header: " + describe(e), e);
            }
            if (width <= 0 || height <= 0) {
                throw new ImageDecodeException(
                        inputName, "invalid dimensions " + width + "x" + height, null);
            }
            long pixels = (long) width * height;
            if (pixels > maxPixels) {
                throw new ImageDecodeException(
                        inputName,
                        format
                                + " header declares "
                                + width
                                + "x"
                                + height
                                + " = "
                                + pixels
                                + " pixels, more than the limit of "
                                + maxPixels
                                + " (refused before decoding)",
                        null);
            }
            Header header =
                    new Header(
                            format,
                            width,
                            height,
                            ImageDecodingMetadata.orientation(bytes),
                            gifCanvas == null ? 0 : gifCanvas[2],
                            gifCanvas == null ? 0 : gifCanvas[3]);
            try {
                return task.run(chosen, header, warnings);
            } catch (ImageDecodeException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new ImageDecodeException(
                        inputName, "corrupt or truncated " + format + " data: " + describe(e), e);
            } catch (OutOfMemoryError e) {
                throw new ImageDecodeException(
                        inputName,
                        "not enough memory to decode "
                                + width
                                + "x"
                                + height
                                + " "
                                + format
                                + " image",
                        e);
            }
        } catch (IOException e) {
            throw new ImageDecodeException(
                    inputName, "cannot read image stream: " + describe(e), e);
        } finally {
            if (chosen != null) {
                chosen.dispose();
            }
        }
    }

    static String formatName(ImageReader reader) {
        String name;
        try {
            name = reader.getFormatName();
        } catch (IOException e) {
            name =
                    reader.getOriginatingProvider() != null
                            ? reader.getOriginatingProvider().getFormatNames()[0]
                            : "?";
        }
        name = name.toLowerCase(Locale.ROOT);
        return switch (name) {
            case "jpg" -> "jpeg";
            case "tif" -> "tiff";
            default -> name;
        };
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder();
        while (t != null && sb.length() < 300) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            String msg = t.getMessage();
            sb.append(
                    msg == null || t instanceof IIOException && msg.isBlank()
                            ? t.getClass().getSimpleName()
                            : msg);
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.toString();
    }

    /** Names a few common formats we do not decode, for a better message than "not recognised". */
    static String sniffUnsupported(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 256), StandardCharsets.ISO_8859_1);
        if (b.length >= 12 && head.startsWith("ftyp", 4)) {
            String brand = head.substring(8, 12);
            if (brand.startsWith("avi")) {
                return "AVIF";
            }
            if (brand.startsWith("hei")
                    || brand.startsWith("hev")
                    || brand.startsWith("mif")
                    || brand.startsWith("msf")) {
                return "HEIF/HEIC";
            }
            return null;
        }
        if (head.startsWith("8BPS")) {
            return "PSD";
        }
        if (head.startsWith("%PDF")) {
            return "PDF";
        }
        String trimmed = head.stripLeading().toLowerCase(Locale.ROOT);
        if (trimmed.startsWith("<svg") || trimmed.startsWith("<?xml") && trimmed.contains("<svg")) {
            return "SVG";
        }
        if (b.length >= 12 && (b[0] & 0xFF) == 0xFF && b[1] == 0x0A
                || head.startsWith("\0\0\0\fJXL ")) {
            return "JPEG XL";
        }
        if (b.length >= 12 && head.startsWith("\0\0\0\fjP  ")) {
            return "JPEG 2000";
        }
        return null;
    }

    private static String hexPrefix(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
