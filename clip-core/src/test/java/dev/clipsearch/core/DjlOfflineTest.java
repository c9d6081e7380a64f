package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The library itself (not the build) makes DJL run offline: a fresh JVM started without
 * OPT_OUT_TRACKING / DJL_OFFLINE has both set once clip-core has initialised the PyTorch engine. It
 * also sets PyTorch's OpenMP wait policy in the process environment before the engine loads, unless
 * the user set it.
 */
class DjlOfflineTest {

    /** The C library's getenv: the process environment as the OpenMP runtime sees it. */
    private interface CLibrary extends Library {
        String getenv(String name);
    }

    /** Entry point of the child JVM. */
    public static void main(String[] args) {
        System.out.println(
                "before="
                        + System.getProperty("OPT_OUT_TRACKING")
                        + ","
                        + System.getProperty("DJL_OFFLINE"));
        DjlEnvironment.engine();
        System.out.println(
                "after="
                        + System.getProperty("OPT_OUT_TRACKING")
                        + ","
                        + System.getProperty("DJL_OFFLINE"));
        CLibrary c = Native.load("c", CLibrary.class);
        System.out.println(
                "openmp=" + c.getenv("OMP_WAIT_POLICY") + "," + c.getenv("GOMP_SPINCOUNT"));
    }

    private static String runChild(Map<String, String> env) throws Exception {
        String java =
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb =
                new ProcessBuilder(
                        List.of(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                DjlOfflineTest.class.getName()));
        for (String name :
                List.of("OPT_OUT_TRACKING", "DJL_OFFLINE", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT")) {
            pb.environment().remove(name);
        }
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void libraryTurnsOnOfflineModeBeforeDjlStarts() throws Exception {
        String out = runChild(Map.of());
        assertThat(out).contains("before=null,null").contains("after=true,true");
        assertThat(out).contains("openmp=PASSIVE,1000");
    }

    @Test
    void openMpSettingsOfTheUserAreKept() throws Exception {
        assertThat(runChild(Map.of("GOMP_SPINCOUNT", "0"))).contains("openmp=PASSIVE,0");
        assertThat(runChild(Map.of("OMP_WAIT_POLICY", "ACTIVE"))).contains("openmp=ACTIVE,null");
    }
}
