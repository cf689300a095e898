package io.strata.backend.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.backend.BlockOptions;
import io.strata.fs.CopyMethod;
import io.strata.fs.FsStats;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import io.strata.metastore.SqliteMetaStore;
import io.strata.testkit.LoopFileSystem;
import io.strata.testkit.OciArchive;
import io.strata.testkit.Tree;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only the block backend does: sizes, read-only images, loop devices, the template, copies. */
class BlockSnapshotterTest {
    private static final long MIB = 1 << 20;
    private static final BlockOptions SMALL = BlockOptions.DEFAULTS.withScratchSize(64 * MIB);

    private Path dir;
    private Path root;
    private BlockSnapshotter sn;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("strata-block-");
        root = dir.resolve("root");
        sn = open(root, SMALL);
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (!p.equals(root) && Files.isDirectory(p)) {
                    Mounter.unmountAll(p);
                }
            }
        }
        sn.close();
        for (AutoCloseable c : closeLast) {
            c.close();
        }
        Tree.deleteTree(dir);
    }

    private static BlockSnapshotter open(Path root, BlockOptions options) {
        return BlockSnapshotter.open(root, SqliteMetaStore.open(root.resolve("metadata.db")), options);
    }

    private Path mount(List<Mount> mounts, String name) throws IOException {
        Path mnt = Files.createDirectories(dir.resolve(name));
        Mounter.mountAll(mounts, mnt);
        return mnt;
    }

    private static SnapshotOption sizeBytes(long bytes) {
        return SnapshotOption.labels(Map.of(BlockSnapshotter.SIZE_BYTES_LABEL, Long.toString(bytes)));
    }

    /** Commits a snapshot holding one file, on {@code parent}. */
    private String commitWithFile(String name, String parent, SnapshotOption... options) throws IOException {
        Path mnt = mount(sn.prepare(name + "-a", parent, options), name + "-mnt");
        Files.writeString(mnt.resolve(name), name);
        Mounter.unmountAll(mnt);
        sn.commit(name, name + "-a");
        return name;
    }

    /** Paths of the files loop devices are bound to right now. */
    private static List<String> loopBackingFiles() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/sys/block"))) {
            for (Path b : s.filter(p -> p.getFileName().toString().startsWith("loop")).toList()) {
                Path f = b.resolve("loop/backing_file");
                if (Files.exists(f)) {
                    out.add(Files.readString(f).strip());
                }
            }
        }
        return out;
    }

    private List<String> snapshotDirs() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("snapshots"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("new-")).sorted().toList();
        }
    }

    @Test
    void mountsAreWhatContainerdsBlockfileReturns() throws IOException {
        List<Mount> active = sn.prepare("a", "");
        assertThat(active).containsExactly(new Mount("ext4", sn.imageOf("a").toString(), List.of("loop", "rw")));
        assertThat(sn.imageOf("a")).isEqualTo(root.resolve("snapshots").resolve(sn.imageOf("a").getParent().getFileName())
                .resolve("layer.img"));
        sn.commit("c", "a");
        assertThat(sn.view("v", "c")).containsExactly(new Mount("ext4", sn.imageOf("c").toString(), List.of("loop", "ro")));
        assertThat(sn.imageOf("v")).isEqualTo(sn.imageOf("c"));
        List<Mount> bare = sn.view("bare", "");
        assertThat(bare).containsExactly(new Mount("ext4", sn.imageOf("bare").toString(), List.of("loop", "ro")));
        assertThat(sn.imageOf("bare")).isNotEqualTo(sn.imageOf("c"));
    }

    @Test
    void sizeLabelsGrowTheFileSystemAtPrepare() throws IOException {
        Path plain = mount(sn.prepare("plain", ""), "plain");
        assertFsSize(plain, 64 * MIB);

        Path bytes = mount(sn.prepare("bytes", "", sizeBytes(256 * MIB)), "bytes");
        assertThat(Files.size(sn.imageOf("bytes"))).isEqualTo(256 * MIB);
        assertFsSize(bytes, 256 * MIB);
        assertThat(df(bytes)).isEqualTo(FsStats.of(bytes).totalBytes());

        Path gb = mount(sn.prepare("gb", "", SnapshotOption.labels(Map.of(BlockSnapshotter.SIZE_GB_LABEL, "1"))), "gb");
        assertThat(Files.size(sn.imageOf("gb"))).isEqualTo(1L << 30);
        assertFsSize(gb, 1024 * MIB);
        // The grown file system works and is still sparse.
        Files.write(gb.resolve("data"), new byte[(int) (8 * MIB)]);
        Mounter.unmountAll(gb);
        assertThat(Stat.lstat(sn.imageOf("gb")).blocks() * 512).isLessThan(32 * MIB);

        // A child starts at its parent's size; the same size again is no change, not a shrink.
        Files.writeString(bytes.resolve("kept"), "yes");
        Mounter.unmountAll(bytes);
        sn.commit("big", "bytes");
        Path child = mount(sn.prepare("child", "big", sizeBytes(256 * MIB)), "child");
        assertThat(Files.readString(child.resolve("kept"))).isEqualTo("yes");
        assertFsSize(child, 256 * MIB);
        Path bigger = mount(sn.prepare("bigger", "big", sizeBytes(512 * MIB)), "bigger");
        assertThat(Files.readString(bigger.resolve("kept"))).isEqualTo("yes");
        assertFsSize(bigger, 512 * MIB);
    }

    /** df shows about {@code bytes}: ext4 keeps a few percent for inode tables and the journal. */
    private static void assertFsSize(Path mnt, long bytes) throws IOException {
        assertThat(FsStats.of(mnt).totalBytes()).as("size of %s", mnt).isBetween(bytes * 85 / 100, bytes);
    }

    private static long df(Path mnt) throws IOException {
        String out = OciArchive.run(mnt, "df", "-B1", "--output=size", mnt.toString());
        return Long.parseLong(out.lines().toList().getLast().strip());
    }

    @Test
    void shrinkingIsRefusedAndChangesNothing() throws IOException {
        commitWithFile("big", "", sizeBytes(256 * MIB));
        List<Info> before = sn.list();
        List<String> dirsBefore = snapshotDirs();
        assertThatThrownBy(() -> sn.prepare("small", "big", sizeBytes(128 * MIB)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("shrink").hasMessageContaining(Long.toString(128 * MIB))
                .hasMessageContaining(Long.toString(256 * MIB));
        assertThatThrownBy(() -> sn.prepare("small", "", sizeBytes(32 * MIB)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(Long.toString(64 * MIB));
        assertThat(sn.list()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(snapshotDirs()).isEqualTo(dirsBefore);
        assertThat(Files.size(sn.imageOf("big"))).isEqualTo(256 * MIB);
    }

    @Test
    void badSizeLabelsAreRefused() throws IOException {
        for (String bad : List.of("", "abc", "-1", "0", "1.5", " 5", "+5", "1e9", "99999999999999999999")) {
            assertThatThrownBy(() -> sn.prepare("x", "", SnapshotOption.labels(Map.of(BlockSnapshotter.SIZE_BYTES_LABEL, bad))))
                    .as("size-bytes %s", bad).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(BlockSnapshotter.SIZE_BYTES_LABEL);
        }
        for (String bad : List.of("0", "x", "2147483648")) {
            assertThatThrownBy(() -> sn.prepare("x", "", SnapshotOption.labels(Map.of(BlockSnapshotter.SIZE_GB_LABEL, bad))))
                    .as("size-gb %s", bad).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(BlockSnapshotter.SIZE_GB_LABEL);
        }
        assertThatThrownBy(() -> sn.prepare("x", "", SnapshotOption.labels(Map.of(
                BlockSnapshotter.SIZE_GB_LABEL, "1", BlockSnapshotter.SIZE_BYTES_LABEL, Long.toString(2L << 30)))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("disagree");
        assertThatThrownBy(() -> sn.prepare("x", "", sizeBytes(16L << 40)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("limit is " + BlockOptions.MAX_SCRATCH_SIZE);
        assertThat(sn.list()).isEmpty();
        assertThat(snapshotDirs()).isEmpty();
        // Agreeing labels are fine; views ignore size labels.
        sn.prepare("ok", "", SnapshotOption.labels(Map.of(
                BlockSnapshotter.SIZE_GB_LABEL, "1", BlockSnapshotter.SIZE_BYTES_LABEL, Long.toString(1L << 30))));
        sn.view("v", "", sizeBytes(1));
        assertThat(Files.size(sn.imageOf("v"))).isEqualTo(64 * MIB);
    }

    @Test
    void theTemplateIsSmallAndGrowsFarBeyondItsSize() throws IOException {
        Ext4Superblock sb = Ext4Superblock.read(sn.imageOf(viewOfNothing()));
        assertThat(sb.sizeBytes()).isEqualTo(64 * MIB);
        assertThat(sb.hasResizeInode()).as("no descriptor blocks reserved for growth").isFalse();
        assertThat(sb.needsRecovery()).isFalse();
        assertThat(sb.hasErrors()).isFalse();
        assertThat(sb.usedInodes()).isEqualTo(10); // the reserved inodes and the root; lost+found is gone
        assertThat(Stat.lstat(sn.imageOf("nothing")).blocks() * 512).isLessThan(512 * 1024);
        // 1600 times: beyond the 1024 times that reserved descriptor blocks would allow.
        Path grown = mount(sn.prepare("big", "", sizeBytes(100L << 30)), "big");
        assertFsSize(grown, 100L << 30);
        Files.writeString(grown.resolve("works"), "yes");
    }

    private String viewOfNothing() {
        sn.view("nothing", "");
        return "nothing";
    }

    @Test
    void committedImagesAreReadOnly() throws IOException {
        commitWithFile("c", "");
        Path image = sn.imageOf("c");
        assertThat(Stat.lstat(image).permissions()).isEqualTo(0444);
        byte[] before = Files.readAllBytes(image);

        Path view = mount(sn.view("v", "c"), "v");
        assertThat(Files.readString(view.resolve("c"))).isEqualTo("c");
        assertThatThrownBy(() -> Files.writeString(view.resolve("new"), "x"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only");
        String device = mountSource(view);
        assertThat(Files.readString(Path.of("/sys/block", Path.of(device).getFileName().toString(), "ro")).strip())
                .as("the view's loop device is read-only").isEqualTo("1");

        // A child writes into its own copy; the parent's image stays byte for byte the same.
        Path child = mount(sn.prepare("child", "c"), "child");
        Files.writeString(child.resolve("c"), "changed");
        Files.writeString(child.resolve("more"), "more");
        Mounter.unmountAll(child);
        Mounter.unmountAll(view);
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
        assertThat(Stat.lstat(sn.imageOf("child")).permissions()).isEqualTo(0644);
    }

    /** The source of the mount on {@code mnt}, from /proc/self/mountinfo. */
    private static String mountSource(Path mnt) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(mnt.toString())) {
                return f[List.of(f).indexOf("-") + 2];
            }
        }
        throw new AssertionError("nothing mounted on " + mnt);
    }

    @Test
    void loopDevicesAreReleasedAfterUnmountAndRemove() throws IOException {
        String c = commitWithFile("c", "");
        Path active = mount(sn.prepare("a", c), "a");
        Path view = mount(sn.view("v", c), "v");
        assertThat(loopBackingFiles()).filteredOn(f -> f.startsWith(root.toString())).hasSize(2);
        Mounter.unmountAll(active);
        Mounter.unmountAll(view);
        assertThat(loopBackingFiles()).filteredOn(f -> f.startsWith(root.toString())).isEmpty();
        sn.remove("a");
        sn.remove("v");
        sn.remove(c);
        sn.cleanup();
        assertThat(snapshotDirs()).isEmpty();
        assertThat(loopBackingFiles()).filteredOn(f -> f.startsWith(root.toString())).isEmpty();
        // Growing mounts nothing it leaves behind either.
        sn.prepare("grown", "", sizeBytes(128 * MIB));
        assertThat(loopBackingFiles()).filteredOn(f -> f.startsWith(root.toString())).isEmpty();
    }

    @Test
    void theTemplateIsMadeOnceAndReused() throws IOException {
        Path templates = root.resolve("templates");
        assertThat(Files.list(templates).toList()).as("made when first needed, not at open").isEmpty();
        sn.prepare("a", "");
        Path template = templates.resolve("ext4-v1-" + (64 * MIB) + ".img");
        assertThat(Files.list(templates).toList()).containsExactly(template);
        Stat made = Stat.lstat(template);
        assertThat(made.permissions()).isEqualTo(0444);
        sn.prepare("b", "");
        sn.view("c", "");
        sn.close();
        sn = open(root, SMALL);
        sn.prepare("d", "");
        Stat reused = Stat.lstat(template);
        assertThat(reused.ino()).isEqualTo(made.ino());
        assertThat(reused.mtimeNanos()).isEqualTo(made.mtimeNanos());
        assertThat(Files.list(templates).toList()).containsExactly(template);
        // Another scratch size is another template; the first one stays.
        sn.close();
        sn = open(root, BlockOptions.DEFAULTS.withScratchSize(128 * MIB));
        sn.prepare("e", "");
        assertThat(Files.size(sn.imageOf("e"))).isEqualTo(128 * MIB);
        assertThat(Files.list(templates).map(p -> p.getFileName().toString()).toList())
                .containsExactlyInAnyOrder(template.getFileName().toString(), "ext4-v1-" + (128 * MIB) + ".img");
    }

    @Test
    void leftoversOfACrashedTemplateBuildAreRemovedAtOpen() throws IOException {
        sn.close();
        Path templates = root.resolve("templates");
        Files.writeString(templates.resolve(".new-crashed.img"), "half formatted");
        Files.createDirectory(templates.resolve("strata-mount-123"));
        sn = open(root, SMALL);
        assertThat(Files.list(templates).toList()).isEmpty();
    }

    @Test
    void growingACopyOfAParentStillMountedReplaysItsJournalFirst() throws IOException {
        Path live = mount(sn.prepare("live", ""), "live");
        Files.writeString(live.resolve("f"), "written before commit");
        sn.commit("c", "live"); // still mounted: its journal is not clean
        assertThat(Ext4Superblock.read(sn.imageOf("c")).needsRecovery()).isTrue();
        Path child = mount(sn.prepare("child", "c", sizeBytes(256 * MIB)), "child");
        assertThat(Files.readString(child.resolve("f"))).isEqualTo("written before commit");
        assertFsSize(child, 256 * MIB);
        Mounter.unmountAll(child);
        Mounter.unmountAll(live);
        assertThat(Ext4Superblock.read(sn.imageOf("c")).needsRecovery()).isFalse();
    }

    @Test
    void usageCountsTheImagesBlocksAndTheInodesInside() throws IOException {
        Path a = mount(sn.prepare("a", ""), "a");
        long inodes = sn.usage("a").inodes();
        Files.createDirectory(a.resolve("d"));
        Files.write(a.resolve("d/f"), new byte[(int) MIB]);
        var mounted = sn.usage("a");
        assertThat(mounted.inodes()).isEqualTo(inodes + 2);
        assertThat(mounted.size()).isEqualTo(Stat.lstat(sn.imageOf("a")).blocks() * 512).isGreaterThan(MIB);
        Mounter.unmountAll(a);
        // Unmounted, the inode count comes from the superblock the unmount wrote.
        assertThat(sn.usage("a").inodes()).isEqualTo(inodes + 2);
        sn.commit("c", "a");
        assertThat(sn.usage("c").inodes()).isEqualTo(inodes + 2);
    }

    @Test
    void sparseCopiesOnExt4AndReflinksOnXfs() throws Exception {
        assertThat(Files.getFileStore(root).type()).isEqualTo("ext4");
        String c = commitWithFile("c", "");
        sn.prepare("child", c);
        assertThat(sn.copyCounts()).containsEntry(CopyMethod.COPY_FILE_RANGE, 2L).containsEntry(CopyMethod.REFLINK, 0L);
        // Only the data regions were copied: 64 MiB images holding a few hundred KiB.
        assertThat(Stat.lstat(sn.imageOf("child")).blocks() * 512).isLessThan(2 * MIB);
        assertThat(sharedExtents(sn.imageOf("child"))).isZero();

        LoopFileSystem xfs = LoopFileSystem.create("xfs", 1024, "-m", "reflink=1");
        closeLast.add(xfs);
        try (BlockSnapshotter onXfs = open(xfs.mountPoint().resolve("root"), SMALL)) {
            onXfs.prepare("a", "");
            onXfs.commit("c", "a");
            onXfs.prepare("child", "c");
            assertThat(onXfs.copyCounts()).containsEntry(CopyMethod.REFLINK, 2L).containsEntry(CopyMethod.COPY_FILE_RANGE, 0L);
            assertThat(sharedExtents(onXfs.imageOf("child"))).as("the child shares its parent's extents").isPositive();
        }
    }

    /** Extents of a file that filefrag (FIEMAP) reports as shared with another file. */
    private static long sharedExtents(Path file) throws IOException {
        String out = OciArchive.run(file.getParent(), "filefrag", "-v", file.toString());
        return out.lines().filter(l -> l.matches("\\s*\\d+:.*") && l.contains("shared")).count();
    }

    @Test
    void aFailedPrepareLeavesNoImageBehind() throws IOException {
        sn.prepare("taken", "");
        List<String> dirsBefore = snapshotDirs();
        assertThatThrownBy(() -> sn.prepare("taken", "", sizeBytes(128 * MIB)))
                .isInstanceOf(io.strata.api.AlreadyExistsException.class);
        assertThatThrownBy(() -> sn.prepare("x", "missing-parent")).isInstanceOf(io.strata.api.NotFoundException.class);
        assertThat(snapshotDirs()).isEqualTo(dirsBefore);
        try (Stream<Path> s = Files.list(root.resolve("snapshots"))) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("new-"))
                    .filter(p -> Files.exists(p.resolve(BlockSnapshotter.IMAGE))).toList()).isEmpty();
        }
    }

    @Test
    void optionsParseSizesAndRefuseBadOnes() {
        assertThat(BlockOptions.parseSize("1073741824")).isEqualTo(1L << 30);
        assertThat(BlockOptions.parseSize("512M")).isEqualTo(512 * MIB);
        assertThat(BlockOptions.parseSize("10G")).isEqualTo(10L << 30);
        assertThat(BlockOptions.parseSize("10gib")).isEqualTo(10L << 30);
        assertThat(BlockOptions.parseSize(" 2T ")).isEqualTo(2L << 40);
        for (String bad : List.of("", "G", "1.5G", "-1", "10X", "99999999999P")) {
            assertThatThrownBy(() -> BlockOptions.parseSize(bad)).as(bad).isInstanceOf(InvalidArgumentException.class);
        }
        assertThatThrownBy(() -> BlockOptions.DEFAULTS.withScratchSize(MIB)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(Long.toString(MIB));
        assertThatThrownBy(() -> BlockOptions.DEFAULTS.withScratchSize(64 * MIB + 1)).hasMessageContaining("4096");
        assertThatThrownBy(() -> BlockOptions.DEFAULTS.withScratchSize(16L << 40)).hasMessageContaining("16 TiB");
    }
}
