package io.vigil.detection.job;

import io.vigil.model.JobEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by job ({@link JobSignal#jobKey()}): gathers each rank's samples and steps into tumbling event-time windows
 * and emits one {@link JobWindow} per job and window when the watermark passes the window's end, so the job-level
 * detectors compare ranks over the same stretch of time. A job's state goes when its END event is passed by the
 * watermark, or when it has been silent for {@code jobTimeout}; either way one last window with {@code end} set
 * tells the detectors to close their alerts and forget the job.
 *
 * <p>A job whose hosts report late (a clock running behind, a collector delivering in bursts) would lose those
 * ranks' samples to windows already closed. So each job learns how long to wait: a signal that arrives for a closed
 * window stretches the job's wait to cover it (up to the late tolerance), and the job's windows close that much
 * later from then on; ten minutes of event time without a late signal reset it. A late sample is counted
 * ({@code job_window_late_dropped}), not used: it describes a stretch of time already judged. A late step is a
 * duration, not a moment, so it still counts, in the first window still open ({@code job_window_late_steps_carried}):
 * dropped, it would leave its rank with no step ended for a while, which reads as a step still running, long, and
 * so a straggler that only shows when the steps happen to arrive late (a backlog read in another order). A job with
 * late reporters is judged later by their lateness; the others keep their pace.
 */
public class JobWindowAggregator extends KeyedProcessFunction<String, JobSignal, JobWindow> {

    /** Running sums of one rank in one window. */
    public static final class Acc {
        public String host;
        public int gpu = -1;
        public String rack;
        public int samples, steps;
        public double util, sm, tensor, clock, power, limit, link, stepCost;
        public int nUtil, nSm, nTensor, nClock, nPower, nLimit, nLink;
        public long reasons;

        void add(JobSignal s) {
            if (s.host() != null) host = s.host();
            if (s.gpu() >= 0) gpu = s.gpu();
            if (s.rack() != null) rack = s.rack();
            if (s.kind() == JobSignal.Kind.STEP) {
                steps++;
                stepCost += s.stepCostMs();
                return;
            }
            samples++;
            reasons |= s.clockEventReasons();
            if (!Double.isNaN(s.utilPct())) { util += s.utilPct(); nUtil++; }
            if (!Double.isNaN(s.smActivePct())) { sm += s.smActivePct(); nSm++; }
            if (!Double.isNaN(s.tensorActivePct())) { tensor += s.tensorActivePct(); nTensor++; }
            if (!Double.isNaN(s.smClockMHz())) { clock += s.smClockMHz(); nClock++; }
            if (!Double.isNaN(s.powerW())) { power += s.powerW(); nPower++; }
            if (!Double.isNaN(s.powerLimitW())) { limit += s.powerLimitW(); nLimit++; }
            if (!Double.isNaN(s.linkBps())) { link += s.linkBps(); nLink++; }
        }

        RankWindow toWindow(int rank) {
            return new RankWindow(rank, host, gpu, rack, samples, avg(util, nUtil), avg(sm, nSm), avg(tensor, nTensor),
                    avg(clock, nClock), avg(power, nPower), avg(limit, nLimit), reasons, avg(link, nLink), steps,
                    steps == 0 ? Double.NaN : stepCost / steps);
        }

        private static double avg(double sum, int n) {
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    /** A job's open windows and what is known of it. */
    public static final class JobBuffer {
        public TreeMap<Long, HashMap<Integer, Acc>> windows = new TreeMap<>();
        public String cluster;
        public String jobId;
        public int worldSize;
        public long lastSeenTs = Long.MIN_VALUE;
        public long cleanupTimer = Long.MIN_VALUE;
        public long endedAt = Long.MIN_VALUE;
        /** How much longer than the watermark's allowance this job's windows stay open, learned from late signals. */
        public long waitMs;
        public long lastLateTs = Long.MIN_VALUE;
        /** The end of the newest window emitted: nothing may be added before it. */
        public long emittedUpTo = Long.MIN_VALUE;
    }

    /** Event time without a late signal after which a job's learned wait is dropped. */
    static final long WAIT_RESET_MS = 600_000;

    private final long windowMs;
    private final long jobTimeoutMs;
    private final long watermarkLagMs;
    private final long maxWaitMs;
    private transient ValueState<JobBuffer> state;
    private transient Counter lateDropped;
    private transient Counter lateStepsCarried;

    /**
     * @param watermarkLag  the watermark's allowance for out-of-order data: a window closes this long after its end
     * @param lateTolerance the most a job's windows wait, beyond that, for its late reporters
     */
    public JobWindowAggregator(Duration window, Duration jobTimeout, Duration watermarkLag, Duration lateTolerance) {
        this.windowMs = window.toMillis();
        this.jobTimeoutMs = jobTimeout.toMillis();
        this.watermarkLagMs = watermarkLag.toMillis();
        this.maxWaitMs = lateTolerance.toMillis();
    }

    /** The job's windows, written by {@link JobBufferSerializer} (tests restore state of the earlier serializer). */
    ValueStateDescriptor<JobBuffer> stateDescriptor() {
        return new ValueStateDescriptor<>("job-windows", new JobBufferSerializer());
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(stateDescriptor());
        lateDropped = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter("job_window_late_dropped");
        lateStepsCarried = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter("job_window_late_steps_carried");
    }

    @Override
    public void processElement(JobSignal s, Context ctx, Collector<JobWindow> out) throws Exception {
        JobBuffer b = state.value();
        if (b == null) {
            b = new JobBuffer();
            b.cluster = s.cluster();
            b.jobId = s.jobId();
        }
        long wm = ctx.timerService().currentWatermark();
        if (s.kind() == JobSignal.Kind.JOB) {
            if (s.jobKind() == JobEvent.Kind.END) {
                b.endedAt = s.ts();
                // Flush what came before the END, then say the job is gone, once the watermark passes it.
                ctx.timerService().registerEventTimeTimer(Math.max(s.ts(), wm + 1));
            } else {
                b.worldSize = s.ranks().size();
                b.endedAt = Long.MIN_VALUE;
            }
            touch(b, s.ts(), ctx);
            state.update(b);
            return;
        }
        if (b.endedAt != Long.MIN_VALUE && s.ts() >= b.endedAt) {
            return; // attribution that lags behind the END: the job no longer holds the GPU
        }
        long start = s.ts() - Math.floorMod(s.ts(), windowMs);
        if (b.lastLateTs != Long.MIN_VALUE && wm > b.lastLateTs + WAIT_RESET_MS) {
            b.waitMs = 0;
            b.lastLateTs = Long.MIN_VALUE;
        }
        if (start + windowMs - 1 + b.waitMs <= wm || b.emittedUpTo > start) {
            // Its window is gone: wait long enough for the next ones to take this reporter's signals.
            b.waitMs = Math.min(maxWaitMs, Math.max(b.waitMs, wm - (start + windowMs - 1) + 1));
            b.lastLateTs = wm;
            if (s.kind() != JobSignal.Kind.STEP) {
                lateDropped.inc();
                state.update(b);
                return;
            }
            start = firstOpenWindow(b, start, wm);
            lateStepsCarried.inc();
        }
        HashMap<Integer, Acc> window = b.windows.get(start);
        if (window == null) {
            window = new HashMap<>();
            b.windows.put(start, window);
            ctx.timerService().registerEventTimeTimer(start + windowMs - 1 + b.waitMs);
        }
        window.computeIfAbsent(s.rank(), r -> new Acc()).add(s);
        touch(b, s.ts(), ctx);
        state.update(b);
    }

    /** The start of the first window at or after {@code start} that is neither emitted nor due at {@code wm}. */
    private long firstOpenWindow(JobBuffer b, long start, long wm) {
        long open = Math.max(start, b.emittedUpTo);
        // Due when start + windowMs - 1 + waitMs <= wm: the first start past that, on a window boundary.
        long notDue = wm - windowMs + 2 - b.waitMs;
        notDue += Math.floorMod(-notDue, windowMs);
        return Math.max(open, notDue);
    }

    /** Keeps one cleanup timer per job, moved forward lazily (when it fires) rather than on every record. */
    private void touch(JobBuffer b, long ts, Context ctx) {
        b.lastSeenTs = Math.max(b.lastSeenTs, ts);
        if (b.cleanupTimer == Long.MIN_VALUE) {
            b.cleanupTimer = b.lastSeenTs + jobTimeoutMs;
            ctx.timerService().registerEventTimeTimer(b.cleanupTimer);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JobWindow> out) throws Exception {
        JobBuffer b = state.value();
        if (b == null) {
            return;
        }
        emitClosed(b, timestamp - b.waitMs, out);
        if (!b.windows.isEmpty()) {
            // The wait may have grown since the first window's timer was set.
            long due = b.windows.firstKey() + windowMs - 1 + b.waitMs;
            if (due > timestamp) ctx.timerService().registerEventTimeTimer(due);
        }
        if (b.endedAt != Long.MIN_VALUE && timestamp >= b.endedAt) {
            // The window the END falls in holds only what came before it: emit it, cut short.
            emitClosed(b, b.endedAt + windowMs, out);
            emitEnd(b, JobWindow.End.JOB_ENDED, timestamp, out, ctx);
            return;
        }
        if (timestamp == b.cleanupTimer) {
            if (b.lastSeenTs + jobTimeoutMs <= timestamp) {
                emitEnd(b, JobWindow.End.SILENT, timestamp, out, ctx);
                return;
            }
            b.cleanupTimer = b.lastSeenTs + jobTimeoutMs;
            ctx.timerService().registerEventTimeTimer(b.cleanupTimer);
        }
        state.update(b);
    }

    private void emitClosed(JobBuffer b, long watermark, Collector<JobWindow> out) {
        Iterator<Map.Entry<Long, HashMap<Integer, Acc>>> it = b.windows.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, HashMap<Integer, Acc>> e = it.next();
            long start = e.getKey();
            if (start + windowMs - 1 > watermark) {
                break;
            }
            List<RankWindow> ranks = new ArrayList<>(e.getValue().size());
            e.getValue().forEach((rank, acc) -> ranks.add(acc.toWindow(rank)));
            ranks.sort((x, y) -> Integer.compare(x.rank(), y.rank()));
            out.collect(new JobWindow(b.cluster, b.jobId, start, start + windowMs,
                    start + windowMs + watermarkLagMs + b.waitMs, b.worldSize, ranks, JobWindow.End.NONE));
            b.emittedUpTo = start + windowMs;
            it.remove();
        }
    }

    private void emitEnd(JobBuffer b, JobWindow.End end, long timestamp, Collector<JobWindow> out,
                         OnTimerContext ctx) throws Exception {
        b.windows.keySet().forEach(start -> ctx.timerService().deleteEventTimeTimer(start + windowMs - 1));
        if (b.cleanupTimer != Long.MIN_VALUE && b.cleanupTimer != timestamp) {
            ctx.timerService().deleteEventTimeTimer(b.cleanupTimer);
        }
        if (b.endedAt != Long.MIN_VALUE && b.endedAt != timestamp && b.endedAt > timestamp) {
            ctx.timerService().deleteEventTimeTimer(b.endedAt);
        }
        out.collect(new JobWindow(b.cluster, b.jobId, timestamp, timestamp, timestamp, b.worldSize, List.of(), end));
        state.clear();
    }
}
