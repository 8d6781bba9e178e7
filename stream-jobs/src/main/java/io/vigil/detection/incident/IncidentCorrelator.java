package io.vigil.detection.incident;

import io.vigil.detection.alert.KeyedDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.Origin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.util.Collector;

/**
 * Turns the detectors' alerts into incidents, one per root cause, keyed by cluster. A new alert that an open
 * incident explains becomes its child (label {@code root=false}, {@code incident=<root fingerprint>}): on-call is
 * paged once, for the root ({@code root=true}), and sees the consequences attached. What explains what:
 * <ul>
 * <li>a CDU's cooling alert explains what happens on the racks it feeds (GPUs heating, stragglers, rack air);</li>
 * <li>a rack's air or PDU alert explains what happens on that rack;</li>
 * <li>a host-level alert (host silent, host straggling) explains the alerts of that host's GPUs;</li>
 * <li>an alert on a GPU (thermal, lost, XID, silent) explains the other alerts on that same GPU, e.g. the straggler
 * its throttling makes;</li>
 * <li>a job's synchronization stall explains stragglers in the job;</li>
 * <li>a silent host explains the other hosts that fall silent through the same collector;</li>
 * <li>and an alert a child explains joins the child's incident (CDU → GPU heat → straggler).</li>
 * </ul>
 * When the root's incident reaches a new job, the root is sent again (same fingerprint and start, so an
 * Alertmanager-style receiver updates it) listing the affected jobs.
 *
 * <p>One page per real episode: when the root resolves, its RESOLVED is held for {@code repageQuiet}. If the same
 * problem (the same fingerprint: the same rank, GPU or device) fires again within that time, the incident goes on —
 * no new page, the root is sent again counting the excursions and when the last began — and the resolve waits for
 * another quiet period. A flapping rank is one open incident, not a page per flap. Only once the root has stayed
 * resolved for the whole quiet time is the resolve sent (its start the incident's first, its end the last
 * excursion's). {@code repageQuiet} 0 sends the resolve at once and pages every recurrence.
 *
 * <p>An incident stays open to late consequences for {@code grace} after its root resolves — alerts that began before
 * it resolved — then its state goes. What begins after the root resolved (and its quiet time passed) is new: the
 * same problem recurring opens a new incident and pages again, as does anything else that incident would have
 * explained. The root/incident labels of an alert stay the same from its FIRING to its RESOLVED event.
 *
 * <p>Why alerts are held: the detectors run in parallel, so alerts reach this operator in no useful order; a
 * straggler can arrive before the thermal alert that causes it although it began 20 s later. Taking them as they
 * come would page the consequence as a root. So each alert waits in state until the watermark has passed its
 * detection time plus {@code hold}; by then every alert detected up to that time has arrived (the watermark's
 * promise), and the waiting alerts are taken in event-time order (start for FIRING, end for RESOLVED), broader
 * causes first on a tie. An alert never goes ahead of a waiting one that began earlier. A cause detected more than
 * {@code hold} after its consequence is still judged in arrival order; that is the price of paging without
 * waiting longer.
 */
public final class IncidentCorrelator extends KeyedDetector<String, AlertEvent, IncidentCorrelator.State> {

    /** An open (or recently closed) incident. */
    public static final class Incident {
        public AlertEvent root;
        public String rootSummary;
        public TreeSet<String> jobs = new TreeSet<>();
        public int related;
        public long closedAt = Long.MIN_VALUE;
        /** The root's RESOLVED, held until the quiet time has passed without the root firing again. */
        public AlertEvent heldResolve;
        public long quietUntil = Long.MIN_VALUE;
        /** How many times the root has fired in this incident, and when it last began. */
        public int excursions = 1;
        public long lastFiredAt;
    }

    /** An alert currently firing, and which incident it belongs to. */
    public static final class Open {
        public Map<String, String> labels;
        public AlertType type;
        public long startsAt;
        public String incident;
    }

    /** An alert waiting for the watermark, with the event time at which it may be judged. */
    public static final class Waiting {
        public AlertEvent alert;
        public long releaseAt;
        public long arrival;
    }

    public static final class State {
        public LinkedHashMap<String, Incident> incidents = new LinkedHashMap<>();
        public HashMap<String, Open> open = new HashMap<>();
        public ArrayList<Waiting> waiting = new ArrayList<>();
        public long arrivals;
        public long seq;
    }

    /** The order alerts are judged in: event time, then broader causes first, then arrival. */
    static final Comparator<Waiting> JUDGING_ORDER = Comparator
            .<Waiting>comparingLong(w -> w.alert.eventTimeMs())
            .thenComparingInt(w -> breadth(w.alert))
            .thenComparingLong(w -> w.arrival);

    private final long graceMs;
    private final long holdMs;
    private final long quietMs;

    /** Without a hold or a re-page quiet time: alerts wait only for the watermark to pass their detection time. */
    public IncidentCorrelator(Duration grace) {
        this(grace, Duration.ZERO);
    }

    /** Without a re-page quiet time: a root's resolve is sent at once. */
    public IncidentCorrelator(Duration grace, Duration hold) {
        this(grace, hold, Duration.ZERO);
    }

    public IncidentCorrelator(Duration grace, Duration hold, Duration repageQuiet) {
        super("incidents", State.class);
        if (hold.isNegative()) throw new IllegalArgumentException("incident hold must be >= 0");
        if (repageQuiet.isNegative()) throw new IllegalArgumentException("re-page quiet time must be >= 0");
        this.graceMs = grace.toMillis();
        this.holdMs = hold.toMillis();
        this.quietMs = repageQuiet.toMillis();
    }

    @Override
    public void processElement(AlertEvent a, Context ctx, Collector<AlertEvent> out) throws Exception {
        State st = load();
        if (st == null) st = new State();
        long detected = ctx.timestamp() == null ? a.eventTimeMs() : Math.max(ctx.timestamp(), a.eventTimeMs());
        Waiting w = new Waiting();
        w.alert = a;
        w.releaseAt = detected + holdMs;
        w.arrival = st.arrivals++;
        st.waiting.add(w);
        ctx.timerService().registerEventTimeTimer(w.releaseAt);
        save(st);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        State st = load();
        if (st == null) return;
        st.waiting.sort(JUDGING_ORDER);
        Iterator<Waiting> it = st.waiting.iterator();
        while (it.hasNext()) {
            Waiting w = it.next();
            // Stop at the first one not yet due: what began later waits for it.
            if (w.releaseAt > timestamp) break;
            it.remove();
            judge(st, w.alert, out);
        }
        releaseQuiet(st, timestamp, out);
        long horizon = st.waiting.stream().mapToLong(w -> w.alert.eventTimeMs()).min().orElse(timestamp);
        cleanup(st, Math.min(timestamp, horizon));
        if (st.incidents.isEmpty() && st.open.isEmpty() && st.waiting.isEmpty()) {
            drop();
            return;
        }
        long next = nextCleanup(st, timestamp);
        if (next != Long.MIN_VALUE) ctx.timerService().registerEventTimeTimer(next);
        save(st);
    }

    /** Broader causes first: facility, then host, then GPU, then job-level alerts. */
    static int breadth(AlertEvent a) {
        if (a.state() == AlertEvent.State.RESOLVED) return 0;
        if (a.type() == AlertType.LEAK) return 0; // a leak is judged first: what it causes attaches to it
        if (a.type() == AlertType.COOLING || a.type() == AlertType.POWER) return 1;
        String scope = a.labels().get("scope");
        if ("host".equals(scope)) return 2;
        if ("gpu".equals(scope)) return 3;
        if (a.type() == AlertType.SYNC_STALL) return 4;
        return 5;
    }

    /** Decides {@code a}'s incident and emits it, in judging order. */
    private void judge(State st, AlertEvent a, Collector<AlertEvent> out) {
        long now = a.eventTimeMs();
        if (a.state() == AlertEvent.State.FIRING) {
            Open known = st.open.get(a.fingerprint());
            if (known != null && known.startsAt == a.startsAt().toEpochMilli()) {
                out.collect(label(a, known.incident, known.incident.equals(a.fingerprint())));
                return;
            }
            Incident previous = st.incidents.get(a.fingerprint());
            if (previous != null && previous.heldResolve != null) {
                // The same problem again within its quiet time: the incident goes on, no new page.
                previous.heldResolve = null;
                previous.quietUntil = Long.MIN_VALUE;
                previous.excursions++;
                previous.lastFiredAt = a.startsAt().toEpochMilli();
                Open o = new Open();
                o.labels = a.labels();
                o.type = a.type();
                o.startsAt = a.startsAt().toEpochMilli();
                o.incident = a.fingerprint();
                st.open.put(a.fingerprint(), o);
                out.collect(rootUpdate(st, previous, a));
                cleanup(st, now);
                return;
            }
            if (previous != null && previous.closedAt != Long.MIN_VALUE) {
                // The same problem again after its incident resolved: a new incident, paged again.
                st.incidents.remove(a.fingerprint());
            }
            a = suspect(st, a);
            String parent = explain(st, a);
            Open o = new Open();
            o.labels = a.labels();
            o.type = a.type();
            o.startsAt = a.startsAt().toEpochMilli();
            if (parent == null) {
                Incident inc = new Incident();
                inc.root = a;
                inc.rootSummary = a.summary();
                inc.lastFiredAt = a.startsAt().toEpochMilli();
                String job = a.labels().get("job");
                if (job != null) inc.jobs.add(job);
                st.incidents.put(a.fingerprint(), inc);
                o.incident = a.fingerprint();
                st.open.put(a.fingerprint(), o);
                out.collect(label(a, a.fingerprint(), true));
            } else {
                Incident inc = st.incidents.get(parent);
                o.incident = parent;
                st.open.put(a.fingerprint(), o);
                out.collect(label(a, parent, false));
                inc.related++;
                String job = a.labels().get("job");
                if (job != null && inc.jobs.add(job) && inc.closedAt == Long.MIN_VALUE) {
                    out.collect(rootUpdate(st, inc, a));
                }
            }
        } else {
            Open o = st.open.remove(a.fingerprint());
            String incident = o == null ? a.fingerprint() : o.incident;
            boolean root = incident.equals(a.fingerprint());
            Incident inc = st.incidents.get(incident);
            if (root && inc != null && quietMs > 0) {
                // Held: sent once the root has stayed resolved for the quiet time (releaseQuiet).
                inc.heldResolve = a;
                inc.quietUntil = now + quietMs;
                cleanup(st, now);
                return;
            }
            if (root && inc != null) {
                inc.closedAt = now;
                a = a.withSummary(a.summary() + suffix(inc), a.evidence());
            }
            out.collect(label(a, incident, root));
        }
        cleanup(st, now);
    }

    /** Sends the held resolves whose quiet time has passed, in the order they resolved. */
    private void releaseQuiet(State st, long now, Collector<AlertEvent> out) {
        List<Incident> due = new ArrayList<>();
        for (Incident inc : st.incidents.values()) {
            if (inc.heldResolve != null && inc.quietUntil <= now) due.add(inc);
        }
        due.sort(Comparator.comparingLong(i -> i.heldResolve.eventTimeMs()));
        for (Incident inc : due) {
            AlertEvent r = inc.heldResolve;
            inc.heldResolve = null;
            inc.quietUntil = Long.MIN_VALUE;
            inc.closedAt = r.eventTimeMs();
            // One event closes the incident's root as it was first sent: its first start, the last excursion's end.
            AlertEvent resolved = new AlertEvent(r.fingerprint(), r.type(), r.severity(), r.state(),
                    inc.root.startsAt(), r.endsAt(), r.labels(), r.summary() + suffix(inc), excursions(inc, r.evidence()),
                    r.origin(), r.detectedAt());
            out.collect(label(resolved, r.fingerprint(), true));
        }
    }

    private static Map<String, Double> excursions(Incident inc, Map<String, Double> evidence) {
        if (inc.excursions <= 1) return evidence;
        Map<String, Double> e = new TreeMap<>(evidence);
        e.put("excursions", (double) inc.excursions);
        return e;
    }

    /** Drops incidents closed for longer than the grace period whose consequences are all resolved. */
    private void cleanup(State st, long now) {
        Iterator<Map.Entry<String, Incident>> it = st.incidents.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Incident> e = it.next();
            Incident inc = e.getValue();
            if (inc.closedAt != Long.MIN_VALUE && inc.closedAt + graceMs <= now
                    && st.open.values().stream().noneMatch(o -> o.incident.equals(e.getKey()))) {
                it.remove();
            }
        }
    }

    /**
     * The next time an incident's grace ends or a held resolve is due, after {@code now}; one kept for its open
     * consequences waits for them.
     */
    private long nextCleanup(State st, long now) {
        long next = Long.MAX_VALUE;
        for (Incident i : st.incidents.values()) {
            if (i.closedAt != Long.MIN_VALUE && i.closedAt + graceMs > now) next = Math.min(next, i.closedAt + graceMs);
            if (i.heldResolve != null) next = Math.min(next, Math.max(i.quietUntil, now + 1));
        }
        return next == Long.MAX_VALUE ? Long.MIN_VALUE : next;
    }

    /** The incident that explains {@code a}, or null when {@code a} is a root cause of its own. */
    private String explain(State st, AlertEvent a) {
        // Coolant on electronics is the costliest failure a liquid-cooled site has: a leak always pages.
        if (a.type() == AlertType.LEAK) return null;
        String best = null;
        int bestRank = Integer.MAX_VALUE;
        long started = a.startsAt().toEpochMilli();
        for (Map.Entry<String, Incident> e : st.incidents.entrySet()) {
            // A resolved incident takes only what began before it resolved (late reports of its consequences);
            // a problem that begins after is new, and pages.
            if (e.getValue().closedAt != Long.MIN_VALUE && started > e.getValue().closedAt) continue;
            int rank = explains(e.getValue().root.type(), e.getValue().root.labels(), a);
            if (rank < bestRank) {
                bestRank = rank;
                best = e.getKey();
            }
        }
        if (best != null) return best;
        // Through a consequence: what a child explains belongs to the child's incident.
        for (Open o : st.open.values()) {
            Incident via = st.incidents.get(o.incident);
            if (via != null && (via.closedAt == Long.MIN_VALUE || started <= via.closedAt)
                    && explains(o.type, o.labels, a) < Integer.MAX_VALUE) {
                return o.incident;
            }
        }
        return null;
    }

    /** How directly an alert of {@code type} with {@code on} explains {@code a}: lower is broader, MAX_VALUE is not. */
    static int explains(AlertType type, Map<String, String> on, AlertEvent a) {
        Map<String, String> l = a.labels();
        if (!eq(on.get("cluster"), l.get("cluster"))) return Integer.MAX_VALUE;
        // A suspect reading explains no problem: a DATA_QUALITY record on a GPU must not swallow its real alerts.
        if (type == AlertType.DATA_QUALITY) return Integer.MAX_VALUE;
        String rack = l.get("rack");
        if (type == AlertType.LEAK && a.type() != AlertType.LEAK) {
            // What a leak causes: the GPUs and hosts of its rack heating, and the CDU feeding that rack losing flow
            // or pressure as coolant escapes.
            // On the leak's own rack it is the narrowest cause there is, ahead of the loop that feeds the rack (0).
            if (on.get("rack") != null && eq(on.get("rack"), rack)) return -1;
            if (a.type() == AlertType.COOLING && l.get("racks") != null && on.get("rack") != null
                    && Arrays.asList(l.get("racks").split(",")).contains(on.get("rack"))) {
                return 1;
            }
            if (on.get("racks") != null && rack != null && Arrays.asList(on.get("racks").split(",")).contains(rack)) {
                return 1;
            }
            return Integer.MAX_VALUE;
        }
        if (type == AlertType.COOLING && on.get("racks") != null && rack != null
                && Arrays.asList(on.get("racks").split(",")).contains(rack)) {
            return 0;
        }
        if ((type == AlertType.COOLING || type == AlertType.POWER) && on.get("rack") != null && on.get("host") == null
                && eq(on.get("rack"), rack) && a.type() != type) {
            return 1;
        }
        String scope = on.get("scope");
        if ("host".equals(scope) && on.get("host") != null && eq(on.get("host"), l.get("host"))) {
            return 2;
        }
        if ("gpu".equals(scope) && on.get("gpu") != null && eq(on.get("host"), l.get("host"))
                && eq(on.get("gpu"), l.get("gpu"))) {
            return 3;
        }
        if (type == AlertType.SYNC_STALL && a.type() == AlertType.STRAGGLER && eq(on.get("job"), l.get("job"))) {
            return 4;
        }
        // Hosts falling silent through the same collector: the collector, or the path from it through Kafka, is the
        // likelier cause than every host at once (a dcgm-exporter scraper or a Redfish poller covers many hosts, and
        // after a Kafka outage a collector whose spool drains last looks silent to the detectors until it has).
        if (type == AlertType.SILENT && a.type() == AlertType.SILENT && "host".equals(scope)
                && "host".equals(l.get("scope")) && on.get("collector") != null
                && eq(on.get("collector"), l.get("collector"))) {
            return 5;
        }
        return Integer.MAX_VALUE;
    }

    private AlertEvent rootUpdate(State st, Incident inc, AlertEvent cause) {
        AlertEvent r = inc.root;
        Map<String, Double> evidence = new TreeMap<>(r.evidence());
        evidence.put("relatedAlerts", (double) inc.related);
        if (inc.excursions > 1) evidence.put("excursions", (double) inc.excursions);
        AlertEvent updated = r.withSummary(inc.rootSummary + suffix(inc), evidence)
                .withOrigin(new Origin("correlator:" + r.labels().get("cluster"), 0, ++st.seq));
        return label(updated, r.fingerprint(), true);
    }

    private static String suffix(Incident inc) {
        if (inc.jobs.isEmpty() && inc.related == 0 && inc.excursions <= 1) return "";
        List<String> parts = new ArrayList<>();
        if (inc.excursions > 1) {
            parts.add(inc.excursions + " excursions, the last from "
                    + java.time.Instant.ofEpochMilli(inc.lastFiredAt).toString().substring(11, 19) + " UTC");
        }
        if (!inc.jobs.isEmpty()) parts.add("affects " + String.join(", ", inc.jobs));
        if (inc.related > 0) parts.add(inc.related + " related alert" + (inc.related == 1 ? "" : "s"));
        return " \u2014 " + String.join("; ", parts);
    }

    /** Which DATA_QUALITY checks make which detector's evidence suspect: the fields each detector reads. */
    static final Map<AlertType, List<String>> SUSPECT_CHECKS = Map.of(
            AlertType.THERMAL, List.of("temperature-frozen"),
            AlertType.STRAGGLER, List.of("sm-activity-zero", "power-below-idle"));

    /**
     * An alert on a GPU whose reading it depends on is open as DATA_QUALITY (a frozen temperature under a thermal
     * alert, an SM activity stuck at 0 under a straggler) says so: label {@code suspect} names the checks, and the
     * summary ends with them. It still pages: the data may be wrong, or the GPU may be both.
     */
    static AlertEvent suspect(State st, AlertEvent a) {
        List<String> checks = SUSPECT_CHECKS.get(a.type());
        String host = a.labels().get("host"), gpu = a.labels().get("gpu");
        if (checks == null || host == null || gpu == null) return a;
        TreeSet<String> open = new TreeSet<>();
        for (Open o : st.open.values()) {
            if (o.type == AlertType.DATA_QUALITY && host.equals(o.labels.get("host")) && gpu.equals(o.labels.get("gpu"))
                    && checks.contains(o.labels.get("check"))) {
                open.add(o.labels.get("check"));
            }
        }
        if (open.isEmpty()) return a;
        Map<String, String> labels = new LinkedHashMap<>(a.labels());
        labels.put("suspect", String.join(",", open));
        return a.withLabels(labels).withSummary(a.summary() + " (suspect data: " + String.join(", ", open)
                + " on this GPU)", a.evidence());
    }

    private static AlertEvent label(AlertEvent a, String incident, boolean root) {
        Map<String, String> labels = new LinkedHashMap<>(a.labels());
        labels.put(io.vigil.model.IncidentLabels.INCIDENT, incident);
        labels.put(io.vigil.model.IncidentLabels.ROOT, String.valueOf(root));
        return a.withLabels(labels);
    }

    private static boolean eq(String x, String y) {
        return x != null && x.equals(y);
    }
}
