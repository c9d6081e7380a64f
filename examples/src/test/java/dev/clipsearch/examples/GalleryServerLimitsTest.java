package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.store.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gallery server under abuse, on real sockets to 127.0.0.1: aborted and stalled clients,
 * Jetty's own errors as JSON, unknown paths and labels, the Host check, huge uploads and the bound
 * on concurrent decodes.
 */
class GalleryServerLimitsTest {
    static final int THREADS = 6;

    @TempDir static Path tmp;

    static GalleryFixture fixture;
    static VectorStore store;
    static ImageSearch search;
    static GalleryServer server;

    /**
     * A client with no pooled connection: a POST on a kept-alive connection that the short idle
     * timeout of this server closes at that moment would fail (POSTs are not retried).
     */
    static HttpClient fresh() {
        return HttpClient.newHttpClient();
    }

    static final ObjectMapper json = GalleryServerTest.json;

    @BeforeAll
    static void start() throws IOException {
        fixture = new GalleryFixture(tmp);
        store = fixture.store;
        search = fixture.search;
        server =
                GalleryServer.start(
                        search,
                        GalleryServer.Options.builder()
                                .address("127.0.0.1", 0)
                                .idleTimeout(Duration.ofSeconds(2))
                                .maxThreads(THREADS)
                                .decodeLimits(
                                        GalleryServer.DEFAULT_MAX_UPLOAD_PIXELS,
                                        2,
                                        Duration.ofMillis(300))
                                .build());
    }

    @AfterAll
    static void stop() {
        server.close();
        fixture.close();
    }

    static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Polls (at most 20 s) until at most {@code limit} descriptors are open; returns the count. */
    static long descriptorsSettleTo(long limit) throws Exception {
        long n = openDescriptors();
        for (int i = 0; i < 200 && n > limit; i++) {
            Thread.sleep(100);
            n = openDescriptors();
        }
        return n;
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    static String request(String method, String pathAndQuery, String... headers) {
        StringBuilder r = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headers) {
            r.append(h).append("\r\n");
            host |= h.regionMatches(true, 0, "Host:", 0, 5);
        }
        if (!host) {
            r.append("Host: 127.0.0.1:").append(server.port()).append("\r\n");
        }
        return r.append("Connection: close\r\n\r\n").toString();
    }

    /** Sends raw bytes, reads the whole answer (the server closes: Connection: close). */
    static String exchange(String raw) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A raw answer is a JSON error with this status whose message contains {@code part}. */
    static void assertJsonError(String answer, int status, String part) throws IOException {
        assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
        int split = answer.indexOf("\r\n\r\n");
        String headers = answer.substring(0, split).toLowerCase();
        assertThat(headers).contains("content-type: application/json");
        JsonNode body = json.readTree(answer.substring(split + 4));
        assertThat(body.path("error").asText()).containsIgnoringCase(part);
        assertThat(answer)
                .doesNotContain("<html")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void aThousandAbortedRequestsLeaveNoDescriptorsBehind() throws Exception {
        // warm up: classes, buffers, pooled threads
        for (int i = 0; i < 20; i++) {
            assertThat(exchange(request("GET", "/api/images/valid-000005")))
                    .startsWith("HTTP/1.1 200");
        }
        long before = descriptorsSettleTo(0);
        for (int i = 0; i < 1000; i++) {
            Socket s = connect();
            OutputStream out = s.getOutputStream();
            switch (i % 3) {
                case 0 ->
                        out.write(
                                request("GET", "/api/search?q=cat&k=5")
                                        .getBytes(StandardCharsets.US_ASCII));
                case 1 ->
                        out.write(
                                request("GET", "/api/images/valid-00000" + i % 10)
                                        .getBytes(StandardCharsets.US_ASCII));
                default -> {
                    // read the start of an image, then reset the connection
                    out.write(
                            request("GET", "/api/images/valid-00001" + i % 10)
                                    .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(s.getInputStream().readNBytes(16)).hasSize(16);
                    s.setSoLinger(true, 0);
                }
            }
            out.flush();
            s.close();
        }
        long after = descriptorsSettleTo(before + 10);
        assertThat(after)
                .as("open descriptors before %d, after %d", before, after)
                .isLessThanOrEqualTo(before + 10);
        // and the server still answers
        assertThat(exchange(request("GET", "/api/info"))).startsWith("HTTP/1.1 200");
    }

    @Test
    void moreStalledClientsThanThreadsDoNotDelayOthersAndAreClosedWhenIdle() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS + 10; i++) {
                Socket s = connect();
                s.getOutputStream()
                        .write("GET /api/info HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> r =
                        fresh().send(
                                        HttpRequest.newBuilder(
                                                        server.url()
                                                                .resolve("/api/search?q=cat&k=3"))
                                                .timeout(Duration.ofSeconds(1))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            // the idle timeout (2 s here) closes each stalled connection: its reader sees the end
            for (Socket s : stalled) {
                InputStream in = s.getInputStream();
                try {
                    while (in.read() >= 0) {
                        // an error answer, if any, then the end
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("a stalled connection was never closed", e);
                } catch (IOException e) {
                    // reset: closed too
                }
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void malformedRequestsGetJsonErrorsFromJettyItself() throws Exception {
        assertJsonError(exchange(request("GET", "/api/images/%zz")), 400, "");
        assertJsonError(exchange(request("GET", "/api/search?q=%zz")), 400, "badly encoded");
        assertJsonError(
                exchange(
                        request(
                                "POST",
                                "/api/search/image",
                                "Content-Type: image/png",
                                "Content-Length: abc")),
                400,
                "");
        assertJsonError(
                exchange(request("GET", "/api/info", "X-Filler: " + "x".repeat(20_000))),
                431,
                "headers are too large");
        assertJsonError(exchange(request("DELETE", "/api/info")), 405, "not allowed");
    }

    @Test
    void unknownPathsAre404AndUnknownLabels400() throws Exception {
        assertJsonError(exchange(request("GET", "/api/labelsXYZ")), 404, "no such api");
        assertJsonError(exchange(request("GET", "/api/info/x")), 404, "no such api");
        assertJsonError(exchange(request("GET", "/api/search/x?q=cat")), 404, "no such api");
        assertJsonError(exchange(request("GET", "/nope")), 404, "no such page");
        assertJsonError(
                exchange(request("GET", "/api/search?q=cat&label=999")),
                400,
                "no image has label 999");
        assertThat(exchange(request("GET", "/api/search?q=cat&label=3")))
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void headAnswersTheHeadersOfAnImageWithoutItsBytes() throws Exception {
        int size = store.get("valid-000005").orElseThrow().imageBytes().length;
        String answer = exchange(request("HEAD", "/api/images/valid-000005"));
        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
        assertThat(answer.toLowerCase())
                .contains("content-type: image/png")
                .contains("content-length: " + size);
    }

    @Test
    void foreignHostHeadersAreRefused() throws Exception {
        assertJsonError(
                exchange(request("GET", "/api/info", "Host: rebind.example:" + server.port())),
                421,
                "--allowed-host rebind.example");
        assertJsonError(exchange(request("GET", "/", "Host: 10.1.2.3")), 421, "dns rebinding");
        for (String ok :
                List.of(
                        "localhost:" + server.port(),
                        "127.0.0.1",
                        "[::1]:" + server.port(),
                        "LOCALHOST.")) {
            assertThat(exchange(request("GET", "/api/info", "Host: " + ok)))
                    .as(ok)
                    .startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void allowedHostsAndTheWildcardAddressAreConfigurable() throws Exception {
        HostCheck check = new HostCheck("127.0.0.1", false, List.of("gallery.lan", "[::2]"));
        assertThat(check.allows("gallery.lan:7860")).isTrue();
        assertThat(check.allows("GALLERY.LAN")).isTrue();
        assertThat(check.allows("[0:0:0:0:0:0:0:2]:80")).isTrue();
        assertThat(check.allows("other.lan")).isFalse();
        assertThat(check.allows("other:lan:80"))
                .isFalse(); // not a literal: refused, never looked up
        assertThat(check.allows(null)).isTrue(); // HTTP/1.0 without Host: not a browser
        assertThat(new HostCheck("127.0.0.1", false, List.of("*")).allows("any.example")).isTrue();

        try (GalleryServer exposed =
                GalleryServer.start(
                        search, GalleryServer.Options.builder().address("0.0.0.0", 0).build())) {
            assertThat(exposed.url().toString())
                    .isEqualTo("http://127.0.0.1:" + exposed.port() + "/");
            assertThat(exposed.exposureWarning())
                    .hasValueSatisfying(
                            w ->
                                    assertThat(w)
                                            .contains("WARNING")
                                            .contains("http://0.0.0.0:" + exposed.port() + "/")
                                            .contains("http://127.0.0.1:" + exposed.port() + "/")
                                            .contains("--allowed-host")
                                            .doesNotContain("[0:0:0"));
            HttpResponse<String> r =
                    fresh().send(
                                    HttpRequest.newBuilder(exposed.url().resolve("/api/info"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThat(server.exposureWarning()).isEmpty();
    }

    @Test
    void findSimilarByIdFindsTheImageItselfFirst() throws Exception {
        HttpResponse<String> r =
                fresh().send(
                                HttpRequest.newBuilder(
                                                server.url()
                                                        .resolve(
                                                                "/api/search/similar?id=valid-000013&k=3"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("similarTo").asText()).isEqualTo("valid-000013");
        assertThat(body.get("results")).hasSize(3);
        assertThat(body.get("results").get(0).get("id").asText()).isEqualTo("valid-000013");
        assertJsonError(
                exchange(request("GET", "/api/search/similar?id=valid-999999")), 404, "no image");
        assertJsonError(
                exchange(request("GET", "/api/search/similar?id=..%2Fx")), 400, "bad image id");
    }

    @Test
    void aHugePngIsRefusedFromItsHeaderWithinAMemoryBudget() throws Exception {
        byte[] png = hugePng(9999, 10_000);
        assertThat(png.length).isLessThan(100_000);
        List<MemoryPoolMXBean> heap =
                ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == MemoryType.HEAP)
                        .toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long base = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            uploads.add(
                    fresh().sendAsync(
                                    HttpRequest.newBuilder(
                                                    server.url().resolve("/api/search/image"))
                                            .header("Content-Type", "image/png")
                                            .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> upload : uploads) {
            HttpResponse<String> r = upload.get();
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(json.readTree(r.body()).get("error").asText())
                    .contains("9999x10000 pixels")
                    .contains("at most " + GalleryServer.DEFAULT_MAX_UPLOAD_PIXELS);
        }
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        // one decode of it alone would take 400 MB
        assertThat(peak - base).isLessThan(200L * 1024 * 1024);
    }

    @Test
    void decodesBeyondTheBoundWaitThenGet503() throws Exception {
        byte[] png = store.get("valid-000013").orElseThrow().imageBytes();
        HttpRequest upload =
                HttpRequest.newBuilder(server.url().resolve("/api/search/image?k=2"))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                        .build();
        server.decodePermits().acquire(2);
        try {
            HttpResponse<String> busy = fresh().send(upload, HttpResponse.BodyHandlers.ofString());
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).isPresent();
            assertThat(json.readTree(busy.body()).get("error").asText()).contains("busy");
        } finally {
            server.decodePermits().release(2);
        }
        assertThat(fresh().send(upload, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    /**
     * A valid 1-bit grayscale PNG of this size, all black: a few KB that decode to width x height
     * pixels.
     */
    static byte[] hugePng(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(
                out,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put((byte) 1)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            byte[] row = new byte[1 + (width + 7) / 8]; // filter byte 0, then black pixels
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
