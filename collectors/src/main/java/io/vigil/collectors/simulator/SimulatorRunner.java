package io.vigil.collectors.simulator;

import io.vigil.collectors.DaemonThreads;
import io.vigil.collectors.TelemetrySink;
import io.vigil.model.TelemetryRecord;
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
 */
public final class SimulatorRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorRunner.class);

    private final ClusterSimulator simulator;
    private final TelemetrySink sink;
    private final long periodMicros;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vigil-simulator"));
    private final AtomicLong records = new AtomicLong();
    private volatile List<String> lastFaults = List.of();

    public SimulatorRunner(ClusterSimulator simulator, SimulatorConfig config, TelemetrySink sink) {
        this.simulator = simulator;
        this.sink = sink;
        this.periodMicros = Math.max(1000, (long) (config.interval().toNanos() / 1000 / config.speed()));
    }

    public void start() {
        simulator.jobStarts().forEach(sink::publish);
        executor.scheduleAtFixedRate(this::tick, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void tick() {
        try {
            List<String> faults = simulator.activeFaults().stream().map(Fault::describe).sorted().toList();
            if (!faults.equals(lastFaults)) {
                faults.stream().filter(f -> !lastFaults.contains(f)).forEach(f -> LOG.info("Simulator: fault starts: {}", f));
                lastFaults.stream().filter(f -> !faults.contains(f)).forEach(f -> LOG.info("Simulator: fault ends: {}", f));
                lastFaults = faults;
            }
            for (TelemetryRecord r : simulator.step()) {
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

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.flush();
    }
}
