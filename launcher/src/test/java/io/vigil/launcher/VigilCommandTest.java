package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./vigil help} as a user reads it. */
class VigilCommandTest {

    @Test
    void theHelpTextSaysEachThingOnceAndNamesEveryCommand() {
        List<String> lines = Arrays.stream(VigilCommand.USAGE.split("\n")).map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        assertThat(lines).as("no line twice (the chaos options were)").doesNotHaveDuplicates();
        for (String command : List.of("demo", "cluster", "collect", "scorecard", "chaos", "bench", "user", "help")) {
            assertThat(lines).as(command).anyMatch(l -> l.startsWith(command + " "));
        }
    }
}
