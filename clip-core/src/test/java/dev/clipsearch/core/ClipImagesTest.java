package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding entry points and every kind of bad input. */
class ClipImagesTest {

    private static final byte[] PNG =
            ImageTestImages.encode(
                    ImageTestImages.quadrants(40, 30, BufferedImage.TYPE_INT_RGB), "png");
    private static final byte[] JPEG =
            ImageTestImages.jpeg(
                    ImageTestImages.quadrants(40, 30, BufferedImage.TYPE_INT_RGB), 0.9f, false);

    private static ImageDecodeException decodeFailure(byte[] bytes, String name) {
        try {
            ClipImages.decode(bytes, name);
        } catch (ImageDecodeException e) {
            assertThat(e.inputName()).isEqualTo(name);
            assertThat(e.getMessage()).contains(name).contains(e.reason());
            return e;
        }
        throw new AssertionError("expected ImageDecodeException for " + name);
    }

    @Test
    void decodesFileWithPathAsName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("q.png");
        Files.write(file, PNG);
        BufferedImage img = ClipImages.decode(file);
        assertThat(img.getWidth()).isEqualTo(40);
        assertThat(img.getHeight()).isEqualTo(30);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(ImageTestImages.RED);

        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> ClipImages.decode(missing))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("cannot read file");
    }

    @Test
    void emptyInput() {
        assertThat(decodeFailure(new byte[0], "empty.png").reason()).contains("empty");
        assertThatThrownBy(() -> ClipImages.decode(null, "null-bytes"))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("null-bytes");
    }

    @Test
    void nonImageBytes() {
        byte[] text = "hello, this is certainly not an image\n".getBytes(StandardCharsets.UTF_8);
        assertThat(decodeFailure(text, "notes.txt").reason())
                .contains("not a recognised image format");
        byte[] zeros = new byte[64]; // the JDK's loose WBMP sniffing must not claim this
        assertThat(decodeFailure(zeros, "zeros.bin").reason())
                .contains("not a recognised image format");
        assertThatThrownBy(() -> ClipImages.probe(text, "notes.txt"))
                .isInstanceOf(ImageDecodeException.class);
    }

    @Test
    void unsupportedFormatsAreNamed() {
        byte[] heic = new byte[64];
        System.arraycopy(
                "\0\0\0\u0018ftypheic".getBytes(StandardCharsets.ISO_8859_1), 0, heic, 0, 12);
        assertThat(decodeFailure(heic, "photo.heic").reason())
                .contains("unsupported image format HEIF");
        byte[] psd = Arrays.copyOf("8BPS\0\1".getBytes(StandardCharsets.ISO_8859_1), 64);
        assertThat(decodeFailure(psd, "layers.psd").reason())
                .contains("unsupported image format PSD");
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8);
        assertThat(decodeFailure(svg, "icon.svg").reason()).contains("SVG");
    }

    @Test
    void truncatedPngAndJpeg() {
        byte[] png = Arrays.copyOf(PNG, PNG.length / 2);
        assertThat(decodeFailure(png, "half.png").reason()).containsAnyOf("truncated", "corrupt");
        byte[] jpeg = Arrays.copyOf(JPEG, JPEG.length * 2 / 3);
        assertThat(decodeFailure(jpeg, "cut.jpg").reason()).contains("truncated");
    }

    @Test
    void corruptData() {
        byte[] png = PNG.clone();
        for (int i = 60;
                i < png.length - 12;
                i++) { // keep signature + IHDR, scramble the compressed data
            png[i] = (byte) (png[i] * 31 + 7);
        }
        assertThat(decodeFailure(png, "scrambled.png").reason())
                .containsAnyOf("corrupt", "truncated");
        byte[] jpeg =
                Arrays.copyOf(
                        new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 3}, 40);
        assertThat(decodeFailure(jpeg, "garbage.jpg").reason())
                .containsAnyOf("corrupt", "truncated");
    }

    @Test
    void oversizedHeaderIsRefusedBeforeDecoding() {
        byte[] huge = ImageTestImages.pngHeaderOnly(100_000, 100_000); // no pixel data at all
        ImageDecodeException e = decodeFailure(huge, "bomb.png");
        assertThat(e.reason())
                .contains("100000x100000")
                .contains("limit")
                .contains("before decoding");
        // probe reads the header only and has no limit
        assertThat(ClipImages.probe(huge, "bomb.png"))
                .isEqualTo(new ImageInfo("png", 100_000, 100_000));
        assertThat(ClipImages.probe(huge, "bomb.png").pixelCount()).isEqualTo(10_000_000_000L);
        // a caller-chosen limit applies the same way
        assertThatThrownBy(() -> ClipImages.decode(PNG, "q.png", 40 * 30 - 1))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("limit of 1199");
        assertThat(ClipImages.decode(PNG, "q.png", 40 * 30).getWidth()).isEqualTo(40);
    }

    @Test
    void probeReadsHeaderOnly() {
        byte[] headerAndLittleMore =
                Arrays.copyOf(PNG, 40); // pixel data missing: decode fails, probe works
        assertThat(ClipImages.probe(headerAndLittleMore, "part.png"))
                .isEqualTo(new ImageInfo("png", 40, 30));
        assertThatThrownBy(() -> ClipImages.decode(headerAndLittleMore, "part.png"))
                .isInstanceOf(ImageDecodeException.class);
        assertThat(ClipImages.probe(JPEG, "q.jpg")).isEqualTo(new ImageInfo("jpeg", 40, 30));
    }

    @Test
    void decodesAllReferenceImages() {
        for (String name : ImageTestReference.imageNames()) {
            BufferedImage img = ClipImages.decode(ImageTestReference.imageBytes(name), name);
            ImageInfo info = ClipImages.probe(ImageTestReference.imageBytes(name), name);
            assertThat(img.getWidth()).isEqualTo(info.width());
            assertThat(img.getHeight()).isEqualTo(info.height());
            // logo.png is stored RGBA but fully opaque, so no reference image needs an alpha
            // channel
            assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        }
    }

    @Test
    void exceptionCarriesNameAndReason() {
        ImageDecodeException e = new ImageDecodeException("row 17", "truncated image data", null);
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.getMessage()).isEqualTo("Cannot decode image 'row 17': truncated image data");
        assertThat(new ImageDecodeException(null, "x", null).inputName()).isEqualTo("<unnamed>");
    }
}
