package io.vigil.evaluation.scorecard;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.simulator.ClusterSimulator;
import io.vigil.collectors.simulator.Fault;
import io.vigil.collectors.simulator.FaultScript;
import io.vigil.collectors.simulator.ScheduledFault;
import io.vigil.evaluation.field.FieldFleet;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The telemetry of all scenarios at once, in arrival order: each scenario is its own simulated cluster (named after
 * it), all start at {@link #T0}, and their records interleave as they would on a shared Kafka topic. Disturbances
 * are applied between the simulator and the job. Deterministic: the same suite gives the same records, so the
 * scorecard (and the baseline beside it) sees exactly the same input on every run.
 */
public final class ScenarioFeed implements Iterator<TelemetryRecord> {

    public static final long T0 = 1_790_000_000_000L;

    private final List<Run> runs = new ArrayList<>();
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private final long steps;
    private long step;
    private long seq;

    private record Pending(long arrival, long seq, TelemetryRecord record) implements Comparable<Pending> {
        public int compareTo(Pending o) {
            int c = Long.compare(arrival, o.arrival);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** One scenario's simulator, its random disturbances and which of its jobs run. */
    private static final class Run {
        final Scenario scenario;
        final ClusterSimulator sim;
        final FieldFleet field;
        final Random random;
        final OriginStamper stamper;
        Set<String> notRunning = Set.of();

        Run(Scenario scenario, long seed) {
            this.scenario = scenario;
            this.stamper = new OriginStamper("scorecard-" + scenario.name(), 0);
            if (scenario.field() != null) {
                this.sim = null;
                this.field = new FieldFleet(scenario.name(), scenario.field(), T0, seed)
                        .lengthSeconds((int) scenario.length().toSeconds());
            } else {
                this.field = null;
                this.sim = new ClusterSimulator(scenario.cluster(seed),
                        new FaultScript(scenario.faults()), stamper, T0).withStepEvents(scenario.stepEvents());
            }
            this.random = new Random(seed * 31 + 7);
        }
    }

    public ScenarioFeed(List<Scenario> scenarios) {
        long longest = 0;
        long seed = 1;
        for (Scenario s : scenarios) {
            // A generated scenario's telemetry follows from its name alone, so that it can be rerun by itself; the
            // fixed suite's from its place in the suite.
            long runSeed = GeneratedSuite.isGenerated(s) ? s.name().hashCode() : seed;
            seed++;
            runs.add(new Run(s, runSeed));
            longest = Math.max(longest, s.length().toSeconds());
        }
        this.steps = longest;
    }

    /** How many records the feed yields (runs the whole simulation once). */
    public static long count(List<Scenario> scenarios) {
        ScenarioFeed f = new ScenarioFeed(scenarios);
        long n = 0;
        while (f.hasNext()) {
            f.next();
            n++;
        }
        return n;
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty() || (step < steps && pending.peek().arrival() >= T0 + step * 1000)) {
            if (step >= steps) {
                return !pending.isEmpty();
            }
            advance();
        }
        return true;
    }

    @Override
    public TelemetryRecord next() {
        if (!hasNext()) throw new NoSuchElementException();
        return pending.poll().record();
    }

    /** Every GPU sample as it left the simulator, after disturbance (for the baseline rules). */
    public static void forEachGpuSample(List<Scenario> scenarios, Consumer<GpuSample> action) {
        ScenarioFeed f = new ScenarioFeed(scenarios);
        while (f.hasNext()) {
            if (f.next() instanceof GpuSample g) action.accept(g);
        }
    }

    private void advance() {
        long now = T0 + step * 1000;
        Duration elapsed = Duration.ofSeconds(step);
        for (Run run : runs) {
            if (step >= run.scenario.length().toSeconds()) continue;
            if (run.field != null) {
                for (FieldFleet.Delivery d : run.field.step((int) step)) queue(d.record(), d.arrivalMs());
                continue;
            }
            jobEvents(run, elapsed, now);
            for (TelemetryRecord r : run.sim.step()) {
                disturb(run, r, now);
            }
        }
        step++;
    }

    /** Job START and END events, as the scheduler would publish them, when a job begins or stops running. */
    private void jobEvents(Run run, Duration elapsed, long now) {
        Set<String> notRunning = new java.util.HashSet<>();
        for (ScheduledFault f : run.scenario.faults()) {
            if (f.fault() instanceof Fault.JobNotRunning j && f.activeAt(elapsed)) notRunning.add(j.jobId());
        }
        for (JobEvent start : run.sim.jobStarts()) {
            boolean runsNow = !notRunning.contains(start.jobId());
            boolean ranBefore = step > 0 && !run.notRunning.contains(start.jobId());
            if (runsNow && !ranBefore) {
                queue(new JobEvent(now, start.cluster(), start.jobId(), JobEvent.Kind.START, start.name(),
                        start.team(), start.ranks(), run.stamper.next()), now);
            } else if (!runsNow && ranBefore) {
                queue(new JobEvent(now, start.cluster(), start.jobId(), JobEvent.Kind.END, start.name(),
                        start.team(), List.of(), run.stamper.next()), now);
            }
        }
        run.notRunning = notRunning;
    }

    private void disturb(Run run, TelemetryRecord r, long now) {
        Scenario.Disturbance d = run.scenario.disturbance();
        Random rnd = run.random;
        long arrival = now;
        if (r instanceof GpuSample g) {
            if (d.dropFraction() > 0 && rnd.nextDouble() < d.dropFraction()) return;
            if (d.gapsEveryS() > 0) {
                // One GPU (changing every period) misses 5 samples in a row each period.
                long period = step / d.gapsEveryS();
                int victim = (int) (period * 7 % 128);
                int index = hostIndex(g.host()) * 8 + g.gpu();
                if (index == victim && step % d.gapsEveryS() < 5) return;
            }
            GpuSample.Builder b = g.toBuilder();
            if (d.noise() && g.gpuTempC() != null) {
                b.gpuTempC(round(g.gpuTempC() + rnd.nextGaussian() * 1.5 + (rnd.nextDouble() < 0.005 ? 12 : 0)));
                b.powerW(round(Math.max(0, g.powerW() + rnd.nextGaussian() * 25)));
                b.smClockMHz(round(Math.max(0, g.smClockMHz() + rnd.nextGaussian() * 25
                        - (rnd.nextDouble() < 0.005 ? 500 : 0))));
                b.smActivePct(round(clamp(g.smActivePct() + rnd.nextGaussian() * 3)));
                b.tensorActivePct(round(clamp(g.tensorActivePct() + rnd.nextGaussian() * 3)));
                b.gpuUtilPct(round(clamp(g.gpuUtilPct() + rnd.nextGaussian() * 2)));
            }
            Long skew = d.skewMs().get(g.host());
            if (skew != null) b.ts(g.ts() + skew);
            r = b.build();
        } else if (r instanceof StepEvent e && d.skewMs().containsKey(e.host())) {
            long skew = d.skewMs().get(e.host());
            r = new StepEvent(e.cluster(), e.jobId(), e.rank(), e.step(), e.startTs() + skew, e.endTs() + skew,
                    e.computeMs(), e.commMs(), e.host(), e.gpu(), e.origin());
        }
        if (d.maxDelayMs() > 0) arrival += (long) (rnd.nextDouble() * d.maxDelayMs());
        queue(r, arrival);
    }

    private void queue(TelemetryRecord r, long arrival) {
        pending.add(new Pending(arrival, seq++, r));
    }

    /** Index of a host in the scorecard topology: rack A0k, host nj → (k-1)*4 + (j-1). */
    private static int hostIndex(String host) {
        return (host.charAt(2) - '1') * 4 + (host.charAt(host.length() - 1) - '1');
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(100, v));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
