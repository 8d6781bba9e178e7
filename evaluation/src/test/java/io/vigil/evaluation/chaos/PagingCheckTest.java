package io.vigil.evaluation.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.NotificationAttempt;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import io.vigil.model.WireFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R7's judge: what on-call behind the pair was told, against what Vigil sent it. */
class PagingCheckTest {

    static final long T = 1_000_000_000L;

    static NotificationAttempt sent(String incident, Action action, long atMs) {
        return new NotificationAttempt("n-" + incident + action + atMs, 1, "pair", "alertmanager",
                "alertmanager[0]#0", incident, Instant.ofEpochMilli(T), action, Outcome.DELIVERED,
                Instant.ofEpochMilli(atMs), 5, 200, null, "COOLING", "critical", null, "s");
    }

    static PagingCheck.Message told(String incident, boolean firing, long atMs) {
        return new PagingCheck.Message(incident, firing, atMs);
    }

    @Test
    void anIncidentToldOnceAndResolvedAfterVigilResolvedItIsClean() {
        PagingCheck.Verdict v = PagingCheck.judge(
                List.of(sent("a", Action.TRIGGER, T), sent("a", Action.REFRESH, T + 60_000),
                        sent("a", Action.RESOLVE, T + 120_000)),
                List.of(told("a", true, T + 5_000), told("a", false, T + 121_000)), T + 600_000, 60_000);
        assertThat(v.clean()).isTrue();
        assertThat(v.pagedIncidents()).isEqualTo(1);
        assertThat(v.firingMessages()).isEqualTo(1);
        assertThat(v.resolvedMessages()).isEqualTo(1);
    }

    @Test
    void aResolveVigilNeverSentIsFalseAndASecondFiringWithoutATriggerIsADuplicate() {
        // The pair let the open incident expire (false resolve), then fired it again when refreshed (duplicate).
        PagingCheck.Verdict v = PagingCheck.judge(
                List.of(sent("a", Action.TRIGGER, T), sent("a", Action.REFRESH, T + 300_000)),
                List.of(told("a", true, T + 5_000), told("a", false, T + 245_000), told("a", true, T + 305_000)),
                T + 600_000, 60_000);
        assertThat(v.falseResolves()).isEqualTo(1);
        // firing, resolved, firing: the second firing follows a resolve, so it is not counted as a duplicate ...
        assertThat(v.duplicateTriggers()).isZero();
        PagingCheck.Verdict twice = PagingCheck.judge(List.of(sent("a", Action.TRIGGER, T)),
                List.of(told("a", true, T + 5_000), told("a", true, T + 40_000)), T + 600_000, 60_000);
        // ... but two firings in a row for one TRIGGER are.
        assertThat(twice.duplicateTriggers()).isEqualTo(1);
        assertThat(twice.examples()).anyMatch(e -> e.startsWith("duplicate firing for a"));
    }

    @Test
    void aNewEpisodeMayFireAgainAndAResolveIsJudgedAgainstItsOwnEpisode() {
        PagingCheck.Verdict v = PagingCheck.judge(
                List.of(sent("a", Action.TRIGGER, T), sent("a", Action.RESOLVE, T + 60_000),
                        sent("a", Action.TRIGGER, T + 900_000)),
                List.of(told("a", true, T + 5_000), told("a", false, T + 61_000), told("a", true, T + 905_000),
                        // The second episode's resolve comes with no RESOLVE after its TRIGGER: false.
                        told("a", false, T + 1_200_000)),
                T + 2_000_000, 60_000);
        assertThat(v.duplicateTriggers()).isZero();
        assertThat(v.falseResolves()).isEqualTo(1);
    }

    @Test
    void aPagedIncidentNeverToldIsMissedUnlessItWasPagedWithinTheGraceBeforeTheCutOff() {
        List<NotificationAttempt> attempts = new ArrayList<>(List.of(sent("a", Action.TRIGGER, T),
                sent("late", Action.TRIGGER, T + 590_000)));
        // A trigger that never got through is not a page the pair received.
        attempts.add(new NotificationAttempt("n-x", 1, "pair", "alertmanager", "alertmanager[0]#1", "x",
                Instant.ofEpochMilli(T), Action.TRIGGER, Outcome.RETRYING, Instant.ofEpochMilli(T), 5, null,
                "ConnectException", "COOLING", "critical", null, "s"));
        PagingCheck.Verdict v = PagingCheck.judge(attempts, List.of(), T + 600_000, 60_000);
        assertThat(v.missedPages()).isEqualTo(1);
        assertThat(v.pagedIncidents()).isEqualTo(1);
        assertThat(v.examples()).containsExactly("paged a to the pair, never firing at on-call");
    }

    @Test
    void anAlertmanagerWebhookBodyIsReadByItsIncidentGroup() throws Exception {
        PagingCheck.Message m = PagingCheck.Message.of(WireFormat.mapper().readTree("""
                {"version":"4","status":"resolved","groupLabels":{"incident":"0ab9"},
                 "alerts":[{"status":"resolved","labels":{"alertname":"COOLING","incident":"0ab9"}}]}
                """), 42);
        assertThat(m).isEqualTo(new PagingCheck.Message("0ab9", false, 42));
        assertThat(PagingCheck.Message.of(WireFormat.mapper().readTree("""
                {"status":"firing","groupLabels":{},"alerts":[{"labels":{"incident":"77"}}]}
                """), 1)).isEqualTo(new PagingCheck.Message("77", true, 1));
    }
}
