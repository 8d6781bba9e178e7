package io.vigil.detection.ingest;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.CoolingSample;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.RejectReason;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TelemetryRouterTest {

    @Test
    void aRecordBehindTheWatermarkByMoreThanTheToleranceIsDeadLetteredAsLateAndTheRestIsRoutedByKind()
            throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        try (OneInputStreamOperatorTestHarness<SourcedRecord, GpuSample> h = ProcessFunctionTestHarnesses
                .forProcessFunction(new TelemetryRouter(Topics.defaults(), clock, Duration.ofSeconds(3)))) {
            GpuSample onTime = healthy("h1", 0, T0 + 5000).build();
            GpuSample lateWithinTolerance = healthy("h2", 0, T0 + 4500).build();
            GpuSample late = healthy("h1", 1, T0 + 1000).build();
            h.processElement(in(onTime), onTime.ts());
            h.processWatermark(T0 + 5000);
            h.processElement(in(lateWithinTolerance), lateWithinTolerance.ts());
            h.processElement(in(late), late.ts());
            h.processElement(in(new CoolingSample(T0 + 6000, "test", "A", "A01", CoolingSample.Source.RACK_AIR, "air",
                    null, null, null, null, null, 24.0, 30.0, null, null, null)), T0 + 6000);
            // A job event behind the watermark is still routed: it is a control record, not a measurement.
            h.processElement(in(new JobEvent(T0 + 1000, "test", "job-1", JobEvent.Kind.END, null, null, List.of(),
                    null)), T0 + 1000);
            assertThat(h.extractOutputValues()).containsExactly(onTime, lateWithinTolerance);
            List<DeadLetter> dead = h.getSideOutput(TelemetryRouter.LATE).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo(RejectReason.LATE);
                assertThat(d.detail()).contains("4000 ms behind the watermark");
                assertThat(d.payload()).isEqualTo(new String(WireFormat.encode(late)));
                assertThat(d.sourceTopic()).isEqualTo("vigil.telemetry.gpu");
            });
            assertThat(h.getSideOutput(TelemetryRouter.COOLING)).hasSize(1);
            // The two rank samples judged, and the END.
            assertThat(h.getSideOutput(TelemetryRouter.JOB_SIGNALS)).hasSize(3);
        }
    }

    @Test
    void aBmcsGpuSamplesGoToTheArbiterAndSingleSuppliesAreStoredButNotJudged() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        try (OneInputStreamOperatorTestHarness<SourcedRecord, GpuSample> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new TelemetryRouter(Topics.defaults(), clock,
                             Duration.ofSeconds(30)))) {
            GpuSample inBand = healthy("h1", 0, T0).source(GpuSample.Source.DCGM).build();
            GpuSample bmc = healthy("h1", 0, T0).source(GpuSample.Source.REDFISH).build();
            h.processElement(in(inBand), T0);
            h.processElement(in(bmc), T0);
            io.vigil.model.PowerSample shelf = new io.vigil.model.PowerSample(T0, "test", "C", "R12", null,
                    io.vigil.model.PowerSample.Source.POWER_SHELF, "shelf", 17650.0, 33000.0, null, null);
            io.vigil.model.PowerSample psu = new io.vigil.model.PowerSample(T0, "test", "C", "R12", null,
                    io.vigil.model.PowerSample.Source.PSU, "shelf/PSU_0", 5400.0, 5500.0, null, null, 5100.0, 230.0, 94.4);
            h.processElement(in(shelf), T0);
            h.processElement(in(psu), T0);
            assertThat(h.extractOutputValues()).containsExactly(inBand);
            assertThat(h.getSideOutput(TelemetryRouter.BMC_GPU)).extracting(StreamRecord::getValue).containsExactly(bmc);
            assertThat(h.getSideOutput(TelemetryRouter.GPU_PRESENCE)).singleElement()
                    .satisfies(p -> assertThat(p.getValue().key).isEqualTo(GpuPresence.keyOf("test", inBand.uuid())));
            // Presence is thinned: the same GPU a second later sends none; ten seconds later, one.
            h.processElement(in(healthy("h1", 0, T0 + 1000).source(GpuSample.Source.DCGM).build()), T0 + 1000);
            h.processElement(in(healthy("h1", 0, T0 + 10_000).source(GpuSample.Source.DCGM).build()), T0 + 10_000);
            assertThat(h.getSideOutput(TelemetryRouter.GPU_PRESENCE)).hasSize(2);
            // A BMC sample without a UUID cannot meet its in-band twin: stored, not judged.
            h.processElement(in(healthy("h1", 1, T0).source(GpuSample.Source.REDFISH).uuid(null).build()), T0);
            assertThat(h.getSideOutput(TelemetryRouter.BMC_GPU)).hasSize(1);
            assertThat(h.getSideOutput(TelemetryRouter.JOB_SIGNALS)).hasSize(3);
            assertThat(h.getSideOutput(TelemetryRouter.POWER)).extracting(StreamRecord::getValue).containsExactly(shelf);
        }
    }

    static SourcedRecord in(TelemetryRecord r) {
        return in(r, r instanceof GpuSample ? 0 : 1);
    }

    static SourcedRecord in(TelemetryRecord r, int partition) {
        return new SourcedRecord(r, Topics.defaults().topicFor(r.schema()), partition);
    }

    @Test
    void lateRecordsAreCountedPerSourceSoABacklogThatWasNotJudgedIsSeenOnMetrics() throws Exception {
        java.util.Map<String, org.apache.flink.metrics.Counter> bySource = new java.util.HashMap<>();
        org.apache.flink.runtime.metrics.util.TestingMetricRegistry registry =
                org.apache.flink.runtime.metrics.util.TestingMetricRegistry.builder()
                        .setRegisterConsumer((metric, name, group) -> {
                            String source = group.getAllVariables().get("<source>");
                            if (source != null && name.equals("rejected_late_by_source")) {
                                bySource.put(source, (org.apache.flink.metrics.Counter) metric);
                            }
                        }).build();
        org.apache.flink.runtime.metrics.groups.TaskMetricGroup task =
                org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup.createTaskManagerMetricGroup(registry,
                        "localhost", org.apache.flink.runtime.clusterframework.types.ResourceID.generate())
                        .addJob(new org.apache.flink.api.common.JobID(), "detection")
                        .addTask(org.apache.flink.runtime.executiongraph.ExecutionAttemptID.randomId(), "route");
        org.apache.flink.runtime.operators.testutils.MockEnvironment env =
                new org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder().setMetricGroup(task).build();
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        try (OneInputStreamOperatorTestHarness<SourcedRecord, GpuSample> h = new OneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.ProcessOperator<>(
                        new TelemetryRouter(Topics.defaults(), clock, Duration.ofSeconds(3))), env)) {
            h.open();
            h.processWatermark(T0 + 60_000);
            // Collector a's backlog, a minute behind; one late record of collector b.
            for (int i = 0; i < 5; i++) {
                GpuSample s = healthy("h1", i, T0 + i * 1000L).origin(new io.vigil.model.Origin("a", 0, i)).build();
                h.processElement(in(s), s.ts());
            }
            GpuSample b = healthy("h2", 0, T0).origin(new io.vigil.model.Origin("b", 0, 1)).build();
            h.processElement(in(b), b.ts());
        }
        assertThat(bySource).containsOnlyKeys("a", "b");
        assertThat(bySource.get("a").getCount()).isEqualTo(5);
        assertThat(bySource.get("b").getCount()).isEqualTo(1);
    }
}
