package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Captured.Result;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Command lines as ctr and nerdctl users type them (issue 18): global options before the command,
 * a group's options before its subcommand, {@code --plain-http} as a flag, and one-line errors
 * that name what was wrong and touch nothing.
 */
class CtrHabitsTest {
    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("strata-ctr-habits");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(root);
    }

    private List<String> keys(String... args) {
        Result r = Captured.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().lines().toList();
    }

    @Test
    void globalOptionsGoBeforeTheCommandOrAfterIt() {
        String r = root.toString();
        assertThat(Captured.run("--root", r, "-n", "team-a", "snapshots", "prepare", "before").code()).isZero();
        assertThat(Captured.run("--root=" + r, "--namespace=team-a", "snapshots", "prepare", "equals").code()).isZero();
        assertThat(Captured.run("snapshots", "prepare", "--root", r, "-n", "team-a", "after").code()).isZero();
        assertThat(Captured.run("snapshots", "--root", r, "-n", "team-a", "prepare", "between").code()).isZero();

        assertThat(keys("--root", r, "-n", "team-a", "snapshots", "ls", "-q")).containsExactlyInAnyOrder("before", "equals", "after", "between");
        assertThat(keys("snapshots", "ls", "-q", "--root", r, "--namespace", "team-a")).hasSize(4);
        assertThat(keys("--root", r, "snapshots", "ls", "-q")).as("the default namespace sees none of team-a's").isEmpty();
        // One given after the command wins over the one given before it.
        assertThat(keys("--root", r, "-n", "team-b", "snapshots", "ls", "-q", "-n", "team-a")).hasSize(4);
    }

    @Test
    void environmentVariablesStillGiveTheDefaults() {
        // STRATA_ROOT and friends are read by picocli's defaults; a global option overrides them. The
        // test JVM has no STRATA_ROOT, so the default root would be /var/lib/strata: --root before the
        // command must be what is used.
        assertThat(Captured.run("--root", root.toString(), "snapshots", "prepare", "k").code()).isZero();
        assertThat(Files.exists(root.resolve("overlayfs/metadata.db"))).isTrue();
    }

    @Test
    void aGroupsOptionGoesBeforeItsSubcommandAsInCtr() {
        String r = root.toString();
        assertThat(Captured.run("snapshots", "--snapshotter", "native", "--root", r, "prepare", "n1").code()).isZero();
        assertThat(keys("snapshots", "--snapshotter", "native", "ls", "-q", "--root", r)).containsExactly("n1");
        assertThat(keys("snapshots", "-s", "native", "--root=" + r, "ls", "-q")).containsExactly("n1");
        assertThat(keys("snapshots", "--snapshotter=overlayfs", "--root", r, "ls", "-q")).isEmpty();
        assertThat(Files.exists(root.resolve("native/metadata.db"))).isTrue();
    }

    @Test
    void imageCommandsTakeTheNamespaceBeforeTheCommand() {
        String r = root.toString();
        Result ls = Captured.run("-n", "k8s.io", "--root", r, "images", "ls", "-q");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(Files.exists(root.resolve("metadata/meta.db"))).as("the root given before the command is the one opened").isTrue();
    }

    @Test
    void aGlobalOptionTheCommandCannotUseIsRefusedNotDropped() {
        Result r = Captured.run("--address", root.resolve("nobody.sock").toString(), "pull", "--root", root.toString(),
                "127.0.0.1:1/app:1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString()
                .contains("'--address' does not apply to 'strata pull'", "strata pull --help");
        assertThat(root.resolve("metadata")).doesNotExist();

        Result daemon = Captured.run("-n", "team-a", "daemon", "--root", root.toString());
        assertThat(daemon.code()).isEqualTo(2);
        assertThat(daemon.err()).contains("'--namespace' does not apply to 'strata daemon'");
    }

    @Test
    void globalOptionsTypedWronglyAreNamed() {
        Result missing = Captured.run("-n");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("option '-n' needs a value");
        Result twice = Captured.run("-n", "a", "--namespace", "b", "snapshots", "ls");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("'--namespace' is given twice");
        Result level = Captured.run("--log-level", "loud", "version");
        assertThat(level.code()).isEqualTo(2);
        assertThat(level.err()).contains("unknown log level \"loud\"");
    }

    @Test
    void aMisspelledOptionGetsOneLineWithTheNearestName() {
        Result r = Captured.run("snapshots", "--snapshoter", "native", "ls", "--root", root.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString()
                .contains("Unknown option", "'--snapshoter'", "did you mean '--snapshotter'", "strata snapshots --help");

        Result leaf = Captured.run("snapshots", "ls", "--fitler", "kind==committed", "--root", root.toString());
        assertThat(leaf.code()).isEqualTo(2);
        assertThat(leaf.err().lines().toList()).singleElement().asString().contains("--filter");
        assertThat(root.resolve("overlayfs")).as("nothing opened").doesNotExist();
    }

    @Test
    void plainHttpIsAFlagAndAReferenceOnAHostOptionIsExplained() {
        Result onOption = Captured.run("pull", "--root", root.toString(), "--plain-http-host", "127.0.0.1:5000/app:1");
        assertThat(onOption.code()).isEqualTo(2);
        assertThat(onOption.err().lines().toList()).singleElement().asString()
                .contains("Missing required parameter", "'127.0.0.1:5000/app:1' looks like an image reference",
                        "--plain-http-host", "put the reference last");

        Result hostIsReference = Captured.run("pull", "--root", root.toString(), "--plain-http-host", "127.0.0.1:5000/app:1",
                "127.0.0.1:5000/app:1");
        assertThat(hostIsReference.code()).isEqualTo(2);
        assertThat(hostIsReference.err()).contains("--plain-http-host takes registry hosts", "--plain-http");

        // The flag takes no value: what follows it is the reference. Nothing answers on port 1, so the
        // pull fails as unavailable, naming the registry (PullTimingsTest pulls with the flag for real).
        Result flag = Captured.run("pull", "--root", root.toString(), "--plain-http", "127.0.0.1:1/app:1");
        assertThat(flag.code()).as(flag.err()).isEqualTo(6);
        assertThat(flag.err()).contains("127.0.0.1:1");
    }
}
