package dev.clipsearch.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door through which clip-core touches DJL.
 *
 * <p>DJL reports usage to a cloud endpoint and may download native libraries at start-up unless the
 * system properties {@code OPT_OUT_TRACKING} and {@code DJL_OFFLINE} are {@code true} before any
 * DJL class initialises. This class sets both in its static initializer; every clip-core entry
 * point that uses DJL calls {@link #ensureOffline()} first. The PyTorch native library then comes
 * from the {@code pytorch-native-cpu} (or CUDA) jar on the class path and the tokenizers library
 * from the {@code ai.djl.huggingface:tokenizers} jar (which bundles it for linux-x86_64 and
 * linux-aarch64, osx-aarch64 and win-x86_64, extracted to DJL's cache directory); nothing is
 * downloaded.
 *
 * <p>It also makes PyTorch's OpenMP threads wait passively (see {@link #PASSIVE_OPENMP_PROPERTY}).
 */
public final class DjlEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(DjlEnvironment.class);

    /** System property: {@code false} keeps OpenMP's default (spinning) wait policy. */
    public static final String PASSIVE_OPENMP_PROPERTY = "clipsearch.openmp.passive";

    /**
     * OpenMP busy-wait iterations before a passive wait (see {@link #preferPassiveOpenMpWaiting}).
     */
    private static final String OPENMP_SPIN_COUNT = "1000";

    /** The C library's setenv, through JNA (a DJL dependency). */
    private interface CLibrary extends Library {
        int setenv(String name, String value, int overwrite);
    }

    static {
        // Forced, not defaults: the library never lets DJL phone home.
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("DJL_OFFLINE", "true");
        if (System.getProperty("ai.djl.default_engine") == null) {
            // Only PyTorch: keeps DJL from probing the "Rust" engine the tokenizers jar registers.
            System.setProperty("ai.djl.default_engine", "PyTorch");
        }
        preferPassiveOpenMpWaiting();
    }

    /**
     * Sets {@code OMP_WAIT_POLICY=PASSIVE} in the process environment before PyTorch's OpenMP
     * runtime loads (it reads the variable once, when loaded), unless the variable is already set
     * or {@value #PASSIVE_OPENMP_PROPERTY} is {@code false}. With the default (spinning) policy,
     * every parallel operator waits for a worker thread that a busy machine has descheduled:
     * measured on 2 cores with other processes running, text latency went from 1.8 s (spinning) to
     * 25 ms (passive) and image throughput doubled.
     *
     * <p>Purely passive waiting has its own cost: every parallel operator then wakes a sleeping
     * worker through the kernel, and a batch-1 text pass runs a few hundred small operators. So a
     * short spin before sleeping is also set, {@value #OPENMP_SPIN_COUNT} iterations ({@code
     * GOMP_SPINCOUNT}, microseconds; unless the variable is already set: {@code GOMP_SPINCOUNT=0}
     * waits purely passively). Measured for ViT-B/32 on 2 AMD EPYC cores: text p50 27 ms to 19.5 ms
     * on an idle machine, batch-32 image throughput unchanged; with two CPU-bound processes
     * competing, text p50 about 40 ms (noisy) to 50 ms, and with one, about 30 ms to 41 ms: on a
     * machine whose cores are all busy, set {@code GOMP_SPINCOUNT=0}. The libgomp default of
     * 300,000 iterations (and 20,000) made it 3-6 times slower than passive under load.
     */
    private static void preferPassiveOpenMpWaiting() {
        if (System.getenv("OMP_WAIT_POLICY") != null
                || "false".equalsIgnoreCase(System.getProperty(PASSIVE_OPENMP_PROPERTY))) {
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.contains("win")) {
            return;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            c.setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
            c.setenv("GOMP_SPINCOUNT", OPENMP_SPIN_COUNT, 0);
        } catch (Throwable e) { // LinkageError or UnsatisfiedLinkError: keep the default policy
            LOG.debug("Cannot set OMP_WAIT_POLICY: {}", e.toString());
        }
    }

    private DjlEnvironment() {}

    /**
     * Makes sure DJL runs offline and without usage tracking. Idempotent and cheap; call it before
     * using any DJL class.
     */
    public static void ensureOffline() {
        // the static initializer does the work
    }

    /** The PyTorch engine, initialised offline. */
    static Engine engine() {
        ensureOffline();
        return Engine.getEngine("PyTorch");
    }

    /**
     * Measures this machine's float32 matrix-multiply throughput with the PyTorch engine on CPU:
     * repeated products of two random {@code size x size} matrices for about {@code millis}
     * milliseconds (after a warm-up).
     *
     * @return GFLOP/s (2·size³ floating-point operations per product)
     */
    public static double measureMatmulGflops(int size, long millis) {
        return measureMatmulGflops(size, millis, Precision.FP32);
    }

    /**
     * {@link #measureMatmulGflops(int, long)} in a precision: {@link Precision#BF16} multiplies
     * bf16 matrices inside a generated TorchScript module, as the bf16 encoders do; {@link
     * Precision#AUTO} is what {@link Precision#AUTO} resolves to on this CPU.
     */
    public static double measureMatmulGflops(int size, long millis, Precision precision) {
        if (precision.resolve(CpuFeatures.current(), true) == Precision.BF16) {
            return Bf16Forward.matmulGflops(size, millis);
        }
        return fp32MatmulGflops(size, millis);
    }

    private static double fp32MatmulGflops(int size, long millis) {
        try (NDManager manager = engine().newBaseManager(ai.djl.Device.cpu())) {
            NDArray a = manager.randomUniform(-1f, 1f, new Shape(size, size));
            NDArray b = manager.randomUniform(-1f, 1f, new Shape(size, size));
            for (int i = 0; i < 3; i++) {
                try (NDManager step = manager.newSubManager()) {
                    a.matMul(b).attach(step);
                }
            }
            long start = System.nanoTime();
            long deadline = start + millis * 1_000_000L;
            int products = 0;
            long now;
            do {
                try (NDManager step = manager.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(step);
                }
                products++;
                now = System.nanoTime();
            } while (now < deadline);
            double seconds = (now - start) / 1e9;
            return 2.0 * size * size * (double) size * products / seconds / 1e9;
        }
    }
}
