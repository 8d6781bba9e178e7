package io.vigil.dashboard.readside;

import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.ClusterQueries;
import io.vigil.storage.query.GpuStatus;
import io.vigil.storage.query.NotificationQueries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * The console's read side: the one place that turns stored samples and alerts into what views and the API show
 * (health per GPU, incidents, jobs). One refresher reads the database once per {@code vigil.dashboard.refresh-interval}
 * (1 s) while anyone is watching and fans the snapshot out to every subscribed view, so the database load does not
 * grow with the number of open sessions. With nobody subscribed it reads only when asked, at most once per interval.
 */
@Service
public class FleetService {
    private static final Logger LOG = LoggerFactory.getLogger(FleetService.class);
    /** GPUs heard from within this much of the newest sample are shown. */
    static final Duration GPU_WINDOW = Duration.ofSeconds(15);
    /** Incidents of the last day are listed, beside every firing one. */
    static final Duration INCIDENT_WINDOW = Duration.ofHours(24);
    static final int MAX_ALERTS = 20_000;
    /** Each refresh re-reads this much before the newest sample it has, for samples that were written late. */
    static final Duration OVERLAP = Duration.ofSeconds(3);
    private static final Duration OWNERS_EVERY = Duration.ofSeconds(30);

    private final ClusterQueries cluster;
    private final AlertQueries alerts;
    private final NotificationQueries notifications;
    private final Clock clock;
    private final Duration interval;
    private final List<Consumer<FleetSnapshot>> subscribers = new CopyOnWriteArrayList<>();
    private volatile FleetSnapshot current = FleetSnapshot.empty();
    private volatile long lastReadMillis = -1;
    private Map<String, ClusterQueries.JobOwner> owners = Map.of();
    /** The newest sample of each GPU, kept here and fed incrementally (guarded by the refresh lock). */
    private final Map<String, GpuStatus> latest = new HashMap<>();
    private Instant latestNewest;
    /**
     * The keys of {@link #latest} in drawing order, sorted again only when a GPU comes, goes or moves (rarely): a
     * sort of 16,384 GPUs a second, and each view's matching of them by key, were most of the console's CPU.
     */
    private List<String> drawingOrder = List.of();
    private long placement;
    private Instant ownersAt = Instant.EPOCH;

    public FleetService(ClusterQueries cluster, AlertQueries alerts, NotificationQueries notifications,
                        ScheduledExecutorService liveUpdates,
                        @Value("${vigil.dashboard.refresh-interval}") Duration interval) {
        this.cluster = cluster;
        this.alerts = alerts;
        this.notifications = notifications;
        this.clock = Clock.systemUTC();
        this.interval = interval;
        liveUpdates.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Receives every new snapshot (on the refresher's thread) until the returned handle is run. */
    public Runnable subscribe(Consumer<FleetSnapshot> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** The newest snapshot, refreshed first if it is older than the interval. */
    public FleetSnapshot current() {
        FleetSnapshot s = current;
        if (Duration.between(s.takenAt(), clock.instant()).compareTo(interval) >= 0) {
            s = refresh();
        }
        return s;
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** The newest snapshot as it is, without reading the database (for the dashboard's own metrics). */
    public FleetSnapshot peek() {
        return current;
    }

    /** How long the last refresh took to read the database, in ms (-1 before the first). */
    public long lastReadMillis() {
        return lastReadMillis;
    }

    /** One incident with every alert of it (not only those in the live window), or empty. */
    public Optional<Incident> incident(String id) throws Exception {
        List<AlertRow> rows = alerts.incident(id, 5_000);
        if (rows.isEmpty()) return Optional.empty();
        Map<String, IncidentGrouping.Ack> acks = acks(Set.of(id));
        return IncidentGrouping.group(rows, acks).stream().filter(i -> i.id().equals(id)).findFirst();
    }

    private void tick() {
        if (subscribers.isEmpty()) return;
        FleetSnapshot s = refresh();
        for (Consumer<FleetSnapshot> c : subscribers) {
            try {
                c.accept(s);
            } catch (RuntimeException e) {
                LOG.debug("A subscriber failed; it stays subscribed", e);
            }
        }
    }

    private synchronized FleetSnapshot refresh() {
        Instant now = clock.instant();
        if (Duration.between(current.takenAt(), now).compareTo(interval.dividedBy(2)) < 0) {
            return current; // another caller just refreshed
        }
        try {
            long t0 = System.nanoTime();
            current = read(now);
            lastReadMillis = (System.nanoTime() - t0) / 1_000_000;
        } catch (Exception e) {
            LOG.debug("Fleet refresh failed", e);
            current = current.failed(String.valueOf(e.getMessage()), now);
        }
        return current;
    }

    private FleetSnapshot read(Instant now) throws Exception {
        List<GpuStatus> statuses = latestGpus();
        List<AlertRow> rows = alerts.forIncidents(now.minus(INCIDENT_WINDOW), MAX_ALERTS);
        if (Duration.between(ownersAt, now).compareTo(OWNERS_EVERY) >= 0) {
            Map<String, ClusterQueries.JobOwner> o = new HashMap<>();
            for (ClusterQueries.JobOwner j : cluster.jobOwners()) o.put(j.cluster() + "/" + j.jobId(), j);
            owners = o;
            ownersAt = now;
        }
        Set<String> ids = new HashSet<>();
        for (AlertRow a : rows) ids.add(IncidentGrouping.incidentOf(a));
        List<Incident> incidents = IncidentGrouping.group(rows, acks(ids));
        FleetSnapshot s = assemble(statuses, rows, incidents, owners, now);
        return new FleetSnapshot(s.gpus(), s.incidents(), s.jobs(), s.firingIncidentsBySeverity(), s.newest(),
                s.takenAt(), s.error(), placement);
    }

    /**
     * Every GPU's newest sample within {@link #GPU_WINDOW} of the newest overall, in drawing order (row, rack, host,
     * GPU). The first read takes the whole window; later ones only what is newer than the last newest minus
     * {@link #OVERLAP}, merged here. {@link #placement} changes whenever the GPUs or their places change.
     */
    private List<GpuStatus> latestGpus() throws Exception {
        Instant since;
        if (latestNewest == null) {
            Instant newest = cluster.newestGpuSample();
            if (newest == null) return List.of();
            since = newest.minus(GPU_WINDOW);
        } else {
            since = latestNewest.minus(OVERLAP);
        }
        boolean moved = false;
        for (GpuStatus g : cluster.gpuStatusSince(since)) {
            String key = g.cluster() + "/" + g.host() + "/" + g.gpu();
            GpuStatus had = latest.get(key);
            if (had == null || g.ts().isAfter(had.ts())) {
                latest.put(key, g);
                moved |= had == null || !java.util.Objects.equals(had.row(), g.row())
                        || !java.util.Objects.equals(had.rack(), g.rack());
            }
            if (latestNewest == null || g.ts().isAfter(latestNewest)) latestNewest = g.ts();
        }
        if (latestNewest == null) return List.of();
        Instant cutoff = latestNewest.minus(GPU_WINDOW);
        moved |= latest.values().removeIf(g -> !g.ts().isAfter(cutoff));
        if (moved || drawingOrder.size() != latest.size()) {
            List<String> keys = new ArrayList<>(latest.keySet());
            keys.sort(java.util.Comparator.comparing(latest::get, FleetSnapshot.DRAWING_ORDER));
            drawingOrder = keys;
            placement++;
        }
        List<GpuStatus> out = new ArrayList<>(drawingOrder.size());
        for (String k : drawingOrder) out.add(latest.get(k));
        return out;
    }

    private Map<String, IncidentGrouping.Ack> acks(Set<String> ids) throws Exception {
        Map<String, IncidentGrouping.Ack> out = new HashMap<>();
        notifications.acknowledgements(ids).forEach((k, v) -> out.put(k, new IncidentGrouping.Ack(v.by(), v.at())));
        return out;
    }

    /** Builds a snapshot from what was read; pure, for tests. */
    static FleetSnapshot assemble(List<GpuStatus> statuses, List<AlertRow> rows, List<Incident> incidents,
                                  Map<String, ClusterQueries.JobOwner> owners, Instant now) {
        Map<String, String> severityByGpu = new HashMap<>();
        for (AlertRow a : rows) {
            if (!"FIRING".equals(a.state())) continue;
            String host = a.labels().get("host"), gpu = a.labels().get("gpu");
            if (host != null && gpu != null) {
                severityByGpu.merge(host + "/" + gpu, a.severity(),
                        (x, y) -> IncidentGrouping.rank(x) >= IncidentGrouping.rank(y) ? x : y);
            }
        }
        // A GPU belongs to an incident while an alert of that incident is about it; the job view counts incidents.
        Map<String, Set<String>> incidentsByJob = new HashMap<>();
        Map<String, Integer> bySeverity = new LinkedHashMap<>();
        for (Incident i : incidents) {
            if (!i.firing()) continue;
            bySeverity.merge(i.severity(), 1, Integer::sum);
            for (String job : i.jobs()) incidentsByJob.computeIfAbsent(job, k -> new HashSet<>()).add(i.id());
        }
        List<FleetSnapshot.Gpu> gpus = new ArrayList<>(statuses.size());
        Map<String, JobAcc> jobs = new LinkedHashMap<>();
        Instant newest = null;
        for (GpuStatus g : statuses) {
            GpuHealth h = GpuHealth.of(g, severityByGpu);
            ClusterQueries.JobOwner owner = g.jobId() == null ? null : owners.get(g.cluster() + "/" + g.jobId());
            gpus.add(new FleetSnapshot.Gpu(g, h, owner == null ? null : owner.team()));
            if (newest == null || g.ts().isAfter(newest)) newest = g.ts();
            if (g.jobId() != null) {
                jobs.computeIfAbsent(g.cluster() + "/" + g.jobId(), k -> new JobAcc(g.cluster(), g.jobId(), owner))
                        .add(g, h);
            }
        }
        List<FleetSnapshot.Job> jobList = new ArrayList<>();
        for (JobAcc j : jobs.values()) {
            jobList.add(j.job(incidentsByJob.getOrDefault(j.jobId, Set.of()).size()));
        }
        jobList.sort(java.util.Comparator.comparing(FleetSnapshot.Job::worst).thenComparing(FleetSnapshot.Job::jobId));
        return new FleetSnapshot(List.copyOf(gpus), List.copyOf(incidents), List.copyOf(jobList), bySeverity, newest,
                now, null);
    }

    private static final class JobAcc {
        final String cluster, jobId;
        final ClusterQueries.JobOwner owner;
        final Set<String> hosts = new HashSet<>();
        int gpus, utilN;
        double util, power;
        GpuHealth worst = GpuHealth.IDLE;

        JobAcc(String cluster, String jobId, ClusterQueries.JobOwner owner) {
            this.cluster = cluster;
            this.jobId = jobId;
            this.owner = owner;
        }

        void add(GpuStatus g, GpuHealth h) {
            gpus++;
            hosts.add(g.host());
            if (g.utilPct() != null) {
                util += g.utilPct();
                utilN++;
            }
            if (g.powerW() != null) power += g.powerW();
            if (h.ordinal() < worst.ordinal()) worst = h;
        }

        FleetSnapshot.Job job(int firing) {
            return new FleetSnapshot.Job(cluster, jobId, owner == null ? null : owner.name(),
                    owner == null ? null : owner.team(), gpus, hosts.size(), utilN == 0 ? null : util / utilN, power,
                    worst, firing);
        }
    }
}
