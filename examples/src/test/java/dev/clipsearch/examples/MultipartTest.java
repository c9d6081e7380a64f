package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MultipartTest {
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void takesTheFilePartEvenAfterOtherFields() {
        String body =
                "--XyZ\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\n5\r\n"
                        + "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
                        + "\u0089PNG\r\n--not-the-boundary\r\n--XyZ--\r\n";
        assertThat(Multipart.firstFile(bytes(body), "multipart/form-data; boundary=\"XyZ\""))
                .isEqualTo(bytes("\u0089PNG\r\n--not-the-boundary"));
    }

    @Test
    void withoutAFilePartTakesTheFirstPart() {
        String body =
                "--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nRAW\r\n--b--\r\n";
        assertThat(Multipart.firstFile(bytes(body), "multipart/form-data; boundary=b"))
                .isEqualTo(bytes("RAW"));
    }

    @Test
    void malformedBodiesAreRefused() {
        assertThatThrownBy(() -> Multipart.firstFile(bytes("x"), "multipart/form-data"))
                .hasMessageContaining("boundary");
        assertThatThrownBy(
                        () ->
                                Multipart.firstFile(
                                        bytes("--b\r\nno headers end"),
                                        "multipart/form-data; boundary=b"))
                .hasMessageContaining("no file");
    }
}
