package io.vigil.storage.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Origin;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatFilterTest {

    @Test
    void aSequenceSeenAgainOnThePartitionIsARepeatAndNothingElseIs() {
        RepeatFilter f = new RepeatFilter();
        for (int s = 0; s < 100; s += 3) assertThat(f.firstTime("p0", new Origin("c", 1, s))).isTrue();
        // The spool's batch again: every one a repeat.
        for (int s = 60; s < 100; s += 3) assertThat(f.firstTime("p0", new Origin("c", 1, s))).isFalse();
        // Sequences this partition never had, another boot, another collector, another partition: all new.
        assertThat(f.firstTime("p0", new Origin("c", 1, 61))).isTrue();
        assertThat(f.firstTime("p0", new Origin("c", 2, 60))).isTrue();
        assertThat(f.firstTime("p0", new Origin("d", 1, 60))).isTrue();
        assertThat(f.firstTime("p1", new Origin("c", 1, 60))).isTrue();
        assertThat(f.repeats()).isEqualTo(14);
    }

    @Test
    void theWindowSlidesAndOlderSequencesAreKept() {
        RepeatFilter f = new RepeatFilter();
        assertThat(f.firstTime("p", new Origin("c", 1, 5))).isTrue();
        assertThat(f.firstTime("p", new Origin("c", 1, 5 + RepeatFilter.WINDOW))).isTrue();
        // 5 fell out of the window: it cannot be told from a new record, so it is kept, never dropped.
        assertThat(f.firstTime("p", new Origin("c", 1, 5))).isTrue();
        // A slot reused by the slide does not remember the old sequence.
        assertThat(f.firstTime("p", new Origin("c", 1, 6 + RepeatFilter.WINDOW))).isTrue();
        assertThat(f.firstTime("p", new Origin("c", 1, 6 + 2L * RepeatFilter.WINDOW - 1))).isTrue();
        // 6 + WINDOW is still the window's oldest: a repeat; one further on, it falls out and is kept again.
        assertThat(f.firstTime("p", new Origin("c", 1, 6 + RepeatFilter.WINDOW))).isFalse();
        assertThat(f.firstTime("p", new Origin("c", 1, 6 + 2L * RepeatFilter.WINDOW))).isTrue();
        assertThat(f.firstTime("p", new Origin("c", 1, 6 + RepeatFilter.WINDOW))).isTrue();
    }

    @Test
    void aPartitionReadAgainFromItsStoredOffsetForgetsWhatItHadRead() {
        RepeatFilter f = new RepeatFilter();
        assertThat(f.firstTime("p", new Origin("c", 1, 1))).isTrue();
        f.forget(List.of("p"));
        assertThat(f.firstTime("p", new Origin("c", 1, 1))).isTrue();
        assertThat(f.firstTime("p", new Origin("c", 1, 1))).isFalse();
        assertThat(f.firstTime("p", null)).isTrue();
    }
}
