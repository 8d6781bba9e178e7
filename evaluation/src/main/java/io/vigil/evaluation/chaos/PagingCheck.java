package io.vigil.evaluation.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What on-call's receiver behind an Alertmanager pair was told, judged against what Vigil sent the pair (R7).
 *
 * <ul>
 * <li><b>missed page</b>: an incident Vigil delivered a TRIGGER for to either instance, at least {@code grace} before the
 * cut-off, that never reached on-call as {@code firing};</li>
 * <li><b>false resolve</b>: a {@code resolved} for an incident at on-call with no RESOLVE of it sent by Vigil since its
 * last TRIGGER and up to that moment (plus {@link #CLOCK_TOLERANCE_MS}): the pair let an open incident expire;</li>
 * <li><b>duplicate trigger</b>: a {@code firing} at on-call for an incident whose previous message there was already
 * {@code firing}, with no new TRIGGER from Vigil in between.</li>
 * </ul>
 */
public final class PagingCheck {

    /** Vigil records an attempt when the answer arrives; the pair has the alert a moment before. */
    static final long CLOCK_TOLERANCE_MS = 2000;

    /** One message at on-call: Alertmanager's webhook body, grouped by incident. */
    public record Message(String incident, boolean firing, long atMs) {

        /** Reads an Alertmanager webhook body (version 4) grouped by {@code incident}. */
        public static Message of(JsonNode body, long atMs) {
            String incident = body.path("groupLabels").path("incident").asText("");
            if (incident.isEmpty()) incident = body.path("alerts").path(0).path("labels").path("incident").asText("");
            return new Message(incident, "firing".equals(body.path("status").asText()), atMs);
        }
    }

    /** The figures, with up to ten examples of each kind of failure. */
    public record Verdict(int pagedIncidents, int firingMessages, int resolvedMessages, long missedPages,
                          long falseResolves, long duplicateTriggers, List<String> examples) {
        public boolean clean() {
            return missedPages == 0 && falseResolves == 0 && duplicateTriggers == 0;
        }
    }

    private PagingCheck() {}

    /**
     * @param attempts Vigil's attempts to the pair's receiver (every target of it)
     * @param messages what on-call received, in any order
     * @param cutoffMs the end of what is judged; later attempts and messages are ignored
     * @param graceMs  how long an incident may take from Vigil's TRIGGER to on-call (the pair's group_wait and more)
     */
    public static Verdict judge(List<NotificationAttempt> attempts, List<Message> messages, long cutoffMs,
                                long graceMs) {
        Map<String, List<Long>> triggers = new HashMap<>();
        Map<String, List<Long>> resolves = new HashMap<>();
        Set<String> paged = new TreeSet<>();
        for (NotificationAttempt a : attempts) {
            long at = a.at().toEpochMilli();
            if (at > cutoffMs) continue;
            if (a.action() == Action.TRIGGER) {
                triggers.computeIfAbsent(a.incident(), k -> new ArrayList<>()).add(at);
                if (a.outcome() == Outcome.DELIVERED && at <= cutoffMs - graceMs) paged.add(a.incident());
            } else if (a.action() == Action.RESOLVE) {
                resolves.computeIfAbsent(a.incident(), k -> new ArrayList<>()).add(at);
            }
        }
        List<Message> sorted = messages.stream().filter(m -> m.atMs() <= cutoffMs)
                .sorted(Comparator.comparingLong(Message::atMs)).toList();
        List<String> examples = new ArrayList<>();
        Map<String, Message> previous = new HashMap<>();
        Set<String> told = new TreeSet<>();
        long falseResolves = 0, duplicates = 0;
        int firing = 0, resolved = 0;
        for (Message m : sorted) {
            Message before = previous.put(m.incident(), m);
            long lastTrigger = latestAtOrBefore(triggers.get(m.incident()), m.atMs() + CLOCK_TOLERANCE_MS);
            if (m.firing()) {
                firing++;
                told.add(m.incident());
                boolean newTrigger = before != null && lastTrigger > before.atMs();
                if (before != null && before.firing() && !newTrigger) {
                    duplicates++;
                    example(examples, "duplicate firing for " + m.incident() + ", "
                            + (m.atMs() - before.atMs()) / 1000.0 + " s after the previous one");
                }
            } else {
                resolved++;
                boolean vigilResolved = resolves.getOrDefault(m.incident(), List.of()).stream()
                        .anyMatch(r -> r >= lastTrigger && r <= m.atMs() + CLOCK_TOLERANCE_MS);
                if (!vigilResolved) {
                    falseResolves++;
                    example(examples, "resolved at on-call for " + m.incident() + " at " + m.atMs()
                            + " while Vigil had not resolved it");
                }
            }
        }
        long missed = 0;
        for (String incident : paged) {
            if (!told.contains(incident)) {
                missed++;
                example(examples, "paged " + incident + " to the pair, never firing at on-call");
            }
        }
        return new Verdict(paged.size(), firing, resolved, missed, falseResolves, duplicates, List.copyOf(examples));
    }

    private static long latestAtOrBefore(List<Long> times, long limit) {
        long latest = Long.MIN_VALUE;
        if (times != null) {
            for (long t : times) if (t <= limit && t > latest) latest = t;
        }
        return latest;
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < 10) examples.add(text);
    }
}
