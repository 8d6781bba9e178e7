package io.vigil.detection.incident;

import static io.vigil.testsupport.GpuSamples.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.alert.Alerts;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.Origin;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IncidentCorrelatorTest {

    KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, AlertEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new IncidentCorrelator(Duration.ofMinutes(5)),
                a -> a.labels().get("cluster"), Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static AlertEvent alert(AlertType type, AlertEvent.State state, int startS, int atS, Map<String, String> identity,
                            Map<String, String> extra, String summary) {
        return Alerts.event(type, AlertEvent.Severity.WARNING, state, identity, extra, T0 + startS * 1000L,
                state == AlertEvent.State.RESOLVED ? T0 + atS * 1000L : null, T0 + atS * 1000L, summary, Map.of(),
                new Origin("test", 0, atS));
    }

    static AlertEvent cdu(AlertEvent.State state, int at) {
        return alert(AlertType.COOLING, state, 10, at, Alerts.labels("cluster", "c", "device", "CDU-3"),
                Alerts.labels("racks", "A05,A06", "scope", "facility"), "CDU-3 flow loss");
    }

    static AlertEvent gpuHot(String rack, String host, String gpu, String job, String rank, int at) {
        return alert(AlertType.THERMAL, AlertEvent.State.FIRING, at - 3, at,
                Alerts.labels("cluster", "c", "host", host, "gpu", gpu),
                Alerts.labels("rack", rack, "job", job, "rank", rank, "scope", "gpu"), "hot");
    }

    static AlertEvent straggler(String rack, String host, String gpu, String job, String rank, int at) {
        return alert(AlertType.STRAGGLER, AlertEvent.State.FIRING, at - 3, at,
                Alerts.labels("cluster", "c", "job", job, "rank", rank),
                Alerts.labels("host", host, "gpu", gpu, "rack", rack, "scope", "rank"), "slow");
    }

    static AlertEvent hostSilent(String host, String collector, int at) {
        return alert(AlertType.SILENT, AlertEvent.State.FIRING, at - 15, at, Alerts.labels("cluster", "c", "host", host),
                Alerts.labels("rack", "A01", "scope", "host", "collector", collector), "host " + host + " silent");
    }

    static AlertEvent trayLeak(String rack, int at) {
        return alert(AlertType.LEAK, AlertEvent.State.FIRING, at, at,
                Alerts.labels("cluster", "c", "device", "n1/Compute_Tray_0"),
                Alerts.labels("rack", rack, "source", "CHASSIS", "scope", "facility"), "leak");
    }

    @Test
    void aLeakPagesEvenOnARackWhoseCduIsAlreadyAnIncidentAndWhatItCausesAttachesToIt() throws Exception {
        feed(cdu(AlertEvent.State.FIRING, 12));
        feed(trayLeak("A05", 20));
        feed(gpuHot("A05", "A05-n1", "3", "job-2", "5", 30));
        List<AlertEvent> out = out();
        // The leak's page is updated once the GPU's job is known to be affected.
        assertThat(out).extracting(AlertEvent::type).containsExactly(AlertType.COOLING, AlertType.LEAK,
                AlertType.THERMAL, AlertType.LEAK);
        assertThat(out.get(3).summary()).contains("affects job-2");
        AlertEvent leak = out.get(1);
        assertThat(leak.labels()).containsEntry("root", "true").containsEntry("incident", leak.fingerprint());
        // The GPU heating on the leak's rack belongs to the leak, the narrower cause, not to the CDU's loop.
        assertThat(out.get(2).labels()).containsEntry("root", "false").containsEntry("incident", leak.fingerprint());
    }

    @Test
    void aCduLosingFlowAfterALeakOnARackItFeedsAttachesToTheLeak() throws Exception {
        feed(trayLeak("A06", 5));
        feed(cdu(AlertEvent.State.FIRING, 12));
        List<AlertEvent> out = out();
        assertThat(out).extracting(AlertEvent::type).containsExactly(AlertType.LEAK, AlertType.COOLING);
        assertThat(out.get(1).labels()).containsEntry("root", "false")
                .containsEntry("incident", out.get(0).fingerprint());
    }

    long fedUpTo = Long.MIN_VALUE;

    void feed(AlertEvent a) throws Exception {
        feed(a, a.eventTimeMs());
    }

    /** An alert the detectors emitted at {@code detectedMs} (the record's timestamp). */
    void feed(AlertEvent a, long detectedMs) throws Exception {
        h.processElement(a, detectedMs);
        fedUpTo = Math.max(fedUpTo, detectedMs);
    }

    /** What left, once the watermark has passed everything fed. */
    List<AlertEvent> out() throws Exception {
        if (fedUpTo != Long.MIN_VALUE) h.processWatermark(new Watermark(fedUpTo));
        return h.extractOutputValues();
    }

    @Test
    void hostsFallingSilentThroughOneCollectorAreOnePageAndAnotherCollectorsAreAnother() throws Exception {
        // Seen after a Kafka outage: every host of the collector whose spool drained last fell silent to the
        // detectors, and each paged on its own.
        for (int i = 0; i < 20; i++) feed(hostSilent("A01-n" + i, "simulator-1", 30 + i % 3));
        feed(hostSilent("B01-n1", "simulator-2", 32));
        feed(hostSilent("B01-n2", "simulator-2", 33));
        List<AlertEvent> out = out();
        assertThat(out).filteredOn(a -> "true".equals(a.labels().get("root")))
                .extracting(a -> a.labels().get("collector")).containsExactlyInAnyOrder("simulator-1", "simulator-2");
        assertThat(out).filteredOn(a -> a.state() == AlertEvent.State.FIRING).hasSize(22);
    }

    @Test
    void silentHostsWithoutACollectorLabelStillPageEach() throws Exception {
        feed(alert(AlertType.SILENT, AlertEvent.State.FIRING, 15, 30, Alerts.labels("cluster", "c", "host", "h1"),
                Alerts.labels("scope", "host"), "h1 silent"));
        feed(alert(AlertType.SILENT, AlertEvent.State.FIRING, 15, 30, Alerts.labels("cluster", "c", "host", "h2"),
                Alerts.labels("scope", "host"), "h2 silent"));
        assertThat(out()).extracting(a -> a.labels().get("root")).containsExactly("true", "true");
    }

    @Test
    void nothingLeavesBeforeTheWatermarkPassesIt() throws Exception {
        feed(gpuHot("A01", "A01-n2", "3", "job-1", "11", 20));
        h.processWatermark(new Watermark(T0 + 16_000));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(new Watermark(T0 + 17_000));
        assertThat(h.extractOutputValues()).singleElement()
                .satisfies(a -> assertThat(a.labels()).containsEntry("root", "true"));
    }

    @Test
    void aConsequenceArrivingBeforeItsCauseIsStillAttachedToIt() throws Exception {
        // The straggler began 20 s after the GPU overheated, but the straggler detector's output got here first.
        feed(straggler("A01", "A01-n2", "3", "job-1", "11", 43), T0 + 45_000);
        feed(gpuHot("A01", "A01-n2", "3", "job-1", "11", 23), T0 + 25_000);
        assertThat(out()).extracting(a -> a.type() + ":" + a.labels().get("root"))
                .containsExactly("THERMAL:true", "STRAGGLER:false");
    }

    @Test
    void aCauseDetectedAfterItsConsequenceAttachesItWithinTheHold() throws Exception {
        h.close();
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new IncidentCorrelator(Duration.ofMinutes(5), Duration.ofSeconds(10)), a -> a.labels().get("cluster"),
                Types.STRING);
        // The GPU's heat was detected at 30 s, the CDU that caused it (failing since 10 s) only at 36 s.
        feed(gpuHot("A05", "A05-n1", "3", "job-2", "3", 30), T0 + 30_000);
        h.processWatermark(new Watermark(T0 + 35_000));
        assertThat(h.extractOutputValues()).isEmpty();
        feed(cdu(AlertEvent.State.FIRING, 36), T0 + 36_000);
        h.processWatermark(new Watermark(T0 + 46_000));
        assertThat(h.extractOutputValues()).extracting(a -> a.type() + ":" + a.labels().get("root"))
                .containsExactly("COOLING:true", "THERMAL:false", "COOLING:true");
    }

    @Test
    void withoutAHoldACauseDetectedAfterItsConsequenceIsLate() throws Exception {
        feed(gpuHot("A05", "A05-n1", "3", "job-2", "3", 30), T0 + 30_000);
        h.processWatermark(new Watermark(T0 + 35_000));
        feed(cdu(AlertEvent.State.FIRING, 36), T0 + 36_000);
        h.processWatermark(new Watermark(T0 + 46_000));
        assertThat(h.extractOutputValues()).extracting(a -> a.type() + ":" + a.labels().get("root"))
                .containsExactly("THERMAL:true", "COOLING:true");
    }

    @Test
    void aCduFlowLossAndWhatFollowsOnItsRacksAreOneIncidentListingTheJobs() throws Exception {
        feed(cdu(AlertEvent.State.FIRING, 13));
        feed(gpuHot("A05", "A05-n1", "3", "job-2", "3", 40));
        feed(gpuHot("A06", "A06-n2", "1", "job-3", "9", 41));
        feed(gpuHot("A06", "A06-n2", "2", "job-3", "10", 42));
        // A straggler in a job elsewhere, but on a GPU already attached: joins through the child.
        feed(straggler(null, "A05-n1", "3", "job-2", "3", 50));
        // Unrelated: a GPU on another rack is its own root cause.
        feed(gpuHot("A01", "A01-n1", "0", "job-1", "0", 55));

        List<AlertEvent> roots = out().stream().filter(a -> "true".equals(a.labels().get("root"))
                && a.state() == AlertEvent.State.FIRING).toList();
        String incident = out().get(0).fingerprint();
        assertThat(roots.stream().map(a -> a.fingerprint() + " " + a.startsAt()).distinct()).hasSize(2);
        assertThat(out()).filteredOn(a -> "false".equals(a.labels().get("root")))
                .hasSize(4).allSatisfy(a -> assertThat(a.labels()).containsEntry("incident", incident));
        // The root was sent again as the incident reached job-2, then job-3.
        List<AlertEvent> updates = out().stream().filter(a -> a.fingerprint().equals(incident)).toList();
        assertThat(updates).hasSize(3);
        assertThat(updates.get(2).summary()).isEqualTo("CDU-3 flow loss \u2014 affects job-2, job-3; 2 related alerts");
        assertThat(updates).extracting(AlertEvent::startsAt).containsOnly(updates.get(0).startsAt());
        assertThat(out()).filteredOn(a -> a.labels().get("host") != null && a.labels().get("host").equals("A01-n1"))
                .singleElement().satisfies(a -> assertThat(a.labels()).containsEntry("root", "true"));
    }

    @Test
    void anIncidentSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<AlertEvent> in = List.of(cdu(AlertEvent.State.FIRING, 13), gpuHot("A05", "A05-n1", "3", "job-2", "3", 40),
                gpuHot("A06", "A06-n2", "1", "job-3", "9", 41), straggler(null, "A05-n1", "3", "job-2", "3", 50),
                cdu(AlertEvent.State.RESOLVED, 100),
                alert(AlertType.THERMAL, AlertEvent.State.RESOLVED, 37, 120, Alerts.labels("cluster", "c", "host",
                        "A05-n1", "gpu", "3"), Map.of(), "cool"));
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (AlertEvent a : in) steps.add(io.vigil.detection.SnapshotRestore.element(a, a.eventTimeMs()));
        steps.add(io.vigil.detection.SnapshotRestore.watermark(T0 + 3_600_000L)); // past the grace: state goes
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new IncidentCorrelator(Duration.ofMinutes(5)), a -> a.labels().get("cluster"), Types.STRING,
                steps, 3);
        assertThat(out).filteredOn(a -> a.state() == AlertEvent.State.RESOLVED).hasSize(2)
                .allSatisfy(a -> assertThat(a.labels()).containsEntry("incident", out.get(0).fingerprint()));
    }

    static AlertEvent rank(AlertEvent.State state, int startS, int atS) {
        return alert(AlertType.STRAGGLER, state, startS, atS, Alerts.labels("cluster", "c", "job", "job-7", "rank", "5"),
                Alerts.labels("host", "B01-n1", "gpu", "5", "rack", "B01", "scope", "rank"), "rank 5 slow");
    }

    KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, AlertEvent> quiet(Duration quiet) throws Exception {
        h.close();
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new IncidentCorrelator(Duration.ofMinutes(5), Duration.ZERO, quiet), a -> a.labels().get("cluster"),
                Types.STRING);
        return h;
    }

    @Test
    void aRankThatFlapsIsOneIncidentPagedOnceAndResolvedOnceItHasBeenQuiet() throws Exception {
        quiet(Duration.ofMinutes(10));
        // Three excursions of one rank, 20 s to 2 minutes each, within ten minutes of each other.
        int[][] excursions = {{100, 120}, {200, 320}, {700, 730}};
        for (int[] e : excursions) {
            feed(rank(AlertEvent.State.FIRING, e[0], e[0] + 5));
            feed(rank(AlertEvent.State.RESOLVED, e[0], e[1]));
        }
        List<AlertEvent> beforeQuiet = out();
        assertThat(beforeQuiet).filteredOn(a -> a.state() == AlertEvent.State.RESOLVED).as("not resolved yet").isEmpty();
        h.processWatermark(new Watermark(T0 + 730_000 + 600_000));
        List<AlertEvent> all = h.extractOutputValues();
        String incident = all.get(0).fingerprint();
        assertThat(all).allSatisfy(a -> assertThat(a.labels()).containsEntry("incident", incident)
                .containsEntry("root", "true"));
        // The page, the root sent again for each later excursion (an update, not a page), then one resolve.
        assertThat(all).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING,
                AlertEvent.State.FIRING, AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(all).extracting(AlertEvent::startsAt).containsOnly(Instant.ofEpochMilli(T0 + 100_000));
        assertThat(all.get(2).evidence()).containsEntry("excursions", 3.0);
        assertThat(all.get(2).summary()).contains("3 excursions, the last from");
        AlertEvent resolved = all.get(3);
        assertThat(resolved.endsAt()).isEqualTo(Instant.ofEpochMilli(T0 + 730_000));
        assertThat(resolved.evidence()).containsEntry("excursions", 3.0);
    }

    @Test
    void theSameProblemAfterTheQuietTimeIsANewIncidentAndPagesAgain() throws Exception {
        quiet(Duration.ofMinutes(10));
        feed(rank(AlertEvent.State.FIRING, 100, 105));
        feed(rank(AlertEvent.State.RESOLVED, 100, 120));
        feed(rank(AlertEvent.State.FIRING, 721, 726)); // 601 s after it resolved
        feed(rank(AlertEvent.State.RESOLVED, 721, 740));
        h.processWatermark(new Watermark(T0 + 740_000 + 600_000));
        List<AlertEvent> all = h.extractOutputValues();
        assertThat(all).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING,
                AlertEvent.State.RESOLVED, AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(all).filteredOn(a -> a.state() == AlertEvent.State.FIRING).extracting(AlertEvent::startsAt)
                .containsExactly(Instant.ofEpochMilli(T0 + 100_000), Instant.ofEpochMilli(T0 + 721_000));
    }

    @Test
    void aHeldResolveSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<AlertEvent> in = List.of(rank(AlertEvent.State.FIRING, 100, 105), rank(AlertEvent.State.RESOLVED, 100, 120),
                rank(AlertEvent.State.FIRING, 200, 205), rank(AlertEvent.State.RESOLVED, 200, 260));
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (AlertEvent a : in) {
            steps.add(io.vigil.detection.SnapshotRestore.element(a, a.eventTimeMs()));
            steps.add(io.vigil.detection.SnapshotRestore.watermark(a.eventTimeMs()));
        }
        steps.add(io.vigil.detection.SnapshotRestore.watermark(T0 + 3_600_000L));
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new IncidentCorrelator(Duration.ofMinutes(5), Duration.ZERO, Duration.ofMinutes(10)),
                a -> a.labels().get("cluster"), Types.STRING, steps, 5);
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING,
                AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void aSuspectReadingOnAGpuExplainsNothingSoItsRealAlertStillPages() throws Exception {
        feed(alert(AlertType.DATA_QUALITY, AlertEvent.State.FIRING, 10, 12, Alerts.labels("cluster", "c", "host",
                "A01-n2", "gpu", "3", "check", "temperature-frozen"), Alerts.labels("scope", "gpu"), "frozen"));
        feed(gpuHot("A01", "A01-n2", "3", "job-1", "11", 20));
        assertThat(out()).extracting(a -> a.type() + ":" + a.labels().get("root"))
                .containsExactly("DATA_QUALITY:true", "THERMAL:true");
        // The thermal alert reads the temperature the check found frozen: it says so.
        assertThat(out().get(1).labels()).containsEntry("suspect", "temperature-frozen");
        assertThat(out().get(1).summary()).endsWith("(suspect data: temperature-frozen on this GPU)");
        // A straggler on another GPU, or one whose fields are not in question, is not marked.
        feed(straggler("A01", "A01-n2", "4", "job-1", "12", 30));
        assertThat(out().get(2).labels()).doesNotContainKey("suspect");
    }

    @Test
    void aThermalAlertOnAGpuExplainsTheStragglerItsThrottlingMakes() throws Exception {
        feed(gpuHot("A01", "A01-n2", "3", "job-1", "11", 20));
        feed(straggler("A01", "A01-n2", "3", "job-1", "11", 26));
        feed(straggler("A01", "A01-n3", "0", "job-1", "16", 27));
        assertThat(out()).extracting(a -> a.type() + ":" + a.labels().get("root"))
                .containsExactly("THERMAL:true", "STRAGGLER:false", "STRAGGLER:true");
    }

    @Test
    void resolvedEventsKeepTheirIncidentAndStateGoesAfterTheGrace() throws Exception {
        feed(cdu(AlertEvent.State.FIRING, 13));
        AlertEvent child = gpuHot("A05", "A05-n1", "3", "job-2", "3", 40);
        feed(child);
        feed(cdu(AlertEvent.State.RESOLVED, 100));
        feed(alert(AlertType.THERMAL, AlertEvent.State.RESOLVED, 37, 120, Alerts.labels("cluster", "c", "host",
                "A05-n1", "gpu", "3"), Map.of(), "cool"));
        List<AlertEvent> resolved = out().stream().filter(a -> a.state() == AlertEvent.State.RESOLVED).toList();
        assertThat(resolved).extracting(a -> a.labels().get("root")).containsExactly("true", "false");
        assertThat(resolved).allSatisfy(a -> assertThat(a.labels()).containsEntry("incident", out().get(0).fingerprint()));
        assertThat(h.numKeyedStateEntries()).isPositive();
        h.processWatermark(new Watermark(T0 + 100_000 + 5 * 60_000));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aRepeatedFiringEventIsNotASecondPage() throws Exception {
        AlertEvent a = gpuHot("A01", "A01-n2", "3", "job-1", "11", 20);
        feed(a);
        feed(a);
        assertThat(out()).hasSize(2).allSatisfy(x -> assertThat(x.labels()).containsEntry("root", "true"));
        assertThat(out().get(0)).isEqualTo(out().get(1));
    }

    @Test
    void aProblemRecurringAfterItsIncidentResolvedPagesAgainAndLateReportsStillAttach() throws Exception {
        feed(cdu(AlertEvent.State.FIRING, 13));
        feed(cdu(AlertEvent.State.RESOLVED, 100));
        // Began while the CDU was failing, reported after it resolved: a late consequence, attached.
        AlertEvent late = alert(AlertType.THERMAL, AlertEvent.State.FIRING, 90, 102,
                Alerts.labels("cluster", "c", "host", "A05-n2", "gpu", "1"), Alerts.labels("rack", "A05", "scope", "gpu"),
                "hot");
        feed(late);
        // The same CDU failing again, and a GPU on its racks heating after it resolved: new problems, paged.
        AlertEvent again = alert(AlertType.COOLING, AlertEvent.State.FIRING, 150, 152,
                Alerts.labels("cluster", "c", "device", "CDU-3"), Alerts.labels("racks", "A05,A06", "scope", "facility"),
                "CDU-3 flow loss");
        AlertEvent fresh = alert(AlertType.THERMAL, AlertEvent.State.FIRING, 130, 131,
                Alerts.labels("cluster", "c", "host", "A06-n1", "gpu", "0"), Alerts.labels("rack", "A06", "scope", "gpu"),
                "hot");
        feed(fresh);
        feed(again);
        List<AlertEvent> o = out();
        AlertEvent lateOut = o.stream().filter(a -> "A05-n2".equals(a.labels().get("host"))).findFirst().orElseThrow();
        assertThat(lateOut.labels()).containsEntry("root", "false").containsEntry("incident", o.get(0).fingerprint());
        AlertEvent freshOut = o.stream().filter(a -> "A06-n1".equals(a.labels().get("host"))).findFirst().orElseThrow();
        assertThat(freshOut.labels()).containsEntry("root", "true");
        AlertEvent againOut = o.get(o.size() - 1);
        assertThat(againOut.type()).isEqualTo(AlertType.COOLING);
        assertThat(againOut.labels()).containsEntry("root", "true").containsEntry("incident", againOut.fingerprint());
    }
}
