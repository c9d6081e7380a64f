package dev.clipsearch.store.lance;

import dev.clipsearch.store.StoreSetupException;

/**
 * Checks, before any Arrow class is initialised, that the JVM lets Arrow's memory module read
 * {@code java.nio} internals. Without {@code --add-opens=java.base/java.nio=ALL-UNNAMED} Arrow
 * fails in a static initialiser with an {@link ExceptionInInitializerError} and every later use of
 * the class with {@link NoClassDefFoundError}; this turns that into one clear, catchable error.
 */
final class ArrowAccess {

    /** Arrow's class whose static initialiser needs the opened package. */
    static final String ARROW_MEMORY_CLASS = "org.apache.arrow.memory.util.MemoryUtil";

    /** The JVM option Arrow needs. */
    static final String FLAG = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private static volatile boolean checked;

    private ArrowAccess() {}

    /**
     * @throws StoreSetupException when {@code java.nio} is not open to Arrow's module
     */
    static void requireOpen() {
        if (checked) {
            return;
        }
        Module arrow = arrowModule();
        if (!Object.class.getModule().isOpen("java.nio", arrow)) {
            throw new StoreSetupException(message(arrow));
        }
        checked = true;
    }

    /**
     * The module of Arrow's memory classes (unnamed on the class path), loaded, not initialised.
     */
    private static Module arrowModule() {
        try {
            return Class.forName(ARROW_MEMORY_CLASS, false, ArrowAccess.class.getClassLoader())
                    .getModule();
        } catch (ClassNotFoundException e) {
            throw new StoreSetupException(
                    "Apache Arrow (arrow-memory-core) is missing from the class path; it comes with"
                            + " the dependency org.lance:lance-core of dev.clipsearch:store-lance",
                    e);
        }
    }

    static String message(Module arrow) {
        String target = arrow.isNamed() ? arrow.getName() + ",ALL-UNNAMED" : "ALL-UNNAMED";
        String flag = "--add-opens=java.base/java.nio=" + target;
        return "Lance stores need the JVM option "
                + flag
                + " (Apache Arrow reads java.nio buffers directly). Add it to the java command"
                + " line, to the Surefire/Failsafe <argLine> in tests, to the exec plugin's"
                + " arguments (or MAVEN_OPTS / .mvn/jvm.config for exec:java), or, for a runnable"
                + " jar, as the manifest entry 'Add-Opens: java.base/java.nio'.";
    }
}
