package io.vigil.detection.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.alert.Episode.Step;
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
        assertThat(e.nextSeq()).isEqualTo(1);
        assertThat(e.close()).isTrue();
        assertThat(e.close()).isFalse();
        assertThat(e.nextSeq()).isEqualTo(2);
        assertThat(e.fireNow(300)).isTrue();
        assertThat(e.nextSeq()).isEqualTo(3);
    }
}
