package io.strata.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the file system under a directory fills in {@code d_type} in directory entries, which
 * overlayfs requires of its upper and lower layers (containerd's {@code SupportsDType}).
 */
public final class DType {
    private DType() {}

    /**
     * Creates a scratch directory holding one file inside {@code dir}, reads that directory with
     * getdents64 and reports whether the file's entry carries a type (not DT_UNKNOWN). The scratch
     * directory is removed again.
     */
    public static boolean supported(Path dir) throws IOException {
        Path probe = Files.createTempDirectory(dir, ".strata-dtype-");
        try {
            Files.createFile(probe.resolve("f"));
            int[] found = {-1};
            DirReader.read(NativePath.bytes(probe), (name, len, dtype) -> {
                if (len == 1 && name.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) == 'f') {
                    found[0] = dtype;
                }
            });
            if (found[0] < 0) {
                throw new IOException("d_type probe: getdents64 did not return the probe file in " + probe);
            }
            return found[0] != DirReader.DT_UNKNOWN;
        } finally {
            Files.deleteIfExists(probe.resolve("f"));
            Files.deleteIfExists(probe);
        }
    }
}
