package io.vigil.notify.incident;

import io.vigil.model.AlertEvent;
import io.vigil.model.JobEvent;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import io.vigil.model.Silence;
import io.vigil.notify.routing.ReceiverSpec;
import io.vigil.notify.routing.Route;
import io.vigil.notify.routing.RoutingConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides who is told what about one incident, keyed by the incident (its root alert's fingerprint). Only incidents
 * page: the alerts attached to an incident ({@code root=false}) appear inside its notifications.
 *
 * <p>Per incident and per delivery target the routes select, in processing time:
 * <ul>
 * <li>TRIGGER {@code group_wait} after the root arrived, so the first consequences join the first page;</li>
 * <li>UPDATE when the incident grew (a new attached alert, job or rack, a root update), at most once per
 * {@code group_interval};</li>
 * <li>REPEAT every {@code repeat_interval} while firing and unacknowledged;</li>
 * <li>REFRESH (Alertmanager only) every {@code resend_interval}, so Alertmanager does not time the alert out;</li>
 * <li>ACKNOWLEDGE to PagerDuty and Slack when someone acknowledges;</li>
 * <li>RESOLVE when the root resolves, to every target that was ever triggered for the incident, whatever the
 * labels or the routing say by then (a page sent to the default receiver before the job's team was known is
 * resolved there too) — always after its TRIGGER, because a target's deliveries for one incident are sent in
 * order. A triggered target whose receiver is no longer configured at all cannot be told; that is logged.</li>
 * </ul>
 * A silence or maintenance window that covers the incident when a notification falls due withholds it: it is
 * recorded once (outcome SILENCED or MAINTENANCE) and not sent. When the silence ends and the incident still fires,
 * the page goes out then. A resolution is sent to every target that was paged, silenced since or not, so no page is
 * left open. An incident resolved before its {@code group_wait} ended pages nobody.
 *
 * <p>The incident's state and timer are dropped as soon as its resolutions are handed to the dispatcher, which
 * keeps undelivered notifications in its own checkpointed state.
 */
public final class IncidentNotifier
        extends KeyedBroadcastProcessFunction<String, AlertEvent, NotifyControl, Notification> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IncidentNotifier.class);

    public static final MapStateDescriptor<String, Silence> SILENCES =
            new MapStateDescriptor<>("silences", String.class, Silence.class);
    public static final MapStateDescriptor<String, JobOwner> JOB_OWNERS =
            new MapStateDescriptor<>("job-owners", String.class, JobOwner.class);

    /** Silences and ended jobs are forgotten this long after they stopped mattering. */
    static final long FORGET_AFTER_MS = Duration.ofDays(1).toMillis();

    /** One incident's notification state. */
    public static final class IncidentState {
        public AlertEvent root;
        public long openedAt;
        public long rootSeenAt;
        public LinkedHashMap<String, AlertEvent> attached = new LinkedHashMap<>();
        public int version;
        public long changedAt;
        public String ackBy;
        public HashMap<String, Sent> sent = new HashMap<>();
        public long timer = Long.MIN_VALUE;
        public boolean resolved;
        public long resolvedAt;
    }

    /** What one delivery target was told about the incident. */
    public static final class Sent {
        public boolean triggered;
        public boolean acknowledged;
        public long lastAt;
        public long lastRefreshAt;
        public int version;
        public int updates;
        public int repeats;
        public int refreshes;
        public String withheldBy;
    }

    private final RoutingConfig routing;
    private final String dashboardUrl;
    private final long orphanTimeoutMs;
    private transient ValueState<IncidentState> state;

    /**
     * @param dashboardUrl  base URL of the dashboard for links in notifications, or null
     * @param orphanTimeout how long alerts attached to an incident wait for its root before they are dropped (the
     *                      root and its consequences can arrive from different partitions in either order)
     */
    public IncidentNotifier(RoutingConfig routing, String dashboardUrl, Duration orphanTimeout) {
        this.routing = routing;
        this.dashboardUrl = dashboardUrl == null || dashboardUrl.isBlank() ? null
                : dashboardUrl.replaceAll("/+$", "");
        this.orphanTimeoutMs = orphanTimeout.toMillis();
    }

    static ValueStateDescriptor<IncidentState> descriptor() {
        return new ValueStateDescriptor<>("incident", IncidentState.class);
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(descriptor());
    }

    /** The key: the incident an alert belongs to. */
    public static String incidentOf(AlertEvent a) {
        return io.vigil.model.IncidentLabels.incidentId(a);
    }

    @Override
    public void processElement(AlertEvent a, ReadOnlyContext ctx, Collector<Notification> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        IncidentState st = state.value();
        boolean isRoot = a.fingerprint().equals(incidentOf(a));
        // An INFO incident (an XID the application caused, a suspect reading) is a record, never a page.
        if (isRoot && a.severity() == AlertEvent.Severity.INFO && st == null) return;
        if (st == null) {
            if (a.state() == AlertEvent.State.RESOLVED) {
                return; // Nothing was sent about it (or its resolution was already handled): nothing to close.
            }
            st = new IncidentState();
            st.openedAt = now;
        }
        if (isRoot) {
            if (a.state() == AlertEvent.State.FIRING) {
                if (st.root != null && !st.root.startsAt().equals(a.startsAt())) {
                    // A new episode without the old one's resolution: start over for it.
                    st = new IncidentState();
                    st.openedAt = now;
                }
                if (st.root == null) {
                    st.rootSeenAt = now;
                } else if (!st.root.summary().equals(a.summary()) || !st.root.evidence().equals(a.evidence())) {
                    st.version++;
                    st.changedAt = now;
                }
                st.root = a;
            } else {
                if (st.root == null) {
                    state.clear();
                    deleteTimer(ctx, st);
                    return;
                }
                st.root = a;
                st.resolved = true;
                st.resolvedAt = now;
            }
        } else {
            AlertEvent before = st.attached.put(a.fingerprint(), a);
            if (before == null || before.state() != a.state()) {
                st.version++;
                st.changedAt = now;
            }
        }
        evaluate(st, now, ctx, ctx.getBroadcastState(SILENCES), ctx.getBroadcastState(JOB_OWNERS), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Notification> out) throws Exception {
        IncidentState st = state.value();
        if (st == null || st.timer != timestamp) return;
        st.timer = Long.MIN_VALUE;
        evaluate(st, timestamp, ctx, ctx.getBroadcastState(SILENCES), ctx.getBroadcastState(JOB_OWNERS), out);
    }

    @Override
    public void processBroadcastElement(NotifyControl c, Context ctx, Collector<Notification> out) throws Exception {
        long now = ctx.currentProcessingTime();
        if (c.job() != null) {
            JobEvent j = c.job();
            BroadcastState<String, JobOwner> owners = ctx.getBroadcastState(JOB_OWNERS);
            String key = j.cluster() + "/" + j.jobId();
            if (j.kind() == JobEvent.Kind.END) {
                JobOwner o = owners.get(key);
                if (o != null) owners.put(key, new JobOwner(o.team(), o.account(), o.namespace(), now));
            } else if (j.team() != null || j.account() != null || j.namespace() != null) {
                owners.put(key, new JobOwner(j.team(), j.account(), j.namespace(), 0));
            }
            Iterator<Map.Entry<String, JobOwner>> it = owners.iterator();
            while (it.hasNext()) {
                JobOwner o = it.next().getValue();
                if (o.endedAt() != 0 && o.endedAt() + FORGET_AFTER_MS < now) it.remove();
            }
            return;
        }
        Silence s = c.silence();
        if (s == null || s.problem() != null) return;
        BroadcastState<String, Silence> silences = ctx.getBroadcastState(SILENCES);
        Iterator<Map.Entry<String, Silence>> it = silences.iterator();
        while (it.hasNext()) {
            Silence old = it.next().getValue();
            boolean over = old.kind() == Silence.Kind.ACK
                    ? old.startsAt().toEpochMilli() + FORGET_AFTER_MS < now
                    : old.endsAt() != null && old.endsAt().toEpochMilli() + FORGET_AFTER_MS < now;
            if (over) it.remove();
        }
        if (s.kind() != Silence.Kind.ACK) {
            silences.put(s.id(), s);
            return; // Applied when a notification falls due; an expired one stops applying by itself.
        }
        ReadOnlyBroadcastState<String, JobOwner> owners = ctx.getBroadcastState(JOB_OWNERS);
        ctx.applyToKeyedState(descriptor(), (incident, incidentState) -> {
            IncidentState st = incidentState.value();
            if (!incident.equals(s.incident()) || st == null || st.root == null || st.resolved || st.ackBy != null
                    || st.root.startsAt().isAfter(s.startsAt())) {
                return;
            }
            st.ackBy = s.createdBy() == null ? "someone" : s.createdBy();
            IncidentView view = view(st, labels(st.root, owners));
            for (Target t : targets(view.labels())) {
                Sent sent = st.sent.get(t.key());
                if (sent == null || !sent.triggered || sent.acknowledged) continue;
                if (t.spec() instanceof ReceiverSpec.PagerDuty || t.spec() instanceof ReceiverSpec.Slack) {
                    sent.acknowledged = true;
                    out.collect(new Notification(id(view, t, Action.ACKNOWLEDGE, 0), t.spec(), Action.ACKNOWLEDGE,
                            null, view, now));
                }
            }
            incidentState.update(st);
        });
    }

    private void evaluate(IncidentState st, long now, ReadOnlyContext ctx,
                          ReadOnlyBroadcastState<String, Silence> silences,
                          ReadOnlyBroadcastState<String, JobOwner> owners, Collector<Notification> out)
            throws Exception {
        if (st.root == null) {
            long expiry = st.openedAt + orphanTimeoutMs;
            if (now >= expiry) {
                state.clear();
                deleteTimer(ctx, st);
                return;
            }
            schedule(ctx, st, expiry);
            state.update(st);
            return;
        }
        Map<String, String> labels = labels(st.root, owners);
        IncidentView view = view(st, labels);
        if (st.resolved) {
            // Every target that was paged is told, routed there now or not.
            for (Map.Entry<String, Sent> e : st.sent.entrySet()) {
                if (!e.getValue().triggered) continue;
                e.getValue().triggered = false;
                ReceiverSpec spec = configured(e.getKey());
                if (spec == null) {
                    LOG.warn("Incident {} was paged to {}, which the routing no longer has: its resolution cannot be "
                            + "sent there", view.incident(), e.getKey());
                    continue;
                }
                Target t = new Target(spec, null);
                out.collect(new Notification(id(view, t, Action.RESOLVE, 0), spec, Action.RESOLVE, null, view,
                        st.resolvedAt));
            }
            state.clear();
            deleteTimer(ctx, st);
            return;
        }
        long next = Long.MAX_VALUE;
        for (Target t : targets(labels)) {
            Sent s = st.sent.computeIfAbsent(t.key(), k -> new Sent());
            Route r = t.route();
            if (!s.triggered) {
                long due = st.rootSeenAt + r.groupWait().toMillis();
                if (now < due) {
                    next = Math.min(next, due);
                    continue;
                }
                Silence w = withholding(silences, labels, now);
                if (w != null) {
                    if (!w.id().equals(s.withheldBy)) {
                        s.withheldBy = w.id();
                        out.collect(new Notification(id(view, t, Action.TRIGGER, 0) + "/" + w.id(), t.spec(),
                                Action.TRIGGER, outcome(w), view, st.rootSeenAt));
                    }
                    next = Math.min(next, w.endsAt().toEpochMilli());
                    continue;
                }
                s.triggered = true;
                s.lastAt = now;
                s.lastRefreshAt = now;
                s.version = st.version;
                out.collect(new Notification(id(view, t, Action.TRIGGER, 0), t.spec(), Action.TRIGGER, null, view,
                        st.rootSeenAt));
                next = Math.min(next, now + r.repeatInterval().toMillis());
                if (t.spec() instanceof ReceiverSpec.Alertmanager am) next = Math.min(next, now + am.resend().toMillis());
            } else {
                Silence w = withholding(silences, labels, now);
                if (st.version > s.version) {
                    long due = s.lastAt + r.groupInterval().toMillis();
                    if (now >= due) {
                        s.version = st.version;
                        if (w == null) {
                            s.lastAt = now;
                            s.lastRefreshAt = now;
                            out.collect(new Notification(id(view, t, Action.UPDATE, ++s.updates), t.spec(),
                                    Action.UPDATE, null, view, st.changedAt));
                        }
                    } else {
                        next = Math.min(next, due);
                    }
                }
                if (st.ackBy == null) {
                    long due = s.lastAt + r.repeatInterval().toMillis();
                    if (now >= due) {
                        s.lastAt = now;
                        if (w == null) {
                            s.lastRefreshAt = now;
                            out.collect(new Notification(id(view, t, Action.REPEAT, ++s.repeats), t.spec(),
                                    Action.REPEAT, null, view, due));
                        }
                        due = now + r.repeatInterval().toMillis();
                    }
                    next = Math.min(next, due);
                }
                if (t.spec() instanceof ReceiverSpec.Alertmanager am) {
                    long due = s.lastRefreshAt + am.resend().toMillis();
                    if (now >= due) {
                        s.lastRefreshAt = now;
                        out.collect(new Notification(id(view, t, Action.REFRESH, ++s.refreshes), t.spec(),
                                Action.REFRESH, null, view, due));
                        due = now + am.resend().toMillis();
                    }
                    next = Math.min(next, due);
                }
            }
        }
        if (st.resolved) {
            state.clear();
            deleteTimer(ctx, st);
            return;
        }
        if (next != Long.MAX_VALUE) schedule(ctx, st, next);
        state.update(st);
    }

    private static Outcome outcome(Silence s) {
        return s.kind() == Silence.Kind.MAINTENANCE ? Outcome.MAINTENANCE : Outcome.SILENCED;
    }

    /** The silence or maintenance window covering the incident now (maintenance first), or null. */
    static Silence withholding(ReadOnlyBroadcastState<String, Silence> silences, Map<String, String> labels,
                               long now) throws Exception {
        Instant at = Instant.ofEpochMilli(now);
        Silence found = null;
        for (Map.Entry<String, Silence> e : silences.immutableEntries()) {
            Silence s = e.getValue();
            if (s.covers(labels, at) && (found == null || s.kind() == Silence.Kind.MAINTENANCE)) {
                found = s;
                if (s.kind() == Silence.Kind.MAINTENANCE) break;
            }
        }
        return found;
    }

    /** A delivery target reached through a route, and the route's timing. */
    record Target(ReceiverSpec spec, Route route) {
        String key() {
            return spec.receiver() + "/" + spec.target();
        }
    }

    /** A configured receiver endpoint by its key ({@code receiver/target}), whichever route leads to it; or null. */
    private ReceiverSpec configured(String key) {
        for (List<ReceiverSpec> specs : routing.receivers().values()) {
            for (ReceiverSpec spec : specs) {
                if ((spec.receiver() + "/" + spec.target()).equals(key)) return spec;
            }
        }
        return null;
    }

    /** The targets of the routes that take these labels; a target reached by two routes is told once. */
    List<Target> targets(Map<String, String> labels) {
        Map<String, Target> out = new LinkedHashMap<>();
        for (Route r : routing.root().match(labels)) {
            for (ReceiverSpec spec : routing.receivers().get(r.receiver())) {
                out.putIfAbsent(spec.receiver() + "/" + spec.target(), new Target(spec, r));
            }
        }
        return new ArrayList<>(out.values());
    }

    /**
     * The labels routing and silences see: the root's, without the correlator's {@code root}, plus
     * {@code alertname} (the type), {@code severity} in lower case, and the owners of the root's job.
     */
    static Map<String, String> labels(AlertEvent root, ReadOnlyBroadcastState<String, JobOwner> owners)
            throws Exception {
        Map<String, String> l = new LinkedHashMap<>(root.labels());
        l.remove(io.vigil.model.IncidentLabels.ROOT);
        l.put("alertname", root.type().name());
        l.put("type", root.type().name());
        l.put("severity", root.severity().name().toLowerCase(Locale.ROOT));
        String job = l.get("job");
        if (job != null) {
            JobOwner o = owners.get(l.getOrDefault("cluster", "") + "/" + job);
            if (o != null) {
                if (o.team() != null) l.putIfAbsent("team", o.team());
                if (o.account() != null) l.putIfAbsent("account", o.account());
                if (o.namespace() != null) l.putIfAbsent("namespace", o.namespace());
            }
        }
        return l;
    }

    private IncidentView view(IncidentState st, Map<String, String> labels) {
        AlertEvent r = st.root;
        TreeSet<String> jobs = new TreeSet<>();
        TreeSet<String> racks = new TreeSet<>();
        collect(r.labels(), jobs, racks);
        List<IncidentView.Attached> attached = new ArrayList<>();
        for (AlertEvent a : st.attached.values()) {
            collect(a.labels(), jobs, racks);
            attached.add(new IncidentView.Attached(a.fingerprint(), a.type().name(),
                    a.severity().name().toLowerCase(Locale.ROOT), a.summary(), IncidentView.entityOf(a.labels()),
                    a.state() == AlertEvent.State.RESOLVED));
        }
        String link = dashboardUrl == null ? null : dashboardUrl + "/incidents/" + r.fingerprint();
        return new IncidentView(r.fingerprint(), r.startsAt(), st.resolved ? r.endsAt() : null, st.resolved,
                r.type().name(), r.severity().name().toLowerCase(Locale.ROOT), r.summary(), labels, r.evidence(),
                attached, List.copyOf(jobs), List.copyOf(racks), st.ackBy, link,
                routing.runbooks().get(r.type().name()));
    }

    private static void collect(Map<String, String> l, TreeSet<String> jobs, TreeSet<String> racks) {
        if (l.get("job") != null) jobs.add(l.get("job"));
        if (l.get("rack") != null) racks.add(l.get("rack"));
        if (l.get("racks") != null) {
            for (String rack : l.get("racks").split(",")) {
                if (!rack.isBlank()) racks.add(rack.trim());
            }
        }
    }

    /** Stable across restarts: the same incident, episode, target, action and number give the same id. */
    private static String id(IncidentView v, Target t, Action action, int n) {
        return v.incident() + "@" + v.startsAt().toEpochMilli() + "/" + t.key() + "/"
                + action.name().toLowerCase(Locale.ROOT) + (n > 0 ? "-" + n : "");
    }

    private void schedule(ReadOnlyContext ctx, IncidentState st, long at) {
        if (st.timer == at) return;
        deleteTimer(ctx, st);
        st.timer = at;
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    private static void deleteTimer(ReadOnlyContext ctx, IncidentState st) {
        if (st.timer != Long.MIN_VALUE) {
            ctx.timerService().deleteProcessingTimeTimer(st.timer);
            st.timer = Long.MIN_VALUE;
        }
    }
}
