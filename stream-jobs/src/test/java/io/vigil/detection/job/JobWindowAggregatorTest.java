package io.vigil.detection.job;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.JobEvent;
import io.vigil.model.StepEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobWindowAggregatorTest {

    KeyedOneInputStreamOperatorTestHarness<String, JobSignal, JobWindow> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new JobWindowAggregator(Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofSeconds(30)), JobSignal::jobKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    void sample(int host, int gpu, long ts, double clock) throws Exception {
        h.processElement(JobSignal.of(healthy("h" + host, gpu, ts).rank(host * 8 + gpu).smClockMHz(clock).build()), ts);
    }

    List<JobWindow> windows() {
        return h.extractOutputValues();
    }

    @Test
    void ranksAreAveragedPerWindowAndEmittedWhenTheWatermarkPassesTheEnd() throws Exception {
        sample(0, 0, T0 + 100, 1900);
        sample(0, 0, T0 + 600, 2000);
        sample(0, 1, T0 + 300, 1500);
        h.processElement(JobSignal.of(new StepEvent("test", "job-1", 1, 5, T0, T0 + 900, 640.0, 100.0, "h0", 1, null)),
                T0 + 900);
        sample(0, 0, T0 + 1200, 1980);
        h.processWatermark(new Watermark(T0 + 998));
        assertThat(windows()).isEmpty();
        h.processWatermark(new Watermark(T0 + 999));
        assertThat(windows()).hasSize(1);
        JobWindow w = windows().get(0);
        assertThat(w.windowStart()).isEqualTo(T0);
        assertThat(w.decidedAt()).isEqualTo(T0 + 3000);
        assertThat(w.ranks()).extracting(RankWindow::rank).containsExactly(0, 1);
        assertThat(w.ranks().get(0).smClockMHz()).isEqualTo(1950.0);
        assertThat(w.ranks().get(0).samples()).isEqualTo(2);
        assertThat(w.ranks().get(1).stepCostMs()).isEqualTo(640.0);
        assertThat(w.ranks().get(1).where()).isEqualTo("h0/gpu1");
    }

    @Test
    void aLateSampleIsDroppedNotCountedIntoAClosedWindowAndTheJobWaitsLongerForItsReporterFromThenOn()
            throws Exception {
        sample(0, 0, T0 + 100, 1900);
        h.processWatermark(new Watermark(T0 + 1500));
        sample(0, 1, T0 + 200, 1000); // its window [0, 1000) closed at 999: 501 ms too early for it
        sample(0, 1, T0 + 1600, 1000);
        sample(0, 0, T0 + 1700, 1900);
        h.processWatermark(new Watermark(T0 + 2000));
        // The second window would have closed at 1999; the job now waits 502 ms more for its late reporter.
        assertThat(windows()).hasSize(1);
        assertThat(windows().get(0).ranks()).extracting(RankWindow::rank).containsExactly(0);
        sample(0, 1, T0 + 1900, 1000); // in time now
        h.processWatermark(new Watermark(T0 + 2501));
        assertThat(windows()).hasSize(2);
        assertThat(windows().get(1).ranks()).extracting(RankWindow::rank).containsExactly(0, 1);
        assertThat(windows().get(1).decidedAt()).isEqualTo(T0 + 2000 + 2000 + 502);
    }

    @Test
    void aLateStepIsADurationAndCountsInTheFirstWindowStillOpenInsteadOfBeingLost() throws Exception {
        sample(0, 0, T0 + 100, 1900);
        sample(0, 1, T0 + 150, 1900);
        h.processWatermark(new Watermark(T0 + 2100));
        assertThat(windows()).hasSize(1);
        // Rank 1's step that ended at 900 arrives now (its host's clock runs behind): its window [0, 1000) is gone.
        // The job learns to wait 1,102 ms more, which keeps [1000, 2000) open, and the step counts there.
        h.processElement(JobSignal.of(new StepEvent("test", "job-1", 1, 5, T0, T0 + 900, 640.0, 100.0, "h0", 1,
                null)), T0 + 900);
        sample(0, 0, T0 + 2500, 1900);
        h.processWatermark(new Watermark(T0 + 3100));
        assertThat(windows()).hasSize(1);
        h.processWatermark(new Watermark(T0 + 3101));
        assertThat(windows()).hasSize(2);
        JobWindow w = windows().get(1);
        assertThat(w.windowStart()).isEqualTo(T0 + 1000);
        assertThat(w.decidedAt()).isEqualTo(T0 + 2000 + 2000 + 1102);
        assertThat(w.ranks()).singleElement().satisfies(r -> {
            assertThat(r.rank()).isEqualTo(1);
            assertThat(r.steps()).isEqualTo(1);
            assertThat(r.stepCostMs()).isEqualTo(640.0);
            assertThat(r.samples()).isZero();
        });
        // Later than the longest wait (30 s), a step still counts, in the first window not yet due.
        h.processWatermark(new Watermark(T0 + 60_000));
        h.processElement(JobSignal.of(new StepEvent("test", "job-1", 1, 6, T0 + 900, T0 + 1800, 640.0, 100.0, "h0",
                1, null)), T0 + 1800);
        h.processWatermark(new Watermark(T0 + 90_000));
        assertThat(windows()).last().satisfies(last -> {
            assertThat(last.windowStart()).isGreaterThan(T0 + 60_000 - 30_000 - 1000);
            assertThat(last.ranks()).singleElement().satisfies(r -> assertThat(r.steps()).isEqualTo(1));
        });
    }

    @Test
    void theJobsEndFlushesItsWindowsThenClearsStateAndTimers() throws Exception {
        h.processElement(JobSignal.of(new JobEvent(T0, "test", "job-1", JobEvent.Kind.START, null, null,
                List.of(new JobEvent.RankAllocation(0, "h0", 0, null), new JobEvent.RankAllocation(1, "h0", 1, null)),
                null)), T0);
        sample(0, 0, T0 + 100, 1900);
        sample(0, 0, T0 + 1100, 1900);
        h.processElement(JobSignal.of(new JobEvent(T0 + 1500, "test", "job-1", JobEvent.Kind.END, null, null,
                List.of(), null)), T0 + 1500);
        sample(0, 0, T0 + 1700, 1900); // attribution lagging behind the END: not the job's anymore
        h.processWatermark(new Watermark(T0 + 5000));
        assertThat(windows()).extracting(JobWindow::end).containsExactly(JobWindow.End.NONE, JobWindow.End.NONE,
                JobWindow.End.JOB_ENDED);
        assertThat(windows().get(0).worldSize()).isEqualTo(2);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aJobSilentForTheTimeoutIsForgotten() throws Exception {
        sample(0, 0, T0 + 100, 1900);
        h.processWatermark(new Watermark(T0 + 200_000));
        assertThat(windows()).hasSize(1);
        assertThat(h.numKeyedStateEntries()).isPositive();
        h.processWatermark(new Watermark(T0 + 301_000));
        assertThat(windows()).extracting(JobWindow::end).containsExactly(JobWindow.End.NONE, JobWindow.End.SILENT);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
