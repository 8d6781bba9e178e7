package io.vigil.dashboard.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.LabelMatcher;
import io.vigil.model.Silence;
import io.vigil.model.WebhookSignature;
import io.vigil.model.WireFormat;
import io.vigil.storage.query.NotificationQueries;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * On-call over HTTP:
 * <ul>
 * <li>{@code GET /api/v1/notifications[?incident=ID][&limit=N]}: delivery attempts, newest first;</li>
 * <li>{@code GET /api/v1/oncall/health[?days=7]}: pages per day, team and type, time to acknowledge and resolve;</li>
 * <li>{@code GET /api/v1/silences}, {@code POST /api/v1/silences}, {@code DELETE /api/v1/silences/{id}}:
 * silences and maintenance windows;</li>
 * <li>{@code POST /api/v1/incidents/{id}/ack}: acknowledge an incident (stops its repeats, tells PagerDuty);</li>
 * <li>{@code POST /api/v1/inbox}, {@code GET /api/v1/inbox}: the demo's built-in webhook receiver. It takes only
 * webhooks signed with {@code vigil.inbox-secret} within {@value io.vigil.model.WebhookSignature#DEFAULT_TOLERANCE_SECONDS}
 * s of this machine's clock, of at most {@value #MAX_INBOX_BYTES} bytes; without a secret it takes nothing.</li>
 * </ul>
 * Bad parameters get a 400 that says what is wrong. Access rules: {@code ApiAccessRules} (reads need the viewer
 * role, the actions the operator role; the inbox takes signed webhooks).
 */
@RestController
@RequestMapping("/api/v1")
public class NotificationsApi {

    private final NotificationQueries queries;
    private final OperatorActions actions;
    private final String inboxSecret;
    private final java.time.Clock clock;

    /** The largest webhook the inbox reads: a page of Alertmanager's payload is a few kilobytes. */
    public static final int MAX_INBOX_BYTES = 256 * 1024;

    @org.springframework.beans.factory.annotation.Autowired
    public NotificationsApi(NotificationQueries queries, OperatorActions actions,
                            @Value("${vigil.inbox-secret:}") String inboxSecret) {
        this(queries, actions, inboxSecret, java.time.Clock.systemUTC());
    }

    NotificationsApi(NotificationQueries queries, OperatorActions actions, String inboxSecret, java.time.Clock clock) {
        this.queries = queries;
        this.actions = actions;
        this.inboxSecret = inboxSecret == null || inboxSecret.isBlank() ? null : inboxSecret;
        this.clock = clock;
    }

    @GetMapping("/notifications")
    public ResponseEntity<?> notifications(@RequestParam(required = false) String incident,
                                           @RequestParam(defaultValue = "500") int limit) throws Exception {
        if (limit < 1 || limit > 10_000) return bad("limit must be 1..10000");
        List<Map<String, Object>> out = new ArrayList<>();
        for (NotificationQueries.Attempt a : queries.attempts(blankToNull(incident), limit)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("receiver", a.receiver());
            m.put("receiverType", a.receiverType());
            m.put("target", a.target());
            m.put("incident", a.incident());
            m.put("incidentStartsAt", a.incidentStartsAt());
            m.put("action", a.action().toLowerCase(Locale.ROOT));
            m.put("outcome", a.outcome().toLowerCase(Locale.ROOT));
            m.put("at", a.at());
            m.put("latencyMs", a.latencyMs());
            m.put("attempt", a.attempt());
            m.put("notificationId", a.notificationId());
            m.put("httpStatus", a.httpStatus());
            m.put("error", a.error());
            m.put("type", a.type());
            m.put("severity", a.severity());
            m.put("team", a.team());
            m.put("summary", a.summary());
            out.add(m);
        }
        return ResponseEntity.ok(out);
    }

    @GetMapping("/oncall/health")
    public ResponseEntity<?> health(@RequestParam(defaultValue = "7") int days) throws Exception {
        if (days < 1 || days > 366) return bad("days must be 1..366");
        return ResponseEntity.ok(queries.health(days));
    }

    @GetMapping("/silences")
    public ResponseEntity<?> silences() throws Exception {
        return ResponseEntity.ok(queries.silences(Duration.ofDays(1), 1000));
    }

    /**
     * Body: {@code {"kind": "silence"|"maintenance", "matchers": ["rack=\"r07\"", ...], "startsAt": "...",
     * "endsAt": "..." or "duration": "2h", "createdBy": "ana", "comment": "..."}}.
     */
    @PostMapping("/silences")
    public ResponseEntity<?> createSilence(@RequestBody(required = false) JsonNode body) throws Exception {
        if (!actions.available()) return unavailable();
        if (body == null || !body.isObject()) return bad("the body must be a JSON object");
        Silence.Kind kind;
        try {
            kind = Silence.Kind.valueOf(text(body, "kind", "silence").toUpperCase(Locale.ROOT));
            if (kind == Silence.Kind.ACK) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            return bad("kind must be 'silence' or 'maintenance'");
        }
        List<LabelMatcher> matchers = new ArrayList<>();
        JsonNode list = body.get("matchers");
        if (list == null || !list.isArray() || list.isEmpty()) {
            return bad("matchers must be a non-empty list such as [\"rack=\\\"r07\\\"\"]");
        }
        for (JsonNode m : list) {
            try {
                matchers.add(m.isTextual() ? LabelMatcher.parse(m.asText())
                        : new LabelMatcher(m.path("name").asText(null), m.path("op").asText("="),
                        m.path("value").asText(null)));
            } catch (IllegalArgumentException e) {
                return bad("matcher " + m + ": " + e.getMessage());
            }
        }
        Instant starts;
        Instant ends;
        try {
            starts = body.hasNonNull("startsAt") ? Instant.parse(body.get("startsAt").asText()) : Instant.now();
            if (body.hasNonNull("endsAt")) {
                ends = Instant.parse(body.get("endsAt").asText());
            } else if (body.hasNonNull("duration")) {
                ends = starts.plus(duration(body.get("duration").asText()));
            } else {
                return bad("give endsAt (RFC 3339) or duration (e.g. 2h)");
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return bad("startsAt/endsAt must be RFC 3339 times and duration like 30m, 2h or 1d: " + e.getMessage());
        }
        if (!ends.isAfter(starts)) return bad("endsAt must be after startsAt");
        // The author is the signed-in caller; a createdBy in the body is not trusted.
        Silence s = actions.silence(kind, matchers, starts, ends, text(body, "comment", null));
        return ResponseEntity.status(HttpStatus.CREATED).body(s);
    }

    @DeleteMapping("/silences/{id}")
    public ResponseEntity<?> expireSilence(@PathVariable String id) throws Exception {
        if (!actions.available()) return unavailable();
        NotificationQueries.SilenceRow row = queries.silence(id);
        if (row != null && !"ACK".equals(row.kind())) {
            return ResponseEntity.ok(actions.expire(row));
        }
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no silence with id " + id));
    }

    /** Body (optional): {@code {"comment": "..."}}; the caller is the one who acknowledges. */
    @PostMapping("/incidents/{id}/ack")
    public ResponseEntity<?> acknowledge(@PathVariable String id, @RequestBody(required = false) JsonNode body)
            throws Exception {
        if (!actions.available()) return unavailable();
        if (!id.matches("[A-Za-z0-9_.:-]{1,128}")) return bad("not an incident id: " + id);
        return ResponseEntity.ok(actions.acknowledge(id, body == null ? null : text(body, "comment", null)));
    }

    /** The demo's receiver: takes Alertmanager-style webhooks (version 4) from the notification job. */
    @PostMapping("/inbox")
    public ResponseEntity<?> inbox(jakarta.servlet.http.HttpServletRequest request,
                                   @RequestHeader(value = "X-Vigil-Signature", required = false) String signature,
                                   @RequestHeader(value = "X-Vigil-Notification-Id", required = false) String id)
            throws Exception {
        if (inboxSecret == null) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error",
                    "the inbox takes only signed webhooks and this dashboard has no vigil.inbox-secret"));
        }
        if (request.getContentLengthLong() > MAX_INBOX_BYTES) return tooLarge();
        byte[] body;
        try (java.io.InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_INBOX_BYTES + 1);
        }
        if (body.length > MAX_INBOX_BYTES) return tooLarge();
        WebhookSignature.Check check = WebhookSignature.check(inboxSecret, body, signature,
                clock.instant().getEpochSecond(), WebhookSignature.DEFAULT_TOLERANCE_SECONDS);
        if (check != WebhookSignature.Check.VALID) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", check.meaning()));
        }
        JsonNode n;
        try {
            n = WireFormat.mapper().readTree(body);
        } catch (java.io.IOException e) {
            return bad("not JSON: " + e.getMessage());
        }
        if (n == null || !"4".equals(n.path("version").asText()) || !n.path("alerts").isArray()) {
            return bad("expected an Alertmanager webhook payload, version 4");
        }
        // The id deduplicates deliveries: taken from the signed body, never from an unsigned header.
        String notificationId = n.path("vigilNotificationId").asText(null);
        if (notificationId == null || notificationId.isBlank()) return bad("missing vigilNotificationId in the body");
        if (id != null && !id.equals(notificationId)) {
            return bad("X-Vigil-Notification-Id differs from the body's vigilNotificationId");
        }
        JsonNode first = n.path("alerts").path(0);
        queries.receive(notificationId, n.path("vigilAction").asText("trigger"), n.path("status").asText(),
                first.path("labels").path("incident").asText(first.path("fingerprint").asText("")),
                n.path("receiver").asText(null), first.path("annotations").path("summary").asText(null),
                new String(body, StandardCharsets.UTF_8));
        return ResponseEntity.ok(Map.of("received", notificationId));
    }

    private static ResponseEntity<?> tooLarge() {
        return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE)
                .body(Map.of("error", "the inbox takes webhooks of at most " + MAX_INBOX_BYTES + " bytes"));
    }

    @GetMapping("/inbox")
    public ResponseEntity<?> inboxList(@RequestParam(defaultValue = "200") int limit) throws Exception {
        if (limit < 1 || limit > 10_000) return bad("limit must be 1..10000");
        return ResponseEntity.ok(queries.inbox(limit));
    }

    /** A duration as {@code 30m}, {@code 2h}, {@code 1d}. */
    public static Duration duration(String v) {
        return io.vigil.model.config.Settings.parseDuration(v);
    }

    private static String text(JsonNode body, String field, String fallback) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static ResponseEntity<?> bad(String message) {
        return ResponseEntity.badRequest().body(Map.of("error", message));
    }

    private static ResponseEntity<?> unavailable() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(Map.of("error", "operator actions need Kafka: the dashboard was started without VIGIL_KAFKA_BOOTSTRAP"));
    }
}
