package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code strata NAME ...} builds only NAME's picocli model, and reads as the whole tree would. */
class MainDispatchTest {
    @Test
    void everyTopLevelCommandAndAliasIsFoundAndHelpIsNot() {
        for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
            Command command = c.getAnnotation(Command.class);
            if (c == CommandLine.HelpCommand.class) {
                assertThat(Main.topLevel(command.name())).isNull();
                continue;
            }
            assertThat(Main.topLevel(command.name())).isInstanceOf(c);
            Arrays.stream(command.aliases()).forEach(a -> assertThat(Main.topLevel(a)).isInstanceOf(c));
        }
        assertThat(Main.topLevel("no-such-command")).isNull();
        assertThat(Main.topLevel("--root")).isNull();
    }

    @Test
    void usageAndErrorsNameTheCommandAsTheTreeDoes() {
        Captured.Result bad = Captured.run("snapshots", "ls", "--bogus");
        assertThat(bad.code()).isEqualTo(2);
        // One line (issue 18): what was wrong, and where the usage is.
        assertThat(bad.err().lines().toList()).singleElement().asString()
                .contains("Unknown option: '--bogus'", "see 'strata snapshots ls --help'");
        Captured.Result help = Captured.run("pull", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: strata pull");
        Captured.Result alias = Captured.run("s", "--help");
        assertThat(alias.out()).contains("Usage: strata s").contains("prepare");
        Captured.Result unknown = Captured.run("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument").contains("frobnicate");
        Captured.Result near = Captured.run("snapshot", "lst");
        assertThat(near.code()).isEqualTo(2);
        assertThat(near.err().lines().toList()).singleElement().asString().contains("'lst'", "did you mean 'ls'");
    }
}
