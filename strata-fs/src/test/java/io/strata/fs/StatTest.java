package io.strata.fs;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatTest {
    @TempDir
    Path dir;

    @Test
    void fieldsMatchJavasUnixAttributes() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "hello world");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("file"));
        Files.createLink(dir.resolve("hard"), file);
        FileOps.lchown(file, 1234, 5678);
        FileOps.chmod(file, 04751);
        for (Path p : new Path[] {file, sub, link, Path.of("/dev/null")}) {
            Stat st = Stat.lstat(p);
            Map<String, Object> unix = Files.readAttributes(p, "unix:*", NOFOLLOW_LINKS);
            assertThat(st.dev()).as("dev %s", p).isEqualTo(unix.get("dev"));
            assertThat(st.ino()).as("ino %s", p).isEqualTo(unix.get("ino"));
            assertThat(st.mode()).as("mode %s", p).isEqualTo(unix.get("mode"));
            assertThat(st.nlink()).as("nlink %s", p).isEqualTo(((Integer) unix.get("nlink")).longValue());
            assertThat(st.uid()).as("uid %s", p).isEqualTo(unix.get("uid"));
            assertThat(st.gid()).as("gid %s", p).isEqualTo(unix.get("gid"));
            assertThat(st.rdev()).as("rdev %s", p).isEqualTo(unix.get("rdev"));
            assertThat(st.size()).as("size %s", p).isEqualTo(unix.get("size"));
            assertThat(st.mtimeNanos()).as("mtime %s", p).isEqualTo(nanos(unix.get("lastModifiedTime")));
            assertThat(st.atimeNanos()).as("atime %s", p).isEqualTo(nanos(unix.get("lastAccessTime")));
            assertThat(st.ctimeNanos()).as("ctime %s", p).isEqualTo(nanos(unix.get("ctime")));
        }
        Stat f = Stat.lstat(file);
        assertThat(f.isRegular()).isTrue();
        assertThat(f.permissions()).isEqualTo(04751);
        assertThat(f.nlink()).isEqualTo(2);
        assertThat(f.size()).isEqualTo(11);
        assertThat(f.blocks()).isPositive();
        assertThat(Stat.lstat(sub).isDirectory()).isTrue();
        assertThat(Stat.lstat(link).isSymlink()).isTrue();
        assertThat(Stat.stat(link).ino()).isEqualTo(f.ino());
        Stat devNull = Stat.lstat(Path.of("/dev/null"));
        assertThat(devNull.isCharDevice()).isTrue();
        assertThat(devNull.rdevMajor()).isEqualTo(1);
        assertThat(devNull.rdevMinor()).isEqualTo(3);
        assertThat(f.mtime()).isEqualTo(((FileTime) Files.readAttributes(file, "unix:lastModifiedTime", NOFOLLOW_LINKS)
                .get("lastModifiedTime")).toInstant());
    }

    @Test
    void missingPathIsEnoent() {
        assertThatThrownBy(() -> Stat.lstat(dir.resolve("nope")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(ErrnoException.ENOENT);
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.operation()).isEqualTo("lstat");
                    assertThat(e.path()).isEqualTo(dir.resolve("nope").toString());
                    assertThat(e.getMessage()).contains("lstat", dir.resolve("nope").toString(), "ENOENT",
                            "No such file or directory");
                });
    }

    @Test
    void makedevMatchesGlibcEncoding() {
        assertThat(FileOps.makedev(1, 3)).isEqualTo(0x103);
        assertThat(FileOps.makedev(7, 200)).isEqualTo((7 << 8) | 200);
        long big = FileOps.makedev(0x12345, 0x6789a);
        assertThat(FileOps.major(big)).isEqualTo(0x12345);
        assertThat(FileOps.minor(big)).isEqualTo(0x6789a);
        assertThat(big).isEqualTo(0x000120006783459aL);
    }

    private static long nanos(Object fileTime) {
        return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
    }
}
