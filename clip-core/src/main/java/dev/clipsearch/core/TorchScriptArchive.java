package dev.clipsearch.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the smallest TorchScript archive PyTorch's {@code torch.jit.load} (and so DJL's {@code
 * JniUtils.loadModule}) accepts, for a module without parameters or buffers: a zip with one top
 * folder holding {@code data.pkl} (the module object as a protocol-2 pickle: an instance of {@code
 * __torch__.NAME} whose state is {@code {"training": True, "_is_full_backward_hook": None}}),
 * {@code code/__torch__.py} (the TorchScript source of the class), {@code constants.pkl} (an empty
 * tuple) and {@code version} (file format 3). This is the layout {@code torch.jit.save} writes,
 * less its optional debug entries.
 */
final class TorchScriptArchive {

    private static final int PROTO = 0x80;
    private static final int GLOBAL = 'c';
    private static final int EMPTY_TUPLE = ')';
    private static final int NEWOBJ = 0x81;
    private static final int EMPTY_DICT = '}';
    private static final int MARK = '(';
    private static final int BINUNICODE = 'X';
    private static final int NEWTRUE = 0x88;
    private static final int NONE = 'N';
    private static final int SETITEMS = 'u';
    private static final int BUILD = 'b';
    private static final int STOP = '.';

    private TorchScriptArchive() {}

    /**
     * The archive of a parameterless module.
     *
     * @param className the class defined in {@code code} ({@code class NAME(Module): ...})
     * @param code TorchScript source of {@code __torch__}, as {@code torch.jit.save} writes it
     */
    static byte[] module(String className, String code) {
        if (!className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not a class name: " + className);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            entry(zip, className + "/data.pkl", dataPickle(className));
            entry(zip, className + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            entry(
                    zip,
                    className + "/constants.pkl",
                    new byte[] {(byte) PROTO, 2, EMPTY_TUPLE, STOP});
            entry(zip, className + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        }
        return out.toByteArray();
    }

    /** {@code __torch__.NAME} instance with the state every scripted {@code nn.Module} has. */
    static byte[] dataPickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(PROTO);
        p.write(2);
        p.write(GLOBAL);
        p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.write(EMPTY_TUPLE);
        p.write(NEWOBJ);
        p.write(EMPTY_DICT);
        p.write(MARK);
        unicode(p, "training");
        p.write(NEWTRUE);
        unicode(p, "_is_full_backward_hook");
        p.write(NONE);
        p.write(SETITEMS);
        p.write(BUILD);
        p.write(STOP);
        return p.toByteArray();
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write(BINUNICODE);
        // 4-byte little-endian length
        for (int i = 0; i < 4; i++) {
            p.write((b.length >>> (8 * i)) & 0xff);
        }
        p.writeBytes(b);
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }
}
