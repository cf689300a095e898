package io.strata.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One open {@link LocalRegistry} for all the tests of a class, in a temporary directory deleted
 * afterwards: {@code @RegisterExtension static final RegistryExtension REGISTRY = new RegistryExtension();}.
 * Started before the class's {@code @BeforeAll} methods; aborts (or, under CI, fails) the class
 * where docker-registry or skopeo is missing.
 */
public final class RegistryExtension implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private LocalRegistry registry;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        LocalRegistry.assumeAvailable();
        dir = Files.createTempDirectory("strata-registry-");
        registry = LocalRegistry.start(dir);
    }

    /** The running registry. */
    public LocalRegistry registry() {
        return registry;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (dir != null) {
            Tree.deleteTree(dir);
        }
    }
}
