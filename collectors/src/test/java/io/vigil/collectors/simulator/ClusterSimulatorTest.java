package io.vigil.collectors.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.OriginStamper;
import io.vigil.model.ClockEventReason;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ClusterSimulatorTest {

    static final long START = 1_790_000_000_000L;
    /** 2 rows x 2 racks x 2 hosts = 8 hosts, 64 GPUs, 2 jobs (2 hosts, 1 host), 2 CDUs. */
    static final SimulatorConfig CONFIG = new SimulatorConfig("sim", 2, 2, 2, 8, 2, 2, Duration.ofSeconds(1), 1, 7, "sim-1");

    static ClusterSimulator simulator(FaultScript script) {
        return new ClusterSimulator(CONFIG, script, new OriginStamper("sim-1", START), START);
    }

    static List<GpuSample> gpus(List<TelemetryRecord> step, Predicate<GpuSample> filter) {
        return step.stream().filter(GpuSample.class::isInstance).map(GpuSample.class::cast).filter(filter).toList();
    }

    @Test
    void topologyAndJobsAreConsistent() {
        ClusterSimulator sim = simulator(FaultScript.none());
        ClusterTopology t = sim.topology();
        assertThat(t.hosts()).hasSize(8);
        assertThat(t.racks()).hasSize(4);
        assertThat(t.cdus()).extracting(ClusterTopology.Cdu::racks).allSatisfy(r -> assertThat(r).hasSize(2));
        List<JobEvent> starts = sim.jobStarts();
        assertThat(starts).hasSize(2);
        assertThat(starts.get(0).ranks()).hasSize(16).extracting(JobEvent.RankAllocation::rank)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 16).boxed().toList());
    }

    @Test
    void everyRecordIsValidOneSamplePerDevicePerStepAndSequencesHaveNoGaps() {
        ClusterSimulator sim = simulator(FaultScript.demo(simulator(FaultScript.none()).topology()));
        TelemetryValidator validator = new TelemetryValidator(
                Clock.fixed(Instant.ofEpochMilli(START + 3_600_000), ZoneOffset.UTC), Duration.ofMinutes(5));
        List<Long> sequences = new ArrayList<>();
        sim.jobStarts().forEach(j -> sequences.add(j.origin().sequence()));
        for (int s = 0; s < 900; s++) {
            List<TelemetryRecord> step = sim.step();
            assertThat(step.stream().filter(GpuSample.class::isInstance).count()).isEqualTo(64);
            assertThat(step.stream().filter(PowerSample.class::isInstance).count()).isEqualTo(8 + 4);
            assertThat(step.stream().filter(CoolingSample.class::isInstance).count()).isEqualTo(4 + 2);
            for (TelemetryRecord r : step) {
                assertThat(validator.validate(r)).as("%s", r).isNull();
                assertThat(r.eventTimeMs()).isEqualTo(START + s * 1000L);
                sequences.add(r.origin().sequence());
            }
        }
        for (int i = 0; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(i);
        }
    }

    @Test
    void aHealthyClusterStaysInSpecThroughCheckpointPauses() {
        ClusterSimulator sim = simulator(FaultScript.none());
        boolean sawCheckpoint = false;
        for (int s = 0; s < 600; s++) {
            List<TelemetryRecord> step = sim.step();
            for (GpuSample g : gpus(step, x -> true)) {
                assertThat(g.gpuTempC()).isLessThan(g.slowdownTempC() - 8);
                assertThat(g.clockEventReasons() & ClockEventReason.THERMAL_MASK).isZero();
                assertThat(g.powerW()).isLessThanOrEqualTo(g.powerLimitW());
            }
            sawCheckpoint |= !gpus(step, g -> g.jobId() != null && g.gpuUtilPct() < 10).isEmpty();
        }
        assertThat(sawCheckpoint).isTrue();
    }

    @Test
    void aThermalRunawayHeatsOneGpuUntilItThrottlesAndPowerFollowsTheClock() {
        ClusterSimulator sim = simulator(FaultScript.none());
        String host = sim.topology().hosts().get(0).name();
        for (int s = 0; s < 30; s++) sim.step();
        sim.inject(new Fault.GpuThermalRunaway(host, 3));
        GpuSample last = null;
        int firstThrottle = -1;
        for (int s = 0; s < 120; s++) {
            List<TelemetryRecord> step = sim.step();
            last = gpus(step, g -> g.host().equals(host) && g.gpu() == 3).get(0);
            if (firstThrottle < 0 && (last.clockEventReasons() & ClockEventReason.THERMAL_MASK) != 0) {
                firstThrottle = s;
            }
            assertThat(gpus(step, g -> !(g.host().equals(host) && g.gpu() == 3)))
                    .allSatisfy(g -> assertThat(g.clockEventReasons() & ClockEventReason.THERMAL_MASK).isZero());
        }
        assertThat(firstThrottle).isBetween(5, 90);
        assertThat(last.gpuTempC()).isBetween(last.slowdownTempC() - 4, last.shutdownTempC());
        assertThat(last.smClockMHz()).isLessThan(1980.0);
        sim.clear(new Fault.GpuThermalRunaway(host, 3));
        for (int s = 0; s < 180; s++) last = gpus(sim.step(), g -> g.host().equals(host) && g.gpu() == 3).get(0);
        assertThat(last.clockEventReasons() & ClockEventReason.THERMAL_MASK).isZero();
        assertThat(last.gpuTempC()).isLessThan(last.slowdownTempC() - 10);
    }

    @Test
    void aStalledJobSpinsAtFullUtilisationAndIdlePowerExceptTheHungRank() {
        ClusterSimulator sim = simulator(FaultScript.none());
        sim.inject(new Fault.SyncStall("job-1"));
        List<TelemetryRecord> step = sim.step();
        List<GpuSample> ranks = gpus(step, g -> "job-1".equals(g.jobId()));
        assertThat(ranks).hasSize(16);
        GpuSample hung = ranks.stream().filter(g -> g.rank() == 0).findFirst().orElseThrow();
        assertThat(hung.gpuUtilPct()).isZero();
        assertThat(ranks).filteredOn(g -> g.rank() != 0).allSatisfy(g -> {
            assertThat(g.gpuUtilPct()).isGreaterThanOrEqualTo(99.0);
            assertThat(g.tensorActivePct()).isZero();
            assertThat(g.powerW()).isLessThan(150.0);
            assertThat(g.nvlinkTxBps()).isLessThan(1e9);
        });
        assertThat(gpus(step, g -> "job-2".equals(g.jobId()))).allSatisfy(g -> assertThat(g.rank()).isNotNull());
    }

    @Test
    void aStragglerRunsSlowerAndItsPeersWait() {
        ClusterSimulator sim = simulator(FaultScript.none());
        for (int s = 0; s < 40; s++) sim.step(); // past job-1's first checkpoint pause
        sim.inject(new Fault.Straggler("job-1", 5));
        List<GpuSample> ranks = gpus(sim.step(), g -> "job-1".equals(g.jobId()));
        GpuSample slow = ranks.stream().filter(g -> g.rank() == 5).findFirst().orElseThrow();
        assertThat(slow.smClockMHz()).isLessThan(1500.0);
        assertThat(ClockEventReason.HW_SLOWDOWN.isSetIn(slow.clockEventReasons())).isTrue();
        assertThat(ranks).filteredOn(g -> g.rank() != 5).allSatisfy(g -> {
            assertThat(g.smClockMHz()).isEqualTo(1980.0);
            assertThat(g.smActivePct()).isLessThan(slow.smActivePct());
        });
    }

    @Test
    void aCduFlowLossWarmsTheCoolantOfTheRacksItFeeds() {
        ClusterSimulator sim = simulator(FaultScript.none());
        String cdu = sim.topology().cdus().get(1).name();
        List<String> fed = sim.topology().cdus().get(1).racks();
        double before = 0;
        for (int s = 0; s < 60; s++) {
            before = gpus(sim.step(), g -> fed.contains(g.rack())).stream().mapToDouble(GpuSample::gpuTempC)
                    .average().orElseThrow();
        }
        sim.inject(new Fault.CduFlowLoss(cdu));
        List<TelemetryRecord> step = List.of();
        for (int s = 0; s < 120; s++) step = sim.step();
        CoolingSample lost = step.stream().filter(CoolingSample.class::isInstance).map(CoolingSample.class::cast)
                .filter(c -> c.device().equals(cdu)).findFirst().orElseThrow();
        CoolingSample ok = step.stream().filter(CoolingSample.class::isInstance).map(CoolingSample.class::cast)
                .filter(c -> c.source() == CoolingSample.Source.CDU && !c.device().equals(cdu)).findFirst().orElseThrow();
        assertThat(lost.flowLpm()).isLessThan(ok.flowLpm() / 2);
        assertThat(lost.supplyTempC()).isGreaterThan(ok.supplyTempC() + 15);
        double fedMean = gpus(step, g -> fed.contains(g.rack())).stream().mapToDouble(GpuSample::gpuTempC).average().orElseThrow();
        assertThat(fedMean).isGreaterThan(before + 15);
    }
}
