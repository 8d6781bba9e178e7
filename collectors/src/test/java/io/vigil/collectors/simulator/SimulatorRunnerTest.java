package io.vigil.collectors.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.TelemetrySink;
import io.vigil.model.TelemetryRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorRunnerTest {

    static final long NOW = 1_790_000_000_000L;

    static SimulatorConfig config(double speed) {
        return new SimulatorConfig("sim", 1, 1, 2, 8, 1, 1, Duration.ofSeconds(1), speed, 7, "sim-1");
    }

    @Test
    void realTimeOrSlowerStartsNowAndFasterStartsInThePastButAtMostNinetySecondsBack() {
        FaultScript demo = FaultScript.demo(ClusterTopology.build(ClusterSimulatorTest.CONFIG));
        long scriptEndMs = demo.faults().stream().mapToLong(f -> f.at().plus(f.duration()).toMillis()).max().orElseThrow();
        assertThat(scriptEndMs).isGreaterThan(Duration.ofMinutes(10).toMillis());

        assertThat(SimulatorRunner.startMs(NOW, 1, demo)).isEqualTo(NOW);
        assertThat(SimulatorRunner.startMs(NOW, 0.5, demo)).isEqualTo(NOW);
        // Barely faster: the script's span, played at x1.1, reaches the clock from 1/11 of it back.
        assertThat(SimulatorRunner.startMs(NOW, 1.1, FaultScript.none()))
                .isEqualTo(NOW - Math.round(Duration.ofMinutes(10).toMillis() * (1 - 1 / 1.1)));
        // Faster: never further back than the dashboard's views reach.
        assertThat(SimulatorRunner.startMs(NOW, 2, demo)).isEqualTo(NOW - 90_000);
        assertThat(SimulatorRunner.startMs(NOW, 10, FaultScript.none())).isEqualTo(NOW - 90_000);
    }

    @Test
    void fasterThanRealTimeCatchesUpWithTheClockThenFollowsItAndNeverStampsAheadOfIt() {
        SimulatorConfig config = config(10);
        MutableClock clock = new MutableClock(NOW);
        long start = SimulatorRunner.startMs(NOW, config.speed(), FaultScript.none());
        ClusterSimulator simulator = new ClusterSimulator(config, FaultScript.none(), new OriginStamper("sim-1", NOW), start);
        List<TelemetryRecord> published = new ArrayList<>();
        SimulatorRunner runner = new SimulatorRunner(simulator, config, new ListSink(published), clock);

        // Catching up: every tick a step, stamped in the past, while the clock stands still (90 steps).
        for (int i = 0; i < 1000 && !runner.caughtUp(); i++) {
            runner.tick();
        }
        assertThat(runner.caughtUp()).isTrue();
        long lastStamp = published.stream().mapToLong(TelemetryRecord::eventTimeMs).max().orElseThrow();
        assertThat(lastStamp).isEqualTo(NOW); // the step at the clock included
        assertThat(published).allSatisfy(r -> assertThat(r.eventTimeMs()).isBetween(start, NOW));

        // Caught up: ticks between clock seconds publish nothing; each second of the clock, one step.
        int before = published.size();
        for (int i = 0; i < 9; i++) {
            runner.tick();
        }
        assertThat(published).hasSize(before);
        clock.advance(1000);
        for (int i = 0; i < 10; i++) {
            runner.tick();
        }
        assertThat(published.subList(before, published.size())).isNotEmpty()
                .allSatisfy(r -> assertThat(r.eventTimeMs()).isEqualTo(NOW + 1000));
    }

    @Test
    void realTimeNeverWaits() {
        SimulatorConfig config = config(1);
        MutableClock clock = new MutableClock(NOW);
        ClusterSimulator simulator = new ClusterSimulator(config, FaultScript.none(), new OriginStamper("sim-1", NOW), NOW);
        List<TelemetryRecord> published = new ArrayList<>();
        SimulatorRunner runner = new SimulatorRunner(simulator, config, new ListSink(published), clock);
        for (int s = 0; s < 5; s++) {
            // A tick firing a few milliseconds before its step's stamp still publishes it.
            clock.set(NOW + s * 1000L - 3);
            int before = published.size();
            runner.tick();
            assertThat(published.size()).as("step %d", s).isGreaterThan(before);
        }
        assertThat(runner.caughtUp()).isFalse();
    }

    static final class MutableClock extends Clock {
        private long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void advance(long ms) {
            millis += ms;
        }

        void set(long ms) {
            millis = ms;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    record ListSink(List<TelemetryRecord> records) implements TelemetrySink {
        @Override
        public void publish(TelemetryRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
