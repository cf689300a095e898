package io.strata.cli;

import io.strata.api.InvalidArgumentException;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata completion bash|zsh}: the shell completion script of the whole command tree,
 * made by picocli's {@link AutoComplete} from the same model that parses the command line, so it
 * never lags behind the commands. The script is bash's; zsh runs it through {@code bashcompinit},
 * which the script loads itself.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script.",
                "bash: strata completion bash > /etc/bash_completion.d/strata",
                "zsh:  strata completion zsh > \"${fpath[1]}/_strata\" (or source it from ~/.zshrc)"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new InvalidArgumentException("no completion for shell \"" + shell + "\" (want bash or zsh)");
        }
        spec.commandLine().getOut().print(script());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The completion script of the whole {@code strata} command tree. */
    static String script() {
        return AutoComplete.bash("strata", new CommandLine(new Main()));
    }
}
