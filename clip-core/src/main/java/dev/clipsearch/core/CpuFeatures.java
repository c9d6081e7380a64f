package dev.clipsearch.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The CPU's instruction-set flags, as Linux reports them in {@code /proc/cpuinfo}. */
final class CpuFeatures {

    /** Flags that mean bf16 matrix products run natively (AVX-512 BF16, Intel AMX). */
    static final Set<String> NATIVE_BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");

    private static volatile Set<String> flags;

    private CpuFeatures() {}

    /** This machine's flags (empty where {@code /proc/cpuinfo} is absent, e.g. not Linux). */
    static Set<String> current() {
        Set<String> f = flags;
        if (f == null) {
            f = read(Path.of("/proc/cpuinfo"));
            flags = f;
        }
        return f;
    }

    /** The flags of the first processor listed in a {@code /proc/cpuinfo} file. */
    static Set<String> read(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        return parse(lines);
    }

    /** The flags of the first {@code flags} line (x86) or {@code Features} line (arm). */
    static Set<String> parse(List<String> cpuinfoLines) {
        for (String line : cpuinfoLines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (key.equals("flags") || key.equals("features")) {
                Set<String> out = new HashSet<>();
                for (String flag : line.substring(colon + 1).trim().split("\\s+")) {
                    if (!flag.isEmpty()) {
                        out.add(flag.toLowerCase(Locale.ROOT));
                    }
                }
                return Set.copyOf(out);
            }
        }
        return Set.of();
    }

    /** Whether these flags include native bf16 matrix instructions. */
    static boolean hasNativeBf16(Set<String> cpuFlags) {
        for (String f : NATIVE_BF16_FLAGS) {
            if (cpuFlags.contains(f)) {
                return true;
            }
        }
        return false;
    }
}
