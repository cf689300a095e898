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
        java.security.CodeSource source = Launcher.class.getProtectionDomain().getCodeSource();
        String jar = "strata.jar";
        if (source != null && source.getLocation() != null) {
            try {
                jar = Path.of(source.getLocation().toURI()).toString();
            } catch (URISyntaxException | IllegalArgumentException notAFile) {
                // keep the bare name: the printed unit then needs its path filled in
            }
        }
        return java + " --enable-native-access=ALL-UNNAMED -jar " + jar;
    }
}
