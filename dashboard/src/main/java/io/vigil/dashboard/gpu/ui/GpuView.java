package io.vigil.dashboard.gpu.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.incidents.ui.IncidentView;
import io.vigil.dashboard.jobs.ui.JobView;
import io.vigil.dashboard.layout.Chart;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.layout.TimeSeriesChart;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.IncidentGrouping;
import io.vigil.dashboard.security.Role;
import io.vigil.model.ClockEventReason;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.HistoryQueries;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One GPU ({@code /gpus/{cluster}/{host}/{gpu}}, the link notifications and the overview use): its current state and
 * job, history charts of temperature, power, SM clock and utilisation with its alerts shaded, and its alerts (XID
 * errors among them). Refreshes every 10 s while open; the range is chosen above the charts.
 */
@Route(value = "gpus/:cluster/:host/:gpu", layout = MainLayout.class)
@PageTitle("GPU · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class GpuView extends LiveView<GpuView.Data> implements BeforeEnterObserver {

    record Data(FleetSnapshot.Gpu now, Map<String, List<Map<String, Object>>> series, List<AlertRow> alerts,
                Instant from, Instant to) {}

    private static final Map<String, String[]> CHARTS = new LinkedHashMap<>();

    static {
        CHARTS.put("temp_max_c", new String[] {"Temperature", "°C"});
        CHARTS.put("power_mean_w", new String[] {"Power", "W"});
        CHARTS.put("sm_clock_mhz", new String[] {"SM clock", "MHz"});
        CHARTS.put("util_mean_pct", new String[] {"Utilisation", "%"});
    }

    private final HistoryQueries history;
    private final AlertQueries alertQueries;
    private final FleetService fleet;
    private final H2 title = new H2();
    private final Span state = new Span();
    private final Span job = new Span();
    private final RadioButtonGroup<String> range = new RadioButtonGroup<>();
    private final Map<String, Chart> charts = new LinkedHashMap<>();
    private final Grid<AlertRow> alerts = new Grid<>();
    private volatile String cluster, host;
    private volatile int gpu;
    private volatile Duration span = Duration.ofHours(1);

    public GpuView(HistoryQueries history, AlertQueries alertQueries, FleetService fleet,
                   ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(10));
        this.history = history;
        this.alertQueries = alertQueries;
        this.fleet = fleet;
        setWidthFull();
        state.setId("gpu-state");
        job.setId("gpu-job");
        range.setItems("15m", "1h", "6h", "24h");
        range.setValue("1h");
        range.addValueChangeListener(e -> {
            span = io.vigil.model.config.Settings.parseDuration(e.getValue());
            refreshNow();
        });
        FlexLayout grid = new FlexLayout();
        grid.setFlexWrap(FlexLayout.FlexWrap.WRAP);
        grid.setWidthFull();
        CHARTS.forEach((metric, t) -> {
            Chart c = new Chart();
            c.setId("gpu-chart-" + metric);
            c.setWidth("48%");
            c.setMinWidth("380px");
            c.setHeight("240px");
            charts.put(metric, c);
            grid.add(c);
        });
        alerts.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        alerts.addColumn(AlertRow::state).setHeader("State").setAutoWidth(true).setFlexGrow(0);
        alerts.addColumn(AlertRow::type).setHeader("Type").setAutoWidth(true).setFlexGrow(0);
        alerts.addColumn(AlertRow::severity).setHeader("Severity").setAutoWidth(true).setFlexGrow(0);
        alerts.addColumn(AlertRow::summary).setHeader("Summary").setFlexGrow(3);
        alerts.addColumn(a -> a.startsAt().toString()).setHeader("Since").setAutoWidth(true).setFlexGrow(0);
        alerts.addComponentColumn(a -> new Anchor(IncidentView.path(IncidentGrouping.incidentOf(a)), "incident"))
                .setHeader("").setAutoWidth(true).setFlexGrow(0);
        alerts.setAllRowsVisible(true);
        add(title, state, job, range, grid, new H3("Alerts and XID errors of this GPU in the range"), alerts);
    }

    /** The deep link of a GPU. */
    public static String path(String cluster, String host, int gpu) {
        return "gpus/" + cluster + "/" + host + "/" + gpu;
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        var p = event.getRouteParameters();
        cluster = p.get("cluster").orElse("");
        host = p.get("host").orElse("");
        try {
            gpu = Integer.parseInt(p.get("gpu").orElse(""));
        } catch (NumberFormatException e) {
            gpu = -1;
        }
        title.setText(host + " · GPU " + gpu + " (" + cluster + ")");
    }

    @Override
    protected Data load() throws Exception {
        Instant to = Instant.now();
        Instant from = to.minus(span);
        HistoryQueries.Resolution res = HistoryQueries.resolutionFor(from, to);
        Map<String, List<Map<String, Object>>> series = new LinkedHashMap<>();
        for (String metric : CHARTS.keySet()) {
            series.put(metric, history.gpuSeries(cluster, host, gpu, metric, from, to, res, 20_000));
        }
        FleetSnapshot.Gpu now = fleet.current().gpus().stream()
                .filter(g -> g.status().cluster().equals(cluster) && g.status().host().equals(host)
                        && g.status().gpu() == gpu).findFirst().orElse(null);
        return new Data(now, series, alertQueries.forGpu(host, gpu, from, to, 500), from, to);
    }

    @Override
    protected void render(Data d) {
        if (d.now() == null) {
            state.setText("No sample in the last 15 s (the GPU is silent, or not this cluster's).");
            job.setText("");
        } else {
            var s = d.now().status();
            List<String> reasons = s.clockEventReasons() == null ? List.of()
                    : ClockEventReason.decode(s.clockEventReasons());
            state.setText(String.format("%s · %.0f °C (slowdown at %s) · %.0f W · %.0f%% · %.0f MHz · clock events: %s",
                    d.now().health().cssName(), nz(s.tempC()), s.slowdownTempC() == null ? "not reported"
                            : String.format("%.0f °C", s.slowdownTempC()), nz(s.powerW()), nz(s.utilPct()),
                    nz(s.smClockMHz()), reasons.isEmpty() ? "none" : String.join(", ", reasons)));
            job.removeAll();
            if (s.jobId() != null) {
                job.add(new Span("Running "), new Anchor(JobView.path(s.jobId()), s.jobId()),
                        new Span(" rank " + s.rank() + (d.now().team() == null ? "" : " · team " + d.now().team())));
            } else {
                job.setText("No job.");
            }
        }
        CHARTS.forEach((metric, t) -> {
            List<TimeSeriesChart.Line> lines = new ArrayList<>();
            lines.add(new TimeSeriesChart.Line("gpu" + gpu, d.series().get(metric), true));
            charts.get(metric).setOption(TimeSeriesChart.option(t[0], t[1], lines, d.alerts(), d.to()));
        });
        alerts.setItems(d.alerts());
    }

    @Override
    protected void renderError(String message) {
        state.setText("Cannot read history: " + message);
    }

    private static double nz(Double v) {
        return v == null ? Double.NaN : v;
    }
}
