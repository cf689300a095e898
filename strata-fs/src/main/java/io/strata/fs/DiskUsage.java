package io.strata.fs;

import io.strata.api.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * Disk usage of a tree the way continuity's {@code fs.DiskUsage} measures it: every inode reached
 * from {@code root} without following symbolic links (the root included) counts once, however
 * many hard links reach it; size is the sum of their {@code st_blocks * 512}. Mount points inside
 * the tree are walked into. Walks iteratively with one directory open at a time.
 */
public final class DiskUsage {
    private DiskUsage() {}

    public static Usage of(Path root) throws IOException {
        byte[] rootBytes = NativePath.bytes(root);
        InodeSet seen = new InodeSet();
        long[] size = {0};
        Stat rootStat = Stat.lstat(root);
        seen.add(rootStat.dev(), rootStat.ino());
        size[0] += rootStat.blocks() * 512;
        if (!rootStat.isDirectory()) {
            return new Usage(size[0], 1);
        }
        ArrayDeque<byte[]> dirs = new ArrayDeque<>();
        dirs.push(rootBytes);
        while (!dirs.isEmpty()) {
            byte[] dir = dirs.pop();
            int fd = Sys.open(dir, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
            try {
                DirReader.read(fd, dir, (name, len, dtype) -> {
                    Stat st = DirReader.lstatEntry(fd, dir, name, len);
                    if (seen.add(st.dev(), st.ino())) {
                        size[0] += st.blocks() * 512;
                    }
                    if (st.isDirectory()) {
                        dirs.push(NativePath.child(dir, DirReader.nameBytes(name, len)));
                    }
                });
            } finally {
                Sys.closeQuietly(fd);
            }
        }
        return new Usage(size[0], seen.size());
    }
}
