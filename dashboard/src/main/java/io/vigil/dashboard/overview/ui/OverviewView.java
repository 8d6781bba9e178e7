package io.vigil.dashboard.overview.ui;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.auth.AnonymousAllowed;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.model.AlertEvent;
import io.vigil.model.ClockEventReason;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.ClusterQueries;
import io.vigil.storage.query.GpuStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The live cluster: every GPU a cell coloured by health, grouped by rack and host. Cells are created once and then
 * only their colour and tooltip change, so a refresh of hundreds of GPUs stays cheap.
 */
@Route(value = "", layout = MainLayout.class)
@PageTitle("Cluster overview · Vigil")
@AnonymousAllowed
public class OverviewView extends LiveView<OverviewView.Snapshot> {

    /** What one refresh shows. */
    public record Snapshot(List<GpuStatus> gpus, Set<String> firingGpus, int firingAlerts, int firingIncidents,
                           Instant newest) {}

    /** A GPU's health, most urgent first; the CSS class of its cell is {@code gpu-<name>}. */
    enum Health { ALERT, HOT, WARM, OK, IDLE }

    private final ClusterQueries cluster;
    private final AlertQueries alerts;
    private final Span summary = new Span("Waiting for telemetry…");
    private final Div racks = new Div();
    private final Map<String, Div> cells = new HashMap<>();

    public OverviewView(ClusterQueries cluster, AlertQueries alerts, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(2));
        this.cluster = cluster;
        this.alerts = alerts;
        racks.addClassName("vigil-racks");
        summary.addClassName("vigil-summary");
        Div legend = new Div();
        legend.addClassName("vigil-legend");
        for (Health h : Health.values()) {
            Span swatch = new Span();
            swatch.addClassNames("gpu-cell", "gpu-" + h.name().toLowerCase());
            Span label = new Span(switch (h) {
                case ALERT -> "alert firing";
                case HOT -> "thermal slowdown";
                case WARM -> "within 8 °C of slowdown";
                case OK -> "busy, healthy";
                case IDLE -> "idle";
            });
            legend.add(swatch, label);
        }
        add(new H2("Cluster overview"), summary, legend, racks);
    }

    @Override
    protected Snapshot load() throws Exception {
        List<GpuStatus> gpus = cluster.latestGpuStatus(Duration.ofSeconds(30));
        List<AlertRow> firing = alerts.list(AlertEvent.State.FIRING, 10_000);
        Set<String> firingGpus = new HashSet<>();
        for (AlertRow a : firing) {
            String host = a.labels().get("host"), gpu = a.labels().get("gpu");
            if (host != null && gpu != null) {
                firingGpus.add(host + "/" + gpu);
            }
        }
        Instant newest = gpus.stream().map(GpuStatus::ts).max(Instant::compareTo).orElse(null);
        // An incident is a root-cause alert (label root=true; alerts from before incidents existed count too); its
        // consequences (root=false) are alerts of the same incident.
        int incidents = (int) firing.stream().filter(a -> !"false".equals(a.labels().get("root"))).count();
        return new Snapshot(gpus, firingGpus, firing.size(), incidents, newest);
    }

    @Override
    protected void render(Snapshot s) {
        if (s.gpus().isEmpty()) {
            summary.setText("No GPU telemetry yet. Is a collector or the simulator publishing?");
            return;
        }
        Map<Health, Integer> counts = new LinkedHashMap<>();
        for (GpuStatus g : s.gpus()) {
            Health h = health(g, s.firingGpus());
            counts.merge(h, 1, Integer::sum);
            cell(g).setClassName("gpu-cell gpu-" + h.name().toLowerCase());
            cell(g).setTitle(tooltip(g, h));
        }
        summary.setText(String.format("%d GPUs · %d incident%s firing (%d alerts) · %d hot · %d warm · data as of %s",
                s.gpus().size(), s.firingIncidents(), s.firingIncidents() == 1 ? "" : "s", s.firingAlerts(), counts.getOrDefault(Health.HOT, 0) + counts.getOrDefault(Health.ALERT, 0),
                counts.getOrDefault(Health.WARM, 0), s.newest()));
    }

    @Override
    protected void renderError(String message) {
        summary.setText("Cannot read the database: " + message);
    }

    static Health health(GpuStatus g, Set<String> firingGpus) {
        if (firingGpus.contains(g.host() + "/" + g.gpu())) return Health.ALERT;
        boolean throttled = g.clockEventReasons() != null && (g.clockEventReasons() & ClockEventReason.THERMAL_MASK) != 0;
        double slowdown = g.slowdownTempC() == null ? 87 : g.slowdownTempC();
        if (throttled || (g.tempC() != null && g.tempC() >= slowdown)) return Health.HOT;
        if (g.tempC() != null && g.tempC() >= slowdown - 8) return Health.WARM;
        if (g.utilPct() != null && g.utilPct() < 5) return Health.IDLE;
        return Health.OK;
    }

    private static String tooltip(GpuStatus g, Health h) {
        return String.format("%s/gpu%d · %s%n%.0f °C · %.0f W · %.0f%% util · %.0f MHz%s", g.host(), g.gpu(),
                h.name().toLowerCase(), nz(g.tempC()), nz(g.powerW()), nz(g.utilPct()), nz(g.smClockMHz()),
                g.jobId() == null ? "" : "\n" + g.jobId() + " rank " + g.rank());
    }

    private static double nz(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** The GPU's cell, creating its rack and host boxes on first sight. */
    private Div cell(GpuStatus g) {
        String key = g.host() + "/" + g.gpu();
        Div cell = cells.get(key);
        if (cell != null) {
            return cell;
        }
        String rackName = g.rack() == null ? "(no rack)" : g.rack();
        Div rack = box("rack:" + rackName, racks, "vigil-rack", "Rack " + rackName);
        Div host = box("host:" + g.host(), rack, "vigil-host", g.host());
        cell = new Div();
        cell.setClassName("gpu-cell");
        cell.setId("gpu-" + g.host() + "-" + g.gpu());
        host.add(cell);
        cells.put(key, cell);
        return cell;
    }

    private Div box(String key, Div parent, String className, String label) {
        Div box = cells.get(key);
        if (box == null) {
            box = new Div();
            box.addClassName(className);
            Span title = new Span(label);
            title.addClassName(className + "-label");
            box.add(title);
            parent.add(box);
            cells.put(key, box);
        }
        return box;
    }
}
