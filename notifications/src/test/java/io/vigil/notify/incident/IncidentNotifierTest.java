package io.vigil.notify.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.JobEvent;
import io.vigil.model.LabelMatcher;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import io.vigil.model.Origin;
import io.vigil.model.Silence;
import io.vigil.notify.routing.RoutingConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The notifier's decisions, driven by processing time in Flink's operator harness: who is told what and when, and
 * that an incident leaves no state or timer behind once its resolutions are out.
 */
class IncidentNotifierTest {

    static final RoutingConfig ROUTING = RoutingConfig.parse("""
            route:
              receiver: default
              group_wait: 5s
              group_interval: 1m
              repeat_interval: 1h
              routes:
                - matchers: ['type=~"COOLING|POWER"']
                  receiver: facilities
                - matchers: ['team="ml"']
                  receiver: ml
            receivers:
              - name: default
                webhook_configs: [{url: "http://default"}]
              - name: facilities
                pagerduty_configs: [{routing_key: k, url: "http://pd"}]
              - name: ml
                slack_configs: [{webhook_url: "http://slack"}]
                alertmanager_configs: [{urls: ["http://am"], resend_interval: 1m}]
            """, "test.yml");

    static final long T0 = 1_000_000_000L;
    KeyedBroadcastOperatorTestHarness<String, AlertEvent, NotifyControl, Notification> h;

    @BeforeEach
    void setUp() throws Exception {
        h = harness();
    }

    static KeyedBroadcastOperatorTestHarness<String, AlertEvent, NotifyControl, Notification> harness()
            throws Exception {
        return harness(null);
    }

    static KeyedBroadcastOperatorTestHarness<String, AlertEvent, NotifyControl, Notification> harness(
            OperatorSubtaskState restore) throws Exception {
        return harness(restore, ROUTING);
    }

    static KeyedBroadcastOperatorTestHarness<String, AlertEvent, NotifyControl, Notification> harness(
            OperatorSubtaskState restore, RoutingConfig routing) throws Exception {
        var harness = new KeyedBroadcastOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<>(
                        new IncidentNotifier(routing, "http://vigil:8080", Duration.ofMinutes(10)),
                        List.of(IncidentNotifier.SILENCES, IncidentNotifier.JOB_OWNERS)),
                IncidentNotifier::incidentOf, Types.STRING, 1, 1, 0);
        harness.setup();
        if (restore != null) harness.initializeState(restore);
        harness.open();
        harness.setProcessingTime(T0);
        return harness;
    }

    static AlertEvent alert(AlertType type, AlertEvent.State state, String incident, boolean root, long startsAt,
                            Map<String, String> labels, String summary) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put("cluster", "c");
        String fp = AlertEvent.fingerprint(type, labels);
        l.put("incident", incident == null ? fp : incident);
        l.put("root", String.valueOf(root));
        return new AlertEvent(fp, type, AlertEvent.Severity.CRITICAL, state, Instant.ofEpochMilli(startsAt),
                state == AlertEvent.State.RESOLVED ? Instant.ofEpochMilli(startsAt + 60_000) : null, l, summary,
                Map.of("x", 1.0), new Origin("t", 0, 1), Instant.ofEpochMilli(startsAt));
    }

    static AlertEvent cdu(AlertEvent.State state) {
        return alert(AlertType.COOLING, state, null, true, T0, Map.of("device", "cdu-1", "racks", "r1,r2"),
                "flow lost");
    }

    /** Keyed state entries left (the harness for broadcast functions does not count them itself). */
    int keyedEntries() {
        var backend = (org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>)
                ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                        .getKeyedStateBackend();
        return backend.numKeyValueStateEntries();
    }

    List<Notification> drain() {
        List<Notification> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    static List<String> actions(List<Notification> ns) {
        return ns.stream().map(n -> n.target().receiver() + ":" + n.action()
                + (n.withheld() == null ? "" : "/" + n.withheld())).toList();
    }

    @Test
    void anIncidentPagesOnceAfterItsGroupWaitWithItsFirstConsequencesInside() throws Exception {
        AlertEvent root = cdu(AlertEvent.State.FIRING);
        h.processElement(root, T0);
        AlertEvent child = alert(AlertType.THERMAL, AlertEvent.State.FIRING, root.fingerprint(), false, T0 + 1000,
                Map.of("host", "h1", "gpu", "3", "rack", "r1", "scope", "gpu"), "hot");
        h.setProcessingTime(T0 + 2000);
        h.processElement(child, T0 + 1000);
        assertThat(drain()).as("nothing within group_wait").isEmpty();

        h.setProcessingTime(T0 + 5000);
        List<Notification> out = drain();
        assertThat(actions(out)).containsExactly("facilities:TRIGGER");
        IncidentView v = out.get(0).view();
        assertThat(v.attached()).extracting(IncidentView.Attached::type).containsExactly("THERMAL");
        assertThat(v.racks()).containsExactly("r1", "r2");
        assertThat(v.dashboardUrl()).isEqualTo("http://vigil:8080/incidents/" + root.fingerprint());
        assertThat(out.get(0).causedAtMs()).isEqualTo(T0);

        // Replaying the same alert (a restart of detection, at-least-once upstream) changes nothing.
        h.processElement(root, T0);
        h.setProcessingTime(T0 + 10 * 60_000);
        assertThat(drain()).isEmpty();

        h.setProcessingTime(T0 + 3_600_000 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:REPEAT");

        h.processElement(cdu(AlertEvent.State.RESOLVED), T0);
        assertThat(actions(drain())).containsExactly("facilities:RESOLVE");
        assertThat(keyedEntries()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aGrowingIncidentIsUpdatedAtMostOncePerGroupInterval() throws Exception {
        AlertEvent root = cdu(AlertEvent.State.FIRING);
        h.processElement(root, T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER");
        for (int i = 0; i < 5; i++) {
            h.setProcessingTime(T0 + 6000 + i * 1000);
            h.processElement(alert(AlertType.STRAGGLER, AlertEvent.State.FIRING, root.fingerprint(), false, T0,
                    Map.of("job", "job-" + i, "rank", "1"), "slow"), T0);
        }
        assertThat(drain()).isEmpty();
        h.setProcessingTime(T0 + 65_000);
        List<Notification> out = drain();
        assertThat(actions(out)).containsExactly("facilities:UPDATE");
        assertThat(out.get(0).view().jobs()).hasSize(5);
        h.setProcessingTime(T0 + 200_000);
        assertThat(drain()).isEmpty();
    }

    @Test
    void anIncidentResolvedWithinItsGroupWaitPagesNobody() throws Exception {
        h.processElement(cdu(AlertEvent.State.FIRING), T0);
        h.setProcessingTime(T0 + 1000);
        h.processElement(cdu(AlertEvent.State.RESOLVED), T0);
        h.setProcessingTime(T0 + 60_000);
        assertThat(drain()).isEmpty();
        assertThat(keyedEntries()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aJobsIncidentGoesToTheTeamThatOwnsTheJob() throws Exception {
        h.processBroadcastElement(NotifyControl.of(new JobEvent(T0, "c", "job-7", JobEvent.Kind.START, "train",
                "ml", List.of(), null)), T0);
        AlertEvent straggler = alert(AlertType.STRAGGLER, AlertEvent.State.FIRING, null, true, T0,
                Map.of("job", "job-7", "rank", "3"), "slow rank");
        h.processElement(straggler, T0);
        h.setProcessingTime(T0 + 5000);
        List<Notification> out = drain();
        assertThat(actions(out)).containsExactlyInAnyOrder("ml:TRIGGER", "ml:TRIGGER");
        assertThat(out).extracting(n -> n.target().type()).containsExactlyInAnyOrder("slack", "alertmanager");
        assertThat(out.get(0).view().labels()).containsEntry("team", "ml");

        // Alertmanager is refreshed every resend interval; Slack is not.
        h.setProcessingTime(T0 + 65_000);
        assertThat(actions(drain())).containsExactly("ml:REFRESH");

        // A straggler in a job nobody owns goes to the default route.
        AlertEvent other = alert(AlertType.STRAGGLER, AlertEvent.State.FIRING, null, true, T0,
                Map.of("job", "job-8", "rank", "3"), "slow rank");
        h.processElement(other, T0);
        h.setProcessingTime(T0 + 71_000);
        assertThat(actions(drain())).containsExactly("default:TRIGGER");
    }

    @Test
    void anAcknowledgementStopsRepeatsAndTellsPagerDuty() throws Exception {
        AlertEvent root = cdu(AlertEvent.State.FIRING);
        h.processElement(root, T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER");
        h.processBroadcastElement(NotifyControl.of(new Silence("ack-1", Silence.Kind.ACK, List.of(),
                root.fingerprint(), Instant.ofEpochMilli(T0 + 60_000), null, "ana", null,
                Instant.ofEpochMilli(T0 + 60_000))), T0);
        List<Notification> acks = drain();
        assertThat(actions(acks)).containsExactly("facilities:ACKNOWLEDGE");
        assertThat(acks.get(0).view().acknowledgedBy()).isEqualTo("ana");
        h.setProcessingTime(T0 + 10 * 3_600_000L);
        assertThat(drain()).as("no repeats once acknowledged").isEmpty();
        h.processElement(cdu(AlertEvent.State.RESOLVED), T0);
        assertThat(actions(drain())).containsExactly("facilities:RESOLVE");
    }

    @Test
    void aSilenceWithholdsPagesUntilItEndsAndIsRecordedOnce() throws Exception {
        h.processBroadcastElement(NotifyControl.of(new Silence("s-1", Silence.Kind.SILENCE,
                List.of(LabelMatcher.parse("device=\"cdu-1\"")), null, Instant.ofEpochMilli(T0),
                Instant.ofEpochMilli(T0 + 600_000), "ana", "swapping pump", Instant.ofEpochMilli(T0))), T0);
        h.processElement(cdu(AlertEvent.State.FIRING), T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER/SILENCED");
        h.setProcessingTime(T0 + 300_000);
        assertThat(drain()).isEmpty();
        // The silence expires and the incident still fires: the page goes out then, without a restart.
        h.setProcessingTime(T0 + 600_000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER");
    }

    @Test
    void maintenancePagesNobodyAndIsRecordedAndResolutionsOfSilencedIncidentsAreNotSent() throws Exception {
        h.processBroadcastElement(NotifyControl.of(new Silence("m-1", Silence.Kind.MAINTENANCE,
                List.of(LabelMatcher.parse("racks=~\".*r1.*\"")), null, Instant.ofEpochMilli(T0 - 1000),
                Instant.ofEpochMilli(T0 + 3_600_000), "ops", "re-cabling", Instant.ofEpochMilli(T0))), T0);
        h.processElement(cdu(AlertEvent.State.FIRING), T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER/MAINTENANCE");
        h.processElement(cdu(AlertEvent.State.RESOLVED), T0);
        assertThat(drain()).isEmpty();
        assertThat(keyedEntries()).isZero();
    }

    @Test
    void aRecurrenceAfterResolutionIsANewPage() throws Exception {
        h.processElement(cdu(AlertEvent.State.FIRING), T0);
        h.setProcessingTime(T0 + 5000);
        h.processElement(cdu(AlertEvent.State.RESOLVED), T0);
        List<Notification> first = drain();
        AlertEvent again = alert(AlertType.COOLING, AlertEvent.State.FIRING, null, true, T0 + 600_000,
                Map.of("device", "cdu-1", "racks", "r1,r2"), "flow lost again");
        h.setProcessingTime(T0 + 600_000);
        h.processElement(again, T0);
        h.setProcessingTime(T0 + 605_000);
        List<Notification> second = drain();
        assertThat(actions(second)).containsExactly("facilities:TRIGGER");
        assertThat(second.get(0).id()).isNotEqualTo(first.get(0).id());
    }

    @Test
    void consequencesWithoutTheirRootWaitForItThenGo() throws Exception {
        h.processElement(alert(AlertType.THERMAL, AlertEvent.State.FIRING, "nosuchroot", false, T0,
                Map.of("host", "h", "gpu", "1"), "hot"), T0);
        h.setProcessingTime(T0 + 10 * 60_000);
        assertThat(drain()).isEmpty();
        assertThat(keyedEntries()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aRestoredNotifierNeitherRepeatsATriggerNorForgetsTheResolution() throws Exception {
        h.processElement(cdu(AlertEvent.State.FIRING), T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER");
        OperatorSubtaskState snapshot = h.snapshot(1, T0 + 5000);
        h.close();

        h = harness(snapshot);
        h.setProcessingTime(T0 + 60_000);
        assertThat(drain()).isEmpty();
        h.processElement(cdu(AlertEvent.State.RESOLVED), T0);
        assertThat(actions(drain())).containsExactly("facilities:RESOLVE");
    }

    @Test
    void aPageSentBeforeTheJobsTeamWasKnownIsResolvedWhereItWentToo() throws Exception {
        AlertEvent straggler = alert(AlertType.STRAGGLER, AlertEvent.State.FIRING, null, true, T0,
                Map.of("job", "job-9", "rank", "2"), "slow rank");
        h.processElement(straggler, T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).as("no owner known yet: the default route").containsExactly("default:TRIGGER");
        // The job's START with its team arrives late; the incident grows, so it is evaluated again: now team ml's.
        h.processBroadcastElement(NotifyControl.of(new JobEvent(T0, "c", "job-9", JobEvent.Kind.START, "train",
                "ml", List.of(), null)), T0 + 6000);
        h.processElement(alert(AlertType.THERMAL, AlertEvent.State.FIRING, straggler.fingerprint(), false, T0,
                Map.of("host", "h1", "gpu", "2"), "hot"), T0 + 7000);
        h.setProcessingTime(T0 + 70_000);
        assertThat(actions(drain())).contains("ml:TRIGGER");
        h.processElement(alert(AlertType.STRAGGLER, AlertEvent.State.RESOLVED, null, true, T0,
                Map.of("job", "job-9", "rank", "2"), "slow rank"), T0 + 80_000);
        assertThat(actions(drain())).as("every target that was paged").containsExactlyInAnyOrder("default:RESOLVE",
                "ml:RESOLVE", "ml:RESOLVE");
    }

    @Test
    void aRoutingChangeBetweenPageAndResolveStillResolvesThePagedTarget() throws Exception {
        h.processElement(cdu(AlertEvent.State.FIRING), T0);
        h.setProcessingTime(T0 + 5000);
        assertThat(actions(drain())).containsExactly("facilities:TRIGGER");
        OperatorSubtaskState snapshot = h.snapshot(1, T0 + 5000);
        h.close();
        // The routing file now sends cooling to the default receiver; facilities stays configured.
        RoutingConfig changed = RoutingConfig.parse("""
                route:
                  receiver: default
                  group_wait: 5s
                receivers:
                  - name: default
                    webhook_configs: [{url: "http://default"}]
                  - name: facilities
                    pagerduty_configs: [{routing_key: k, url: "http://pd"}]
                """, "changed.yml");
        h = harness(snapshot, changed);
        h.setProcessingTime(T0 + 10_000);
        drain();
        h.processElement(cdu(AlertEvent.State.RESOLVED), T0 + 20_000);
        assertThat(actions(drain())).contains("facilities:RESOLVE");
    }

    @Test
    void anInfoIncidentIsARecordAndPagesNobody() throws Exception {
        AlertEvent a = alert(AlertType.DATA_QUALITY, AlertEvent.State.FIRING, null, true, T0,
                Map.of("host", "h1", "gpu", "0", "check", "sm-activity-zero"), "suspect metric");
        AlertEvent info = new AlertEvent(a.fingerprint(), a.type(), AlertEvent.Severity.INFO, a.state(), a.startsAt(),
                a.endsAt(), a.labels(), a.summary(), a.evidence(), a.origin(), a.detectedAt());
        h.processElement(info, T0);
        h.setProcessingTime(T0 + 3_600_000);
        assertThat(drain()).isEmpty();
        assertThat(keyedEntries()).isZero();
    }
}
