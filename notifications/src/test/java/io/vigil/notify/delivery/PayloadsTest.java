package io.vigil.notify.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.WireFormat;
import io.vigil.notify.incident.IncidentView;
import io.vigil.notify.incident.Notification;
import io.vigil.notify.routing.ReceiverSpec;
import io.vigil.notify.routing.SecretRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each receiver's body against the service's documented shape: required fields, enums and size limits. */
class PayloadsTest {

    static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

    static IncidentView view(boolean resolved, int attached, String summary) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("cluster", "c1");
        labels.put("rack", "r07");
        labels.put("host", "h-12");
        labels.put("gpu", "3");
        labels.put("incident", "abc123");
        labels.put("alertname", "THERMAL");
        labels.put("type", "THERMAL");
        labels.put("severity", "critical");
        labels.put("team", "ml");
        List<IncidentView.Attached> a = new ArrayList<>();
        for (int i = 0; i < attached; i++) {
            a.add(new IncidentView.Attached("f" + i, "STRAGGLER", "warning", "slow rank " + i, "c1/job-1 rank " + i, false));
        }
        return new IncidentView("abc123", START, resolved ? START.plusSeconds(600) : null, resolved, "THERMAL",
                "critical", summary, labels, Map.of("gpuTempC", 94.0, "slowdownTempC", 87.0), a, List.of("job-1"),
                List.of("r07"), null, "http://vigil:8080/incidents/abc123", "http://wiki/thermal");
    }

    /** A resolved incident's view under another incident id (delivery chains are per incident and endpoint). */
    static IncidentView viewOf(String incident) {
        IncidentView v = view(true, 0, "resolved " + incident);
        return new IncidentView(incident, v.startsAt(), v.endsAt(), v.resolved(), v.type(), v.severity(), v.summary(),
                v.labels(), v.evidence(), v.attached(), v.jobs(), v.racks(), v.acknowledgedBy(), v.dashboardUrl(),
                v.runbookUrl());
    }

    static JsonNode body(ReceiverSpec spec, Action action, IncidentView v) throws Exception {
        Notification n = new Notification("abc123@1/x/y/" + action, spec, action, null, v, 0);
        HttpCall call = Payloads.calls(n, s -> Map.of("routing_key", "R0UTINGKEY", "webhook_url", "http://slack",
                "secret", "s3cret"), START.plusSeconds(30)).get(0);
        return WireFormat.mapper().readTree(call.body());
    }

    static final ReceiverSpec.PagerDuty PD = new ReceiverSpec.PagerDuty("pd", "pagerduty[0]", SecretRef.none(), "http://pd");

    @Test
    void pagerDutyEventsFollowTheEventsApiV2() throws Exception {
        JsonNode trigger = body(PD, Action.TRIGGER, view(false, 3, "GPU 3 at 94 °C"));
        assertThat(trigger.get("routing_key").asText()).isEqualTo("R0UTINGKEY");
        assertThat(trigger.get("event_action").asText()).isIn("trigger", "acknowledge", "resolve");
        assertThat(trigger.get("dedup_key").asText()).hasSizeLessThanOrEqualTo(255).isEqualTo(
                "vigil-abc123-" + START.toEpochMilli());
        JsonNode p = trigger.get("payload");
        assertThat(p.get("summary").asText()).isNotBlank().hasSizeLessThanOrEqualTo(1024);
        assertThat(p.get("source").asText()).isNotBlank();
        assertThat(p.get("severity").asText()).isIn("critical", "error", "warning", "info");
        assertThat(Instant.parse(p.get("timestamp").asText())).isEqualTo(START);
        assertThat(p.get("custom_details").get("jobs").get(0).asText()).isEqualTo("job-1");
        assertThat(p.get("custom_details").get("attached_alerts").asInt()).isEqualTo(3);
        assertThat(trigger.get("links").get(0).get("href").asText()).startsWith("http://vigil:8080/incidents/");

        // Updates and repeats re-trigger the same dedup key: PagerDuty updates its incident, never opens a second.
        assertThat(body(PD, Action.REPEAT, view(false, 3, "x")).get("dedup_key")).isEqualTo(trigger.get("dedup_key"));
        JsonNode resolve = body(PD, Action.RESOLVE, view(true, 3, "x"));
        assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
        assertThat(resolve.get("dedup_key")).isEqualTo(trigger.get("dedup_key"));
        assertThat(resolve.has("payload")).isFalse();
        assertThat(body(PD, Action.ACKNOWLEDGE, view(false, 0, "x")).get("event_action").asText()).isEqualTo("acknowledge");
        // A summary beyond PagerDuty's limit is cut, not refused.
        assertThat(body(PD, Action.TRIGGER, view(false, 0, "y".repeat(5000))).get("payload").get("summary").asText())
                .hasSize(1024);
    }

    @Test
    void slackMessagesAreBlockKitWithinItsLimits() throws Exception {
        ReceiverSpec.Slack slack = new ReceiverSpec.Slack("s", "slack[0]", SecretRef.none(), "#dc");
        JsonNode m = body(slack, Action.TRIGGER, view(false, 40, "z".repeat(6000)));
        assertThat(m.get("text").asText()).isNotBlank().hasSizeLessThanOrEqualTo(3000);
        assertThat(m.has("channel")).as("an incoming webhook posts to its own channel").isFalse();
        JsonNode blocks = m.get("blocks");
        assertThat(blocks.size()).isBetween(1, 50);
        assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
        assertThat(blocks.get(0).get("text").get("type").asText()).isEqualTo("plain_text");
        assertThat(blocks.get(0).get("text").get("text").asText()).hasSizeLessThanOrEqualTo(150);
        for (JsonNode b : blocks) {
            assertThat(b.get("type").asText()).isIn("header", "section", "context", "divider");
            if (b.has("text")) assertThat(b.get("text").get("text").asText()).hasSizeLessThanOrEqualTo(3000);
            if (b.has("fields")) {
                assertThat(b.get("fields").size()).isLessThanOrEqualTo(10);
                b.get("fields").forEach(f -> assertThat(f.get("text").asText()).hasSizeLessThanOrEqualTo(2000));
            }
        }
        assertThat(body(slack, Action.RESOLVE, view(true, 0, "x")).get("blocks").get(0).get("text").get("text")
                .asText()).startsWith("Resolved");
    }

    @Test
    void webhooksCarryAlertmanagersVersion4PayloadAndASignature() throws Exception {
        ReceiverSpec.Webhook hook = new ReceiverSpec.Webhook("w", "webhook[0]", "http://w", SecretRef.none());
        JsonNode w = body(hook, Action.TRIGGER, view(false, 1, "hot"));
        for (String f : List.of("version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels",
                "commonLabels", "commonAnnotations", "externalURL", "alerts")) {
            assertThat(w.has(f)).as(f).isTrue();
        }
        assertThat(w.get("version").asText()).isEqualTo("4");
        assertThat(w.get("status").asText()).isEqualTo("firing");
        JsonNode alert = w.get("alerts").get(0);
        for (String f : List.of("status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint")) {
            assertThat(alert.has(f)).as(f).isTrue();
        }
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("THERMAL");
        assertThat(alert.get("annotations").get("description").asText()).contains("STRAGGLER");
        assertThat(body(hook, Action.RESOLVE, view(true, 1, "hot")).get("status").asText()).isEqualTo("resolved");

        Notification n = new Notification("id-1", new ReceiverSpec.Webhook("w", "webhook[0]", "http://w",
                new SecretRef("k", null, null)), Action.TRIGGER, null, view(false, 0, "x"), 0);
        HttpCall call = Payloads.calls(n, s -> Map.of("secret", "k"), START).get(0);
        assertThat(call.signingSecret()).as("signed by the dispatcher when sent, with the time of sending")
                .isEqualTo("k");
        assertThat(call.headers()).doesNotContainKey(Payloads.SIGNATURE_HEADER);
        assertThat(call.headers().get(Payloads.NOTIFICATION_ID_HEADER)).isEqualTo("id-1");
    }

    @Test
    void alertmanagerGetsOneStableAlertPerIncidentOnEveryInstance() throws Exception {
        ReceiverSpec.Alertmanager am = new ReceiverSpec.Alertmanager("am", "alertmanager[0]",
                List.of("http://am-0:9093", "http://am-1:9093/"), Duration.ofMinutes(1));
        Notification n = new Notification("id", am, Action.TRIGGER, null, view(false, 2, "hot"), 0);
        List<HttpCall> calls = Payloads.calls(n, s -> Map.of(), START.plusSeconds(30));
        assertThat(calls).extracting(HttpCall::url)
                .containsExactly("http://am-0:9093/api/v2/alerts", "http://am-1:9093/api/v2/alerts");
        JsonNode firing = WireFormat.mapper().readTree(calls.get(0).body()).get(0);
        JsonNode resolved = WireFormat.mapper().readTree(Payloads.calls(
                new Notification("id", am, Action.RESOLVE, null, view(true, 2, "other text"), 0), s -> Map.of(),
                START.plusSeconds(700)).get(0).body()).get(0);
        assertThat(resolved.get("labels")).as("the same label set: Alertmanager's identity").isEqualTo(firing.get("labels"));
        assertThat(Instant.parse(firing.get("endsAt").asText())).isEqualTo(START.plusSeconds(30 + 240));
        assertThat(Instant.parse(resolved.get("endsAt").asText())).isEqualTo(START.plusSeconds(600));
        assertThat(firing.get("generatorURL").asText()).isEqualTo("http://vigil:8080/incidents/abc123");
        Set<String> labelNames = new java.util.HashSet<>();
        firing.get("labels").fieldNames().forEachRemaining(labelNames::add);
        assertThat(labelNames).contains("alertname", "severity", "incident", "cluster", "host", "gpu", "team")
                .doesNotContain("type");
        assertThat(new String(calls.get(0).body(), StandardCharsets.UTF_8)).doesNotContain("R0UTINGKEY");
    }

    @Test
    void slackTextFromTheTelemetryCannotMentionEveryoneOrMakeALink() throws Exception {
        ReceiverSpec.Slack slack = new ReceiverSpec.Slack("s", "slack[0]", SecretRef.none(), null);
        JsonNode m = body(slack, Action.TRIGGER, view(false, 0, "job <!channel> <https://evil.example|click> & co"));
        String all = m.toString();
        assertThat(all).doesNotContain("<!channel>").doesNotContain("<https://evil.example|click>");
        assertThat(m.get("blocks").get(1).get("text").get("text").asText())
                .isEqualTo("job &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co");
    }
}
