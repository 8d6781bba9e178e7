package io.vigil.detection.job;

import static io.vigil.detection.job.JobWindows.end;
import static io.vigil.detection.job.JobWindows.training;
import static io.vigil.detection.job.JobWindows.window;
import static io.vigil.detection.job.JobWindows.withActivity;
import static io.vigil.detection.job.JobWindows.withClock;
import static io.vigil.detection.job.JobWindows.withStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StragglerDetectorTest {

    KeyedOneInputStreamOperatorTestHarness<String, JobWindow, AlertEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new StragglerDetector(StragglerConfig.defaults()),
                JobWindow::jobKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    void run(int from, int to, int ranks, IntFunction<RankWindow> rank) throws Exception {
        for (int s = from; s < to; s++) {
            h.processElement(window(s, ranks, rank), 0);
        }
    }

    List<AlertEvent> alerts() {
        return h.extractOutputValues();
    }

    @Test
    void aSlowRankFiresOnceNamingItsSignalsAndResolvesWhenBackInStep() throws Exception {
        run(0, 20, 32, JobWindows::training);
        run(20, 50, 32, r -> r == 13 ? withClock(training(r), 1406, 0x8) : training(r));
        assertThat(alerts()).hasSize(1);
        AlertEvent a = alerts().get(0);
        assertThat(a.type()).isEqualTo(AlertType.STRAGGLER);
        assertThat(a.state()).isEqualTo(AlertEvent.State.FIRING);
        assertThat(a.labels()).containsEntry("job", "job-1").containsEntry("rank", "13").containsEntry("host", "h1")
                .containsEntry("gpu", "5");
        assertThat(a.summary()).contains("rank 13 on h1/gpu5", "SM clock 1406 MHz, usually 1972 MHz (\u221229%",
                "HW_SLOWDOWN active", "job slowed by ~40%");
        assertThat(a.evidence()).containsEntry("smClockMHz", 1406.0).containsKey("jobSlowdownPct");
        // Fired once out of step for N = 5 windows (K = 3 of them at least), decided when the fifth closed.
        assertThat(a.startsAt().toEpochMilli()).isEqualTo(window(20, 1, r -> null).windowStart());
        assertThat(a.detectedAt().toEpochMilli()).isEqualTo(window(24, 1, r -> null).decidedAt());

        run(50, 60, 32, JobWindows::training);
        assertThat(alerts()).hasSize(2);
        AlertEvent resolved = alerts().get(1);
        assertThat(resolved.state()).isEqualTo(AlertEvent.State.RESOLVED);
        assertThat(resolved.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(resolved.startsAt()).isEqualTo(a.startsAt());
    }

    @Test
    void anEpisodeSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (int s = 0; s < 60; s++) {
            int second = s;
            IntFunction<RankWindow> rank = second >= 20 && second < 50
                    ? r -> r == 13 ? withClock(training(r), 1406, 0x8) : training(r) : JobWindows::training;
            steps.add(io.vigil.detection.SnapshotRestore.element(window(second, 32, rank), 0));
        }
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new StragglerDetector(StragglerConfig.defaults()), JobWindow::jobKey, Types.STRING, steps, 35);
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void briefDeviationsAndWarmUpDoNotFire() throws Exception {
        // Warm-up: a rank that starts late looks idle for its first windows.
        run(0, 8, 32, r -> r == 3 ? withActivity(training(r), 0, 0, 0, 70, 0) : training(r));
        // Two deviant windows in five: under K.
        run(8, 40, 32, JobWindows::training);
        run(40, 42, 32, r -> r == 7 ? withClock(training(r), 1300, 0) : training(r));
        run(42, 60, 32, JobWindows::training);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aCheckpointPauseNeitherResolvesNorRepeatsAnOpenStragglerAlert() throws Exception {
        IntFunction<RankWindow> slow13 = r -> r == 13 ? withClock(training(r), 1406, 0x8) : training(r);
        run(0, 20, 32, JobWindows::training);
        run(20, 40, 32, slow13);
        run(40, 60, 32, r -> withActivity(training(r), 4, 2, 0, 110, 2e6));
        run(60, 80, 32, slow13);
        assertThat(alerts()).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING);
    }

    @Test
    void aWholeJobSlowingAlikeIsNotAStraggler() throws Exception {
        run(0, 20, 32, JobWindows::training);
        run(20, 80, 32, r -> withClock(training(r), 1580, 0x4));
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aPausedJobIsNotJudged() throws Exception {
        run(0, 20, 32, JobWindows::training);
        // A stall: everyone spins at idle power, except rank 0, hung at idle clock.
        run(20, 60, 32, r -> r == 0 ? withClock(withActivity(training(r), 0, 0, 0, 60, 0), 345, 1)
                : withActivity(training(r), 100, 1, 0, 90, 1e6));
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aHostWhoseRanksFallBehindTogetherIsOneHostAlert() throws Exception {
        run(0, 20, 32, JobWindows::training);
        run(20, 40, 32, r -> r / 8 == 2 ? withActivity(training(r), 72, 38, 24, 340, 4e10)
                : withActivity(training(r), 99, 58 + (r % 3) * 0.5, 38, 480, 1.6e11));
        assertThat(alerts()).hasSize(1);
        AlertEvent a = alerts().get(0);
        assertThat(a.labels()).containsEntry("scope", "host").containsEntry("host", "h2")
                .containsEntry("ranks", "16,17,18,19,20,21,22,23").doesNotContainKey("rank");
        assertThat(a.summary()).contains("host h2 straggles in job-1", "suspect the host");
    }

    @Test
    void persistentStepSkewIsLearnedWhileANewStragglerIsFound() throws Exception {
        IntFunction<RankWindow> skewed = r -> withStep(training(r), r == 2 ? 540 : r == 4 ? 410 : 470 + (r % 5) * 3);
        run(0, 120, 10, skewed);
        assertThat(alerts()).as("rank 2 is always ~15% slower: its baseline").isEmpty();
        run(120, 140, 10, r -> r == 6 ? withStep(training(r), 830) : skewed.apply(r));
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).labels()).containsEntry("rank", "6");
        assertThat(alerts().get(0).summary()).contains("step 830 ms, usually 473 ms (+75% against its own usual");
    }

    @Test
    void aSlowGroupWorkerThatRanWithTheFastGroupWhileItsStepWasLearnedKeepsItsOwnUsual() throws Exception {
        // Rank 3 belongs to the slow group (2.9 s steps); in its third window it ran one step with the fast group.
        // Averaged, its usual would be 2.5 s (2.6 s when judging begins) and its ordinary 3.3 s steps 26 % over it:
        // a page for nothing.
        IntFunction<RankWindow> bimodal = r -> withStep(training(r), r == 3 ? 2900 : 950 + (r % 5) * 3);
        run(0, 2, 10, bimodal);
        run(2, 3, 10, r -> r == 3 ? withStep(training(r), 950) : bimodal.apply(r));
        run(3, 11, 10, bimodal);
        run(11, 40, 10, r -> r == 3 ? withStep(training(r), 3300) : bimodal.apply(r));
        assertThat(alerts()).isEmpty();
        // Its usual is its own: twice its step still pages.
        run(40, 60, 10, r -> r == 3 ? withStep(training(r), 5800) : bimodal.apply(r));
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.summary())
                .contains("step 5800 ms, usually 3"));
    }

    @Test
    void theJobsEndClosesItsAlertsAndDropsAllState() throws Exception {
        run(0, 20, 32, JobWindows::training);
        run(20, 30, 32, r -> r == 9 ? withClock(training(r), 1300, 0) : training(r));
        assertThat(h.numKeyedStateEntries()).isPositive();
        h.processElement(end(30, JobWindow.End.JOB_ENDED), 0);
        assertThat(alerts()).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(alerts().get(1).summary()).contains("job ended");
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /**
     * A job whose hosts' clocks disagree by 3 s either way, that loads data, trains with a slow group on two of its
     * six hosts, checkpoints and resumes: structure and phase changes page nobody; a real change still does.
     */
    @Test
    void clockOffsetsAtPhaseChangesAndASlowGroupArePageFreeWhileARealChangeStillPages() throws Exception {
        java.util.function.BiFunction<Integer, Integer, RankWindow> job = (second, rank) -> {
            int host = rank / 8;
            int t = second + (host == 1 ? 3 : host == 2 ? -3 : 0); // h1's clock runs 3 s behind, h2's 3 s ahead
            RankWindow r = training(rank);
            if (t < 30) return withActivity(r, 30, 8, 2, 150, 1e8);              // loading data
            if (t >= 100 && t < 120) return withActivity(r, 2, 2, 0, 110, 2e6);  // checkpoint
            if (host >= 4) return withActivity(r, 99, 44, 22, 390, 1.5e10);      // the slow group
            return r;
        };
        for (int s = 0; s < 200; s++) {
            int second = s;
            h.processElement(window(s, 48, rank -> job.apply(second, rank)), 0);
        }
        assertThat(alerts()).as("structure and offsets").isEmpty();
        for (int s = 200; s < 220; s++) {
            int second = s;
            h.processElement(window(s, 48, rank -> rank == 9 ? withClock(job.apply(second, rank), 1400, 0x8)
                    : job.apply(second, rank)), 0);
        }
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.labels()).containsEntry("rank", "9");
            assertThat(a.summary()).contains("SM clock 1400 MHz, usually 1972 MHz");
        });
    }

    /**
     * Hosts whose clocks are 3 s off either way from each other's (the generated scenarios' nuisance) put one host up
     * to 6 s ahead of the job's majority: its ranks start training and pause for a checkpoint 6 windows before the
     * job-wide transition shows, which is longer than a straggler otherwise needs. Activity alone is not enough then;
     * a host that really falls behind by its activity still pages.
     */
    @Test
    void aHostSixSecondsAheadOfTheJobAtEveryPhaseChangePagesNobodyButAHostFallingBehindByActivityDoes()
            throws Exception {
        java.util.function.BiFunction<Integer, Integer, RankWindow> job = (second, rank) -> {
            int host = rank / 8;
            int t = second + (host == 2 ? 6 : host == 1 ? -3 : 0);
            RankWindow r = training(rank);
            if (t < 30) return withActivity(r, 30, 8, 2, 150, 1e8);              // loading data
            if (t >= 100 && t < 120) return withActivity(r, 2, 2, 0, 110, 2e6);  // checkpoint
            if (t >= 180 && t < 195) return withActivity(r, 2, 2, 0, 110, 2e6);  // another
            return r;
        };
        for (int s = 0; s < 260; s++) {
            int second = s;
            h.processElement(window(s, 48, rank -> job.apply(second, rank)), 0);
        }
        assertThat(alerts()).as("a host ahead at every phase change").isEmpty();
        for (int s = 260; s < 290; s++) {
            int second = s;
            h.processElement(window(s, 48, rank -> rank / 8 == 4 ? withActivity(job.apply(second, rank), 99, 40, 20,
                    380, 1.5e10) : job.apply(second, rank)), 0);
        }
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.labels()).containsEntry("host", "h4").containsEntry("scope", "host");
            assertThat(a.startsAt().toEpochMilli() - a.detectedAt().toEpochMilli()).isNegative();
        });
    }

    @Test
    void aClockThatDeclinesByTwelvePercentOverTwoMinutesWithNoReasonIsAStragglerNotItsNewUsual() throws Exception {
        // Rank 7 loses 0.1 % of its clock a second, from second 60 to 180: 12 % down, no clock-event reason.
        for (int s = 0; s < 200; s++) {
            int second = s;
            double lost = Math.max(0, Math.min(120, second - 60)) * 0.001;
            h.processElement(window(s, 32, r -> r == 7 ? withClock(training(r), 1965 * (1 - lost), 0) : training(r)),
                    0);
        }
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.labels()).containsEntry("rank", "7");
            assertThat(a.summary()).contains("SM clock").doesNotContain("active");
            // Found once 8 % down (second 140), not learned away on the way.
            assertThat(a.detectedAt().toEpochMilli()).isLessThan(window(160, 1, r -> null).decidedAt());
        });
    }

    @Test
    void aRankSlowedDuringAPauseIsFoundWhenTheJobResumes() throws Exception {
        run(0, 60, 32, JobWindows::training);
        // A checkpoint: every rank idle, clocks down; rank 20 comes back 15 % slower.
        run(60, 80, 32, r -> withClock(withActivity(training(r), 2, 1, 0, 120, 0), 1410, 0));
        run(80, 130, 32, r -> r == 20 ? withClock(training(r), 1683, 0) : training(r));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.labels()).containsEntry("rank", "20");
            assertThat(a.summary()).contains("SM clock 1683 MHz");
        });
    }
}
