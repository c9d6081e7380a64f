package dev.clipsearch.store.lance;

import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by the tests. {@code open DIR}: opens a table and prints the error as {@code
 * ERROR <class>: <message>} on one line. {@code write DIR}: upserts a record, prints {@code WRITING
 * <pid>}, waits for a line on stdin, closes the store and prints {@code CLOSED}.
 */
public final class LanceChildMain {

    private LanceChildMain() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[1]);
        try (VectorStore store = LanceVectorStore.builder(db).table("shared").dimension(4).open()) {
            if (args[0].equals("write")) {
                store.upsert(List.of(new ImageRecord("child", 1, null, new float[] {1, 0, 0, 0})));
                System.out.println("WRITING " + ProcessHandle.current().pid());
                System.out.flush();
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        .readLine();
            } else {
                System.out.println("OPENED " + store.count());
            }
        } catch (RuntimeException e) {
            System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
            System.exit(3);
        }
        System.out.println("CLOSED");
    }

    /** The command line of a child JVM on the test class path, with or without Arrow's flag. */
    static ProcessBuilder command(boolean addOpens, String mode, Path db) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx512m"));
        if (addOpens) {
            cmd.add(ArrowAccess.FLAG);
        }
        cmd.addAll(
                List.of(
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LanceChildMain.class.getName(),
                        mode,
                        db.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }
}
