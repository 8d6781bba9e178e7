package io.vigil.detection.job;

import static io.vigil.detection.job.JobWindows.end;
import static io.vigil.detection.job.JobWindows.training;
import static io.vigil.detection.job.JobWindows.window;
import static io.vigil.detection.job.JobWindows.withActivity;
import static io.vigil.detection.job.JobWindows.withClock;
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

class SyncStallDetectorTest {

    /** Ranks waiting in a collective: ~100% utilisation at idle power, no tensor work or traffic; rank 0 hung. */
    static final IntFunction<RankWindow> STALLED = r -> r == 0
            ? withClock(withActivity(training(r), 0, 0, 0, 60, 0), 345, 1)
            : withActivity(training(r), 100, 1, 0, 90, 1e7);
    /** A checkpoint: every rank idle. */
    static final IntFunction<RankWindow> CHECKPOINT = r -> withActivity(training(r), 4, 2, 0, 110, 2e9 / 1000);

    KeyedOneInputStreamOperatorTestHarness<String, JobWindow, AlertEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SyncStallDetector(SyncStallConfig.defaults()),
                JobWindow::jobKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    void run(int from, int to, IntFunction<RankWindow> rank) throws Exception {
        for (int s = from; s < to; s++) {
            h.processElement(window(s, 32, rank), 0);
        }
    }

    List<AlertEvent> alerts() {
        return h.extractOutputValues();
    }

    @Test
    void aStallSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (int s = 0; s < 160; s++) {
            IntFunction<RankWindow> rank = s >= 30 && s < 150 ? STALLED : JobWindows::training;
            steps.add(io.vigil.detection.SnapshotRestore.element(window(s, 32, rank), 0));
        }
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new SyncStallDetector(SyncStallConfig.defaults()), JobWindow::jobKey, Types.STRING, steps, 120);
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void aStallFiresAfterTheThresholdNamingTheOddRankOutAndResolvesWhenActivityReturns() throws Exception {
        run(0, 30, JobWindows::training);
        run(30, 89, STALLED);
        assertThat(alerts()).as("59 s: under the 60 s threshold").isEmpty();
        run(89, 150, STALLED);
        assertThat(alerts()).hasSize(1);
        AlertEvent a = alerts().get(0);
        assertThat(a.type()).isEqualTo(AlertType.SYNC_STALL);
        assertThat(a.severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
        assertThat(a.labels()).containsEntry("job", "job-1").containsEntry("rank", "0").containsEntry("host", "h0");
        assertThat(a.summary()).contains("job-1 stalled for 60 s", "spinning in a collective",
                "32 of 32 ranks", "odd rank out: rank 0 on h0/gpu0");
        assertThat(a.evidence()).containsEntry("stallSeconds", 60.0).containsEntry("oddRank", 0.0);
        assertThat(a.detectedAt().toEpochMilli()).isEqualTo(window(89, 1, r -> null).decidedAt());

        run(150, 160, JobWindows::training);
        assertThat(alerts()).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(alerts().get(1).summary()).contains("activity back after 120 s");
    }

    @Test
    void checkpointPausesDoNotFireAndTheJobsOwnPausesRaiseTheThreshold() throws Exception {
        // Idle pauses of 3 minutes, every 5 minutes: under the 4-minute idle minimum.
        for (int cycle = 0; cycle < 3; cycle++) {
            run(cycle * 300, cycle * 300 + 120, JobWindows::training);
            run(cycle * 300 + 120, cycle * 300 + 300, CHECKPOINT);
        }
        assertThat(alerts()).isEmpty();
        // Learned: this job pauses up to 180 s, so 1.5 x 180 = 270 s is still its normal.
        run(900, 1020, JobWindows::training);
        run(1020, 1280, CHECKPOINT);
        assertThat(alerts()).isEmpty();
        run(1280, 1300, CHECKPOINT);
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).summary()).contains("ranks idle", "normal pauses up to 180 s");
    }

    @Test
    void aShortSpinningPauseIsNotAStall() throws Exception {
        run(0, 30, JobWindows::training);
        run(30, 75, STALLED);
        run(75, 100, JobWindows::training);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void theJobsEndResolvesAnOpenStallAndDropsState() throws Exception {
        run(0, 30, JobWindows::training);
        run(30, 100, STALLED);
        h.processElement(end(100, JobWindow.End.JOB_ENDED), 0);
        assertThat(alerts()).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(alerts().get(1).summary()).contains("job ended");
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
