package io.vigil.notify.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.WebhookSignature;
import io.vigil.model.WireFormat;
import io.vigil.notify.incident.IncidentView;
import io.vigil.notify.incident.Notification;
import io.vigil.notify.routing.ReceiverSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The request bodies of each receiver type, to each service's documented shape:
 * <ul>
 * <li>Alertmanager API v2, {@code POST /api/v2/alerts}: a list of alerts with labels, annotations, {@code startsAt},
 * {@code endsAt} and {@code generatorURL};</li>
 * <li>PagerDuty Events API v2: {@code routing_key}, {@code event_action}, {@code dedup_key} and for a trigger the
 * {@code payload} (summary ≤ 1024 characters, source, severity, timestamp, custom_details) and links;</li>
 * <li>Slack incoming webhook: {@code text} as the fallback and Block Kit {@code blocks} (a header ≤ 150
 * characters, sections ≤ 3000, at most 10 fields);</li>
 * <li>webhook: Alertmanager's webhook payload, version 4, so receivers written for Alertmanager work unchanged.</li>
 * </ul>
 * Secrets come in through {@code secrets}, resolved on the sending machine.
 */
public final class Payloads {

    static final int PD_SUMMARY_MAX = 1024;
    static final int SLACK_HEADER_MAX = 150;
    static final int SLACK_TEXT_MAX = 3000;
    static final int SLACK_FIELD_MAX = 2000;
    public static final String SIGNATURE_HEADER = WebhookSignature.HEADER;
    public static final String NOTIFICATION_ID_HEADER = "X-Vigil-Notification-Id";

    private Payloads() {}

    /** The calls a notification makes: one, or one per Alertmanager instance. */
    public static List<HttpCall> calls(Notification n, Function<ReceiverSpec, Map<String, String>> secrets,
                                       Instant now) {
        ReceiverSpec spec = n.target();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(NOTIFICATION_ID_HEADER, n.id());
        if (spec instanceof ReceiverSpec.Alertmanager || spec instanceof ReceiverSpec.Webhook) {
            // http_config: basic or bearer authentication, as Alertmanager's own receivers take it.
            String authorization = secrets.apply(spec).get("authorization");
            if (authorization != null) headers.put("Authorization", authorization);
        }
        if (spec instanceof ReceiverSpec.Alertmanager am) {
            byte[] body = bytes(alertmanager(n, am, now));
            List<HttpCall> calls = new ArrayList<>();
            for (int i = 0; i < am.urls().size(); i++) {
                calls.add(new HttpCall(am.target() + "#" + i, am.urls().get(i).replaceAll("/+$", "") + "/api/v2/alerts",
                        headers, body));
            }
            return calls;
        }
        if (spec instanceof ReceiverSpec.PagerDuty pd) {
            String key = secrets.apply(spec).get("routing_key");
            return List.of(new HttpCall(pd.target(), pd.url(), headers, bytes(pagerDuty(n, key))));
        }
        if (spec instanceof ReceiverSpec.Slack slack) {
            String url = secrets.apply(spec).get("webhook_url");
            return List.of(new HttpCall(slack.target(), url, headers, bytes(slack(n, slack.channel()))));
        }
        ReceiverSpec.Webhook hook = (ReceiverSpec.Webhook) spec;
        byte[] body = bytes(webhook(n));
        String secret = secrets.apply(spec).get("secret");
        headers.put("X-Vigil-Action", n.action().name().toLowerCase(java.util.Locale.ROOT));
        // Signed when sent (X-Vigil-Signature: t=...,v1=...), each attempt with its own time.
        return List.of(new HttpCall(hook.target(), hook.url(), headers, body, secret));
    }

    /** Alertmanager's labels: stable for the incident from its first page to its resolution. */
    static Map<String, String> alertLabels(IncidentView v) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("alertname", v.type());
        v.labels().forEach((k, val) -> {
            if (!k.equals("type") && !k.equals("ranks") && !k.equals("racks") && val != null && !val.isEmpty()) {
                l.put(k, val);
            }
        });
        l.put(io.vigil.model.IncidentLabels.INCIDENT, v.incident());
        return l;
    }

    static Map<String, String> annotations(IncidentView v) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("summary", v.summary());
        String description = description(v);
        if (!description.isEmpty()) a.put("description", description);
        if (v.dashboardUrl() != null) a.put("dashboard", v.dashboardUrl());
        if (v.runbookUrl() != null) a.put("runbook_url", v.runbookUrl());
        if (v.acknowledgedBy() != null) a.put("acknowledged_by", v.acknowledgedBy());
        return a;
    }

    static String description(IncidentView v) {
        List<String> parts = new ArrayList<>();
        if (!v.evidence().isEmpty()) parts.add("Evidence: " + v.evidenceText() + ".");
        if (!v.jobs().isEmpty()) parts.add("Jobs: " + String.join(", ", v.jobs()) + ".");
        if (!v.racks().isEmpty()) parts.add("Racks: " + String.join(", ", v.racks()) + ".");
        if (!v.attached().isEmpty()) {
            StringBuilder b = new StringBuilder("Attached alerts (" + v.attached().size() + "):");
            v.attached().stream().limit(20).forEach(a -> b.append("\n- ").append(a.type()).append(" on ")
                    .append(a.entity()).append(a.resolved() ? " (resolved)" : "").append(": ").append(a.summary()));
            if (v.attached().size() > 20) b.append("\n- and ").append(v.attached().size() - 20).append(" more");
            parts.add(b.toString());
        }
        return String.join(" ", parts);
    }

    static ArrayNode alertmanager(Notification n, ReceiverSpec.Alertmanager am, Instant now) {
        IncidentView v = n.view();
        ArrayNode list = WireFormat.mapper().createArrayNode();
        ObjectNode alert = list.addObject();
        ObjectNode labels = alert.putObject("labels");
        alertLabels(v).forEach(labels::put);
        ObjectNode ann = alert.putObject("annotations");
        annotations(v).forEach(ann::put);
        alert.put("startsAt", v.startsAt().toString());
        if (n.action() == Action.RESOLVE) {
            alert.put("endsAt", (v.endsAt() == null ? now : v.endsAt()).toString());
        } else {
            // As Prometheus does: a firing alert is valid for four resend intervals, so Alertmanager resolves it by
            // itself if Vigil stops sending, but never between two sends.
            alert.put("endsAt", now.plus(am.resend().multipliedBy(4)).truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (v.dashboardUrl() != null) alert.put("generatorURL", v.dashboardUrl());
        return list;
    }

    /** PagerDuty severities: critical, error, warning, info. */
    static String pagerDutySeverity(String severity) {
        return switch (severity) {
            case "critical" -> "critical";
            case "warning" -> "warning";
            default -> "info";
        };
    }

    /** The dedup key: one per incident episode, so a retry or a restart never opens a second PagerDuty incident. */
    public static String dedupKey(IncidentView v) {
        return "vigil-" + v.incident() + "-" + v.startsAt().toEpochMilli();
    }

    static ObjectNode pagerDuty(Notification n, String routingKey) {
        IncidentView v = n.view();
        ObjectNode o = WireFormat.mapper().createObjectNode();
        o.put("routing_key", routingKey);
        String action = switch (n.action()) {
            case RESOLVE -> "resolve";
            case ACKNOWLEDGE -> "acknowledge";
            default -> "trigger";
        };
        o.put("event_action", action);
        o.put("dedup_key", dedupKey(v));
        if (action.equals("trigger")) {
            ObjectNode p = o.putObject("payload");
            p.put("summary", cut("[" + v.type() + "] " + v.summary(), PD_SUMMARY_MAX));
            p.put("source", v.entity().isEmpty() ? "vigil" : v.entity());
            p.put("severity", pagerDutySeverity(v.severity()));
            p.put("timestamp", v.startsAt().toString());
            if (v.labels().get("host") != null) p.put("component", v.labels().get("host"));
            if (v.labels().get("cluster") != null) p.put("group", v.labels().get("cluster"));
            p.put("class", v.type());
            ObjectNode details = p.putObject("custom_details");
            details.put(io.vigil.model.IncidentLabels.INCIDENT, v.incident());
            details.put("evidence", v.evidenceText());
            details.set("jobs", WireFormat.mapper().valueToTree(v.jobs()));
            details.set("racks", WireFormat.mapper().valueToTree(v.racks()));
            details.put("attached_alerts", v.attached().size());
            if (!v.attached().isEmpty()) details.put("attached", description(v));
            details.set("labels", WireFormat.mapper().valueToTree(alertLabels(v)));
            o.put("client", "Vigil");
            if (v.dashboardUrl() != null) {
                o.put("client_url", v.dashboardUrl());
                ArrayNode links = o.putArray("links");
                links.addObject().put("href", v.dashboardUrl()).put("text", "Incident in Vigil");
                if (v.runbookUrl() != null) links.addObject().put("href", v.runbookUrl()).put("text", "Runbook");
            }
        }
        return o;
    }

    static ObjectNode slack(Notification n, String channel) {
        IncidentView v = n.view();
        String head = switch (n.action()) {
            case RESOLVE -> "Resolved";
            case ACKNOWLEDGE -> "Acknowledged by " + v.acknowledgedBy();
            case UPDATE -> "Update";
            case REPEAT -> "Still firing";
            default -> "Firing";
        };
        String title = head + ": " + v.severity().toUpperCase(java.util.Locale.ROOT) + " " + v.type() + " on "
                + v.entity();
        ObjectNode o = WireFormat.mapper().createObjectNode();
        // No "channel": an incoming webhook posts to the one channel it was made for and ignores the key.
        o.put("text", cut(title + " \u2014 " + slackText(v.summary()), SLACK_TEXT_MAX));
        ArrayNode blocks = o.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(title, SLACK_HEADER_MAX));
        ObjectNode summary = blocks.addObject().put("type", "section");
        summary.putObject("text").put("type", "mrkdwn").put("text", cut(slackText(v.summary()), SLACK_TEXT_MAX));
        ObjectNode facts = blocks.addObject().put("type", "section");
        ArrayNode fields = facts.putArray("fields");
        field(fields, "*Severity*\n" + v.severity());
        field(fields, "*Since*\n" + v.startsAt());
        if (!v.jobs().isEmpty()) field(fields, "*Jobs*\n" + slackText(String.join(", ", v.jobs())));
        if (!v.racks().isEmpty()) field(fields, "*Racks*\n" + slackText(String.join(", ", v.racks())));
        if (!v.attached().isEmpty()) field(fields, "*Attached alerts*\n" + v.attached().size());
        if (v.labels().get("team") != null) field(fields, "*Team*\n" + slackText(v.labels().get("team")));
        if (!v.evidence().isEmpty()) {
            ObjectNode ev = blocks.addObject().put("type", "section");
            ev.putObject("text").put("type", "mrkdwn").put("text", cut("*Evidence* " + slackText(v.evidenceText()),
                    SLACK_TEXT_MAX));
        }
        List<String> context = new ArrayList<>();
        context.add("incident " + slackText(v.incident()));
        if (v.dashboardUrl() != null) context.add("<" + v.dashboardUrl() + "|Open in Vigil>");
        if (v.runbookUrl() != null) context.add("<" + v.runbookUrl() + "|Runbook>");
        ObjectNode ctx = blocks.addObject().put("type", "context");
        ctx.putArray("elements").addObject().put("type", "mrkdwn").put("text", cut(String.join(" \u00b7 ", context), SLACK_TEXT_MAX));
        return o;
    }

    /**
     * Text from the telemetry (a job name from {@code SLURM_JOB_NAME}, a host name, a summary) escaped as Slack
     * asks: {@code &}, {@code <} and {@code >} as entities, so it can neither mention {@code <!channel>} nor make a
     * link; only Vigil's own links are markup.
     */
    static String slackText(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void field(ArrayNode fields, String text) {
        if (fields.size() < 10) fields.addObject().put("type", "mrkdwn").put("text", cut(text, SLACK_FIELD_MAX));
    }

    static ObjectNode webhook(Notification n) {
        IncidentView v = n.view();
        boolean resolved = n.action() == Action.RESOLVE;
        ObjectNode o = WireFormat.mapper().createObjectNode();
        o.put("version", "4");
        o.put("groupKey", "{}:{incident=\"" + v.incident() + "\"}");
        o.put("truncatedAlerts", 0);
        o.put("status", resolved ? "resolved" : "firing");
        o.put("receiver", n.target().receiver());
        o.putObject("groupLabels").put(io.vigil.model.IncidentLabels.INCIDENT, v.incident());
        ObjectNode common = o.putObject("commonLabels");
        alertLabels(v).forEach(common::put);
        ObjectNode commonAnn = o.putObject("commonAnnotations");
        annotations(v).forEach(commonAnn::put);
        o.put("externalURL", v.dashboardUrl() == null ? "" : v.dashboardUrl().replaceAll("/incidents/.*$", ""));
        ObjectNode alert = o.putArray("alerts").addObject();
        alert.put("status", resolved ? "resolved" : "firing");
        alert.set("labels", common.deepCopy());
        alert.set("annotations", commonAnn.deepCopy());
        alert.put("startsAt", v.startsAt().toString());
        alert.put("endsAt", resolved && v.endsAt() != null ? v.endsAt().toString() : "0001-01-01T00:00:00Z");
        alert.put("generatorURL", v.dashboardUrl() == null ? "" : v.dashboardUrl());
        alert.put("fingerprint", v.incident());
        // Vigil's own fields; receivers written for Alertmanager ignore them.
        o.put("vigilAction", n.action().name().toLowerCase(java.util.Locale.ROOT));
        o.put("vigilNotificationId", n.id());
        return o;
    }

    private static byte[] bytes(Object json) {
        return WireFormat.encode(json);
    }

    static String cut(String s, int max) {
        if (s == null) return "";
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }
}
