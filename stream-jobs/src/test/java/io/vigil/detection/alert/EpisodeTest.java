package io.vigil.detection.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.alert.Episode.Step;
import io.vigil.model.Origin;
import org.junit.jupiter.api.Test;

class EpisodeTest {

    @Test
    void firesOnTheNthBadInARowResolvesOnTheMthGoodAndKeepsItsStart() {
        Episode e = new Episode();
        assertThat(e.observe(true, false, 1000, 3, 2)).isEqualTo(Step.NONE);
        assertThat(e.observe(false, false, 2000, 3, 2)).isEqualTo(Step.NONE); // in the band: the bad run breaks
        assertThat(e.observe(true, false, 3000, 3, 2)).isEqualTo(Step.NONE);
        assertThat(e.observe(true, false, 4000, 3, 2)).isEqualTo(Step.NONE);
        assertThat(e.observe(true, false, 5000, 3, 2)).isEqualTo(Step.FIRED);
        assertThat(e.startMs).isEqualTo(3000);
        assertThat(e.observe(false, true, 6000, 3, 2)).isEqualTo(Step.NONE);
        assertThat(e.observe(true, false, 7000, 3, 2)).isEqualTo(Step.NONE); // a bad one breaks the good run
        assertThat(e.observe(false, true, 8000, 3, 2)).isEqualTo(Step.NONE);
        assertThat(e.observe(false, true, 9000, 3, 2)).isEqualTo(Step.RESOLVED);
        assertThat(e.startMs).isEqualTo(3000);
        assertThat(e.firing).isFalse();
        // The next episode starts afresh.
        assertThat(e.observe(true, false, 10_000, 1, 2)).isEqualTo(Step.FIRED);
        assertThat(e.startMs).isEqualTo(10_000);
    }

    @Test
    void theOriginSequenceIsGapFreeAcrossEpisodesAndFireNowAndCloseAreIdempotent() {
        Episode e = new Episode();
        assertThat(e.fireNow(100)).isTrue();
        assertThat(e.fireNow(200)).isFalse();
        assertThat(e.startMs).isEqualTo(100);
        assertThat(e.nextOrigin("s")).isEqualTo(new Origin("s", 100, 1));
        assertThat(e.close()).isTrue();
        assertThat(e.close()).isFalse();
        assertThat(e.nextOrigin("s")).isEqualTo(new Origin("s", 100, 2));
        assertThat(e.fireNow(300)).isTrue();
        // Later episodes keep the stream's epoch: one stream per life of the entity's state.
        assertThat(e.nextOrigin("s")).isEqualTo(new Origin("s", 100, 3));
    }

    @Test
    void anEntitysSecondLifeStartsANewOriginStreamInsteadOfReusingItsNumbers() {
        // The state was forgotten (the entity fell silent) and made anew when it reported again: its events must not
        // carry origins already on the alert topic, or nobody can tell a repeat from a new event.
        Episode first = new Episode();
        first.fireNow(1_000);
        Origin firstOrigin = first.nextOrigin("s");
        Episode second = new Episode();
        second.fireNow(125_000);
        Origin secondOrigin = second.nextOrigin("s");
        assertThat(secondOrigin.sequence()).isEqualTo(firstOrigin.sequence());
        assertThat(secondOrigin).isNotEqualTo(firstOrigin);
    }
}
