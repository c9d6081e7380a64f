package dev.clipsearch.examples;

/** DJL must neither phone home nor download engines: set before any DJL class loads. */
final class DjlSettings {
    private DjlSettings() {}

    static void apply() {
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        if (System.getProperty("DJL_OFFLINE") == null) {
            System.setProperty("DJL_OFFLINE", "true");
        }
    }
}
