package io.vigil.collectors.simulator;

import io.vigil.collectors.DaemonThreads;
import io.vigil.collectors.TelemetrySink;
import io.vigil.model.TelemetryRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ClusterSimulator} in the background, one step per interval divided by the configured speed, and
 * hands every record to a sink. Logs each fault as it starts and ends.
 *
 * <p>Simulated time never runs ahead of the collector's clock: a step stamped later than that clock waits for it.
 * Stamps ahead of the clock would be refused downstream ({@code FUTURE_TIMESTAMP}), so a faster-than-real-time run
 * starts in the past ({@link #startMs}) and, once it has caught up with the clock, goes on in real time.
 */
public final class SimulatorRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorRunner.class);

    private final ClusterSimulator simulator;
    private final TelemetrySink sink;
    private final long periodMicros;
    private final long intervalMs;
    private final Clock clock;
    private volatile boolean caughtUp;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vigil-simulator"));
    private final AtomicLong records = new AtomicLong();
    private volatile List<String> lastFaults = List.of();

    public SimulatorRunner(ClusterSimulator simulator, SimulatorConfig config, TelemetrySink sink) {
        this(simulator, config, sink, Clock.systemUTC());
    }

    /** @param clock the collector's clock: no step is stamped later than it (plus half an interval) */
    public SimulatorRunner(ClusterSimulator simulator, SimulatorConfig config, TelemetrySink sink, Clock clock) {
        this.simulator = simulator;
        this.sink = sink;
        this.clock = clock;
        this.intervalMs = config.interval().toMillis();
        this.periodMicros = Math.max(1000, (long) (config.interval().toNanos() / 1000 / config.speed()));
    }

    /** How far in the past a faster-than-real-time run starts at most: inside the dashboard's 2-minute views. */
    public static final Duration MAX_HEAD_START = Duration.ofSeconds(90);

    /**
     * Where simulated time starts for a run at {@code speed}: at {@code nowMs} for real time or slower; faster, in
     * the past, so far that it would reach the clock as the fault script ends (at least ten simulated minutes on),
     * but at most {@link #MAX_HEAD_START} back, so that what it sends is never older than the dashboard shows.
     */
    public static long startMs(long nowMs, double speed, FaultScript script) {
        if (speed <= 1) {
            return nowMs;
        }
        Duration window = script.faults().stream().map(f -> f.at().plus(f.duration()))
                .max(Duration::compareTo).orElse(Duration.ZERO);
        long windowMs = Math.max(window.toMillis(), Duration.ofMinutes(10).toMillis());
        return nowMs - Math.min((long) (windowMs * (1 - 1 / speed)), MAX_HEAD_START.toMillis());
    }

    /** Whether simulated time has reached the clock (from then on it runs in real time). */
    public boolean caughtUp() {
        return caughtUp;
    }

    public void start() {
        simulator.jobStarts().forEach(sink::publish);
        executor.scheduleAtFixedRate(this::tick, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** One scheduled tick: one step, unless that step's time is still ahead of the clock. Package-private for tests. */
    void tick() {
        try {
            // Half an interval of slack: at real time a tick may fire a few milliseconds before its step's stamp.
            if (simulator.nextTimestampMs() > clock.millis() + intervalMs / 2) {
                if (!caughtUp) {
                    caughtUp = true;
                    LOG.info("Simulator: simulated time has caught up with the clock, real time from now on");
                }
                return;
            }
            List<String> faults = simulator.activeFaults().stream().map(Fault::describe).sorted().toList();
            if (!faults.equals(lastFaults)) {
                faults.stream().filter(f -> !lastFaults.contains(f)).forEach(f -> LOG.info("Simulator: fault starts: {}", f));
                lastFaults.stream().filter(f -> !faults.contains(f)).forEach(f -> LOG.info("Simulator: fault ends: {}", f));
                lastFaults = faults;
            }
            for (TelemetryRecord r : simulator.step()) {
                // Closing: a step of a large site can outlast the wait in close(), and the publisher is closed next.
                if (closing) return;
                sink.publish(r);
                records.incrementAndGet();
            }
        } catch (RuntimeException e) {
            // A failed step must not end the schedule: log and carry on with the next one.
            LOG.error("Simulator step failed", e);
        }
    }

    public long recordsPublished() {
        return records.get();
    }

    /** The simulator's figures for its {@code /metrics}; safe to call from any thread. */
    public io.vigil.model.metrics.PrometheusText metrics() {
        var m = new io.vigil.model.metrics.PrometheusText();
        m.counter("vigil_simulator_records_published_total", "Records handed to the publisher (GPU, power, "
                + "cooling, job and step records).", records.get());
        m.gauge("vigil_simulator_active_faults", "Faults the simulation is running now (scripted or injected).",
                lastFaults.size());
        m.gauge("vigil_simulator_caught_up", "1 once simulated time has reached the clock (real time from then).",
                caughtUp ? 1 : 0);
        m.gauge("vigil_simulator_behind_seconds", "How far the next simulated step is behind the clock.",
                Math.max(0, clock.millis() - simulator.nextTimestampMs()) / 1000.0);
        return io.vigil.model.metrics.JvmMetrics.addTo(m);
    }

    /** Set by {@link #close()}: a step under way stops publishing. */
    private volatile boolean closing;

    @Override
    public void close() {
        closing = true;
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.flush();
    }
}
