package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Captured.Result;
import io.strata.testkit.Tree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code strata completion bash|zsh} completes in a real bash; the build's man pages cover every command and option. */
class CompletionAndManPagesTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-completion");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    /** What bash's completion offers for the words typed so far (the last one being completed). */
    private List<String> complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        String program = "source " + script + "\n"
                + "COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_strata 2>/dev/null\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void bashCompletesCommandsSubcommandsAndOptions() throws Exception {
        Result r = Captured.run("completion", "bash");
        assertThat(r.code()).as(r.err()).isZero();
        Path script = Files.writeString(dir.resolve("strata.bash"), r.out());

        assertThat(complete(script, "strata", "sna")).containsExactlyInAnyOrder("snapshots", "snapshot");
        assertThat(complete(script, "strata", "snapshots", "pre")).containsExactly("prepare");
        assertThat(complete(script, "strata", "pull", "--plain")).contains("--plain-http", "--plain-http-host");
        assertThat(complete(script, "strata", "images", "")).contains("ls", "rm", "inspect");
    }

    @Test
    void zshGetsTheSameScriptWhichLoadsBashcompinitItself() {
        Result zsh = Captured.run("completion", "zsh");
        assertThat(zsh.code()).isZero();
        assertThat(zsh.out()).isEqualTo(Captured.run("completion", "bash").out()).contains("bashcompinit");
        Result fish = Captured.run("completion", "fish");
        assertThat(fish.code()).isEqualTo(2);
        assertThat(fish.err()).contains("no completion for shell \"fish\" (want bash or zsh)");
    }

    @Test
    void everyCommandHasAManPageWithEveryOption() throws Exception {
        ManPages.main(new String[] {dir.toString()});
        Path man = dir.resolve("man1");
        assertThat(man.resolve("strata.1")).exists();
        String pull = Files.readString(man.resolve("strata-pull.1"));
        assertThat(pull).startsWith(".TH \"STRATA\\-PULL\" 1").contains(".SH SYNOPSIS", "\\fB\\-\\-plain\\-http\\fR",
                "\\fB\\-\\-plain\\-http\\-host\\fR \\fIHOST[:PORT]\\fR", ".SH SEE ALSO\n\\fBstrata\\fR(1)");
        String snapshots = Files.readString(man.resolve("strata-snapshots.1"));
        assertThat(snapshots).contains(".SH COMMANDS", "See \\fBstrata\\-snapshots\\-prepare\\fR(1).");
        assertThat(man.resolve("strata-snapshots-prepare.1")).exists();
        assertThat(Files.readString(man.resolve("strata.1"))).contains(".SH EXIT STATUS");
        assertThat(dir.resolve("completion/strata.bash")).exists();
        // No line may start with a troff request character unless it is one of ours.
        for (Path page : Files.list(man).toList()) {
            for (String l : Files.readAllLines(page)) {
                if (l.startsWith(".") || l.startsWith("'")) {
                    assertThat(l).as(page + ": " + l).matches("\\.(TH|SH|TP|nf|fi|br)( .*)?");
                }
            }
        }
    }
}
