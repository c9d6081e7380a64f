package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.search.Fixtures;
import dev.clipsearch.search.FoundImage;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GalleryServerTest {
    @TempDir static Path tmp;

    static GalleryFixture fixture;
    static VectorStore store;
    static ImageSearch search;
    static GalleryServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws IOException {
        fixture = new GalleryFixture(tmp);
        store = fixture.store;
        search = fixture.search;
        server = GalleryServer.start(search, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        fixture.close();
    }

    static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return http.send(
                HttpRequest.newBuilder(server.url().resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> post(String path, String contentType, byte[] body)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(server.url().resolve(path))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode body(HttpResponse<byte[]> r) throws IOException {
        return json.readTree(r.body());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void assertError(HttpResponse<byte[]> r, int status, String messagePart)
            throws IOException {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode b = body(r);
        assertThat(b.path("error").asText()).containsIgnoringCase(messagePart);
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void textSearchReturnsKResultsBestFirstLikeTheLibrary() throws Exception {
        HttpResponse<byte[]> r = get("/api/search?q=" + q("a red square") + "&k=7");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .startsWith("application/json");
        JsonNode results = body(r).get("results");
        assertThat(results).hasSize(7);
        List<String> ids = new ArrayList<>();
        double previous = Double.POSITIVE_INFINITY;
        for (JsonNode hit : results) {
            ids.add(hit.get("id").asText());
            assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("score").asDouble();
            assertThat(hit.get("labelName").asText())
                    .isEqualTo(Fixtures.CLASSES.get(hit.get("label").asInt()));
            assertThat(hit.get("url").asText()).isEqualTo("/api/images/" + hit.get("id").asText());
        }
        assertThat(ids)
                .containsExactlyElementsOf(
                        search.findImages("a red square", 7).stream().map(FoundImage::id).toList());
    }

    @Test
    void theLabelFilterKeepsOnlyThatLabel() throws Exception {
        JsonNode results =
                body(get("/api/search?q=" + q("anything") + "&k=20&label=2")).get("results");
        assertThat(results).hasSize(10);
        results.forEach(hit -> assertThat(hit.get("label").asInt()).isEqualTo(2));
    }

    @Test
    void badParametersAreClear400s() throws Exception {
        assertError(get("/api/search?q=cat&k=0"), 400, "k must be between 1 and 100");
        assertError(get("/api/search?q=cat&k=101"), 400, "k must be between 1 and 100");
        assertError(get("/api/search?q=cat&k=ten"), 400, "k must be a whole number");
        assertError(get("/api/search?q=cat&label=x"), 400, "label");
        assertError(get("/api/search?q=%20%20"), 400, "empty");
        assertError(
                get("/api/search?q=" + "a".repeat(GalleryServer.MAX_QUERY_LENGTH + 1)),
                400,
                "too long");
        assertThat(get("/api/search?q=" + "a".repeat(GalleryServer.MAX_QUERY_LENGTH)).statusCode())
                .isEqualTo(200);
        assertError(post("/api/search", "text/plain", new byte[0]), 405, "not allowed");
    }

    @Test
    void imagesAreServedWithTheirTypeAndCacheHeaders() throws Exception {
        ImageRecord record = store.get("valid-000005").orElseThrow();
        HttpResponse<byte[]> r = get("/api/images/valid-000005");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(r.headers().firstValue("Cache-Control").orElse("")).contains("max-age");
        assertThat(r.body()).isEqualTo(record.imageBytes());
    }

    @Test
    void badOrUnknownImageIdsAndPathTricksAreRefused() throws Exception {
        assertError(get("/api/images/valid-999999"), 404, "no image");
        assertError(get("/api/images/..%2F..%2Fetc%2Fpasswd"), 400, "bad image id");
        assertError(get("/api/images/a%2Fb"), 400, "bad image id");
        assertError(get("/api/images/.hidden"), 400, "bad image id");
        // Jetty refuses an encoded NUL in any path before routing: still a JSON 400
        assertError(get("/api/images/a%00b"), 400, "malformed");
        assertError(get("/api/images/" + "x".repeat(300)), 400, "bad image id");
        for (String trick :
                List.of(
                        "/../../etc/passwd",
                        "/%2e%2e/%2e%2e/etc/passwd",
                        "/static/../../pom.xml",
                        "/app.js/../../../etc/passwd")) {
            HttpResponse<byte[]> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(server.url() + trick.substring(1)))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(trick).isBetween(400, 404);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("root:");
        }
    }

    @Test
    void queryByExampleFindsTheImageItselfFirst() throws Exception {
        byte[] png = store.get("valid-000013").orElseThrow().imageBytes();
        JsonNode raw = body(post("/api/search/image?k=3", "image/png", png)).get("results");
        assertThat(raw).hasSize(3);
        assertThat(raw.get(0).get("id").asText()).isEqualTo("valid-000013");
        assertThat(raw.get(0).get("score").asDouble()).isGreaterThan(0.999);

        String boundary = "----clipsearch" + System.nanoTime();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.writeBytes(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        form.writeBytes(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"q.png\"\r\n"
                                + "Content-Type: image/png\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        form.writeBytes(png);
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode multipart =
                body(post(
                                "/api/search/image?k=3&label=1",
                                "multipart/form-data; boundary=" + boundary,
                                form.toByteArray()))
                        .get("results");
        assertThat(multipart.get(0).get("id").asText()).isEqualTo("valid-000013");
        multipart.forEach(hit -> assertThat(hit.get("label").asInt()).isEqualTo(1));
    }

    @Test
    void oversizedAndNonImageUploadsAreRefused() throws Exception {
        assertError(
                post(
                        "/api/search/image",
                        "application/octet-stream",
                        new byte[GalleryServer.MAX_UPLOAD_BYTES + 100 * 1024]),
                413,
                "too large");
        assertError(
                post(
                        "/api/search/image",
                        "image/png",
                        "definitely not a png".getBytes(StandardCharsets.UTF_8)),
                400,
                "not a readable image");
        assertError(post("/api/search/image", "image/png", new byte[0]), 400, "no image");
        // a tiny PNG header that claims 100000 x 100000 pixels is refused before decoding
        byte[] huge = pngHeader(100_000, 100_000);
        HttpResponse<byte[]> r = post("/api/search/image", "image/png", huge);
        assertThat(r.statusCode()).isIn(400, 413);
    }

    /** A PNG signature and IHDR chunk declaring the given size, without image data. */
    static byte[] pngHeader(int width, int height) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13)
                .put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void concurrentRequestsAreAllServedConsistently() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String path =
                    i % 3 == 0
                            ? "/api/images/valid-00000" + (i % 10)
                            : "/api/search?q=" + q("query " + (i % 4)) + "&k=5";
            futures.add(
                    http.sendAsync(
                            HttpRequest.newBuilder(server.url().resolve(path)).build(),
                            HttpResponse.BodyHandlers.ofByteArray()));
        }
        java.util.Map<String, String> firstAnswer = new java.util.HashMap<>();
        for (int i = 0; i < futures.size(); i++) {
            HttpResponse<byte[]> r = futures.get(i).get();
            assertThat(r.statusCode()).isEqualTo(200);
            if (i % 3 != 0) {
                String ids = body(r).get("results").findValuesAsText("id").toString();
                String previous = firstAnswer.putIfAbsent(r.uri().getQuery(), ids);
                assertThat(previous == null || previous.equals(ids)).isTrue();
            }
        }
    }

    @Test
    void thePageAndItsAssetsAreServed() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'self'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(new String(page.body(), StandardCharsets.UTF_8))
                .contains("id=\"query\"")
                .contains("id=\"submit\"")
                .doesNotContain("http://")
                .doesNotContain("https://");
        assertThat(get("/app.js").headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/javascript");
        assertThat(get("/style.css").headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/css");
        assertThat(get("/nope.html").statusCode()).isEqualTo(404);

        JsonNode labels = body(get("/api/labels"));
        assertThat(labels).hasSize(4);
        assertThat(labels.get(0).get("name").asText()).isEqualTo(Fixtures.CLASSES.get(0));
        JsonNode info = body(get("/api/info"));
        assertThat(info.get("rows").asLong()).isEqualTo(40);
        assertThat(info.get("dimension").asInt()).isEqualTo(512);
    }
}
