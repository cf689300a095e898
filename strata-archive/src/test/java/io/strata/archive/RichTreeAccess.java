package io.strata.archive;

import java.nio.file.Path;

/** Lets tests in sub-packages build the {@link RichTree}. */
public final class RichTreeAccess {
    private RichTreeAccess() {}

    public static void build(Path root) throws Exception {
        RichTree.build(root);
    }
}
