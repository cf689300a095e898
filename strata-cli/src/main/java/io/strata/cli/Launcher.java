package io.strata.cli;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** How this process was started, for printing a command that starts it again (systemd's ExecStart). */
final class Launcher {
    /** Set by the {@code strata} launcher script to its own absolute path. */
    static final String PROPERTY = "strata.launcher";

    private Launcher() {
    }

    /** The launcher's path if it started this JVM, else {@code java … -jar <this jar>}. */
    static String command() {
        String launcher = System.getProperty(PROPERTY);
        if (launcher != null && !launcher.isBlank()) {
            return launcher;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return java + " --enable-native-access=ALL-UNNAMED -jar " + jar;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return java + " --enable-native-access=ALL-UNNAMED -jar strata.jar";
        }
    }
}
