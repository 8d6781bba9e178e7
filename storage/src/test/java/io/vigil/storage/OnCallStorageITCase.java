package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.LabelMatcher;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import io.vigil.model.Origin;
import io.vigil.model.Silence;
import io.vigil.storage.query.NotificationQueries;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The on-call tables on a real PostgreSQL: delivery attempts, silences, the inbox and the on-call health queries. */
class OnCallStorageITCase {

    DataSource db;
    NotificationQueries queries;

    @BeforeEach
    void freshDatabase() {
        db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
        queries = new NotificationQueries(db);
    }

    void write(TelemetryBatch batch) throws Exception {
        try (Connection c = db.getConnection()) {
            batch.writeTo(c);
        }
    }

    static NotificationAttempt attempt(String incident, Instant start, Action action, Outcome outcome, int n, Instant at) {
        return new NotificationAttempt(incident + "/" + action, n, "pd", "pagerduty", "pagerduty[0]", incident, start,
                action, outcome, at, 40, outcome == Outcome.DELIVERED ? 202 : 503, null, "THERMAL", "critical", "ml",
                "hot");
    }

    @Test
    void attemptsAreStoredOnceSilencesKeepTheirNewestRecordAndHealthIsComputed() throws Exception {
        Instant now = Instant.now();
        Instant start = now.minusSeconds(600);
        TelemetryBatch batch = new TelemetryBatch();
        NotificationAttempt retry = attempt("inc1", start, Action.TRIGGER, Outcome.RETRYING, 1, start.plusSeconds(5));
        NotificationAttempt ok = attempt("inc1", start, Action.TRIGGER, Outcome.DELIVERED, 2, start.plusSeconds(6));
        batch.add(retry);
        batch.add(ok);
        batch.add(ok); // the topic is at-least-once: the same attempt twice
        batch.add(attempt("inc1", start, Action.RESOLVE, Outcome.DELIVERED, 1, now));
        Silence ack = new Silence("ack-1", Silence.Kind.ACK, List.of(), "inc1", start.plusSeconds(66), null, "ana", null,
                start.plusSeconds(66));
        batch.add(ack);
        Silence silence = new Silence("s-1", Silence.Kind.SILENCE, List.of(LabelMatcher.parse("rack=\"r1\"")), null,
                start, now.plusSeconds(3600), "ana", "first", start);
        batch.add(silence);
        Map<String, String> labels = Map.of("cluster", "c", "host", "h");
        batch.add(new AlertEvent("inc1", AlertType.THERMAL, AlertEvent.Severity.CRITICAL, AlertEvent.State.RESOLVED,
                start, start.plusSeconds(300), labels, "ok", Map.of(), new Origin("t", 0, 1), now));
        write(batch);

        // Ended early: a newer record with the same id wins, an older one arriving late does not.
        TelemetryBatch later = new TelemetryBatch();
        later.add(new Silence("s-1", Silence.Kind.SILENCE, silence.matchers(), null, start, now.minusSeconds(1), "ana",
                "ended", now));
        write(later);
        TelemetryBatch stale = new TelemetryBatch();
        stale.add(silence);
        write(stale);

        assertThat(queries.attempts("inc1", 100)).hasSize(3);
        assertThat(queries.attempts(null, 100).get(0).action()).isEqualTo("RESOLVE");
        List<NotificationQueries.SilenceRow> rows = queries.silences(Duration.ofDays(1), 10);
        assertThat(rows).filteredOn(r -> r.id().equals("s-1")).singleElement().satisfies(r -> {
            assertThat(r.comment()).isEqualTo("ended");
            assertThat(r.active()).isFalse();
        });

        assertThat(queries.silence("s-1").comment()).isEqualTo("ended");
        assertThat(queries.silence("nope")).isNull();

        Map<String, Object> health = queries.health(7);
        assertThat(health.get("pagesPerDay").toString()).contains("pages=1").contains("team=ml").contains("type=THERMAL");
        @SuppressWarnings("unchecked")
        Map<String, Object> tta = (Map<String, Object>) health.get("timeToAcknowledgeSeconds");
        assertThat(tta.get("p50")).isEqualTo(66.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> ttr = (Map<String, Object>) health.get("timeToResolveSeconds");
        assertThat(ttr.get("p50")).isEqualTo(300.0);
    }

    @Test
    void theInboxCountsRepeatedDeliveriesOfOneNotification() throws Exception {
        queries.receive("n-1", "trigger", "firing", "inc1", "inbox", "hot", "{\"version\":\"4\"}");
        queries.receive("n-1", "trigger", "firing", "inc1", "inbox", "hot", "{\"version\":\"4\"}");
        queries.receive("n-2", "resolve", "resolved", "inc1", "inbox", "ok", "{\"version\":\"4\"}");
        List<NotificationQueries.InboxMessage> inbox = queries.inbox(10);
        assertThat(inbox).hasSize(2);
        assertThat(inbox).filteredOn(m -> m.notificationId().equals("n-1")).singleElement()
                .extracting(NotificationQueries.InboxMessage::deliveries).isEqualTo(2);
    }
}
