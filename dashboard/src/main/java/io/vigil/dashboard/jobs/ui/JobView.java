package io.vigil.dashboard.jobs.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.gpu.ui.GpuView;
import io.vigil.dashboard.incidents.ui.IncidentView;
import io.vigil.dashboard.jobs.RankStrip;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.overview.HeatmapFrame;
import io.vigil.dashboard.overview.ui.Heatmap;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.IncidentGrouping;
import io.vigil.dashboard.security.Role;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.HistoryQueries;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One job ({@code /jobs/{id}}): its ranks as a strip coloured by deviation from the cohort's SM clock, its
 * straggler and stall history, and its GPU-hours and energy over the last 7 days. Refreshes every 5 s.
 */
@Route(value = "jobs/:id", layout = MainLayout.class)
@PageTitle("Job · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class JobView extends LiveView<JobView.Data> implements BeforeEnterObserver {

    record Data(RankStrip.Strip strip, FleetSnapshot.Job job, List<AlertRow> alerts, Map<String, Object> usage) {}

    private final FleetService fleet;
    private final AlertQueries alertQueries;
    private final HistoryQueries history;
    private final H2 title = new H2("Job");
    private final Span summary = new Span();
    private final Span usage = new Span();
    private final Heatmap strip = new Heatmap();
    private final Grid<AlertRow> alerts = new Grid<>();
    private volatile String id;
    private String layoutShown;
    private List<FleetSnapshot.Gpu> ranks = List.of();

    public JobView(FleetService fleet, AlertQueries alertQueries, HistoryQueries history,
                   ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(5));
        this.fleet = fleet;
        this.alertQueries = alertQueries;
        this.history = history;
        setWidthFull();
        summary.setId("job-summary");
        usage.setId("job-usage");
        strip.setId("job-ranks");
        strip.setWidthFull();
        strip.addGpuClickListener(e -> {
            if (e.index() >= 0 && e.index() < ranks.size()) {
                var s = ranks.get(e.index()).status();
                getUI().ifPresent(ui -> ui.navigate(GpuView.path(s.cluster(), s.host(), s.gpu())));
            }
        });
        alerts.setId("job-alerts");
        alerts.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        alerts.addColumn(AlertRow::type).setHeader("Type").setAutoWidth(true).setFlexGrow(0);
        alerts.addColumn(AlertRow::state).setHeader("State").setAutoWidth(true).setFlexGrow(0);
        alerts.addColumn(a -> a.startsAt().toString()).setHeader("Since").setAutoWidth(true).setFlexGrow(0);
        alerts.addColumn(a -> a.endsAt() == null ? "" : a.endsAt().toString()).setHeader("Until").setAutoWidth(true)
                .setFlexGrow(0);
        alerts.addColumn(AlertRow::summary).setHeader("Summary").setFlexGrow(3);
        alerts.addComponentColumn(a -> new Anchor(IncidentView.path(IncidentGrouping.incidentOf(a)), "incident"))
                .setHeader("").setAutoWidth(true).setFlexGrow(0);
        alerts.setAllRowsVisible(true);
        add(title, summary, usage, new H3("Ranks (colour: SM clock against the job's median; red is slower)"), strip,
                new Paragraph("Step times: step events reach Kafka (vigil.telemetry.steps) and the straggler "
                        + "detector, but storage does not keep them yet, so no step-time chart here."),
                new H3("Stragglers, stalls and other alerts of this job (7 days)"), alerts);
    }

    public static String path(String job) {
        return "jobs/" + job;
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        id = event.getRouteParameters().get("id").orElse("");
        title.setText("Job " + id);
    }

    @Override
    protected Data load() throws Exception {
        FleetSnapshot s = fleet.current();
        FleetSnapshot.Job job = s.jobs().stream().filter(j -> j.jobId().equals(id)).findFirst().orElse(null);
        Instant now = Instant.now();
        List<Map<String, Object>> hours = history.gpuHours("job", now.minus(Duration.ofDays(7)), now,
                HistoryQueries.Resolution.MINUTE);
        Map<String, Object> mine = hours.stream().filter(r -> id.equals(r.get("job"))).findFirst().orElse(Map.of());
        return new Data(RankStrip.of(id, s.gpus()), job, alertQueries.forJob(id, now.minus(Duration.ofDays(7)), 500),
                mine);
    }

    @Override
    protected void render(Data d) {
        FleetSnapshot.Job j = d.job();
        summary.setText(j == null ? "Not running now (no GPU reports this job)."
                : String.format("%s%s · %d GPUs on %d hosts · %s utilisation · %.1f kW · health %s · %d incident(s) firing"
                        + " · median SM clock %s",
                j.name() == null ? "" : j.name() + " · ", j.team() == null ? "no team" : "team " + j.team(), j.gpus(),
                j.hosts(), j.utilMeanPct() == null ? "?" : String.format("%.0f %%", j.utilMeanPct()), j.powerW() / 1000,
                j.worst().cssName(), j.firingIncidents(),
                d.strip().medianMHz() == null ? "?" : String.format("%.0f MHz", d.strip().medianMHz())));
        usage.setText(d.usage().isEmpty() ? "No GPU-hours recorded in the last 7 days yet (rollups fill each minute)."
                : "Last 7 days: " + d.usage().get("gpuHours") + " GPU-hours, " + d.usage().get("energyKwh")
                + " kWh, straggler minutes " + d.usage().get("stragglerMinutes") + ", stall minutes "
                + d.usage().get("stallMinutes"));
        ranks = d.strip().ranks();
        if (!d.strip().layoutJson().equals(layoutShown)) {
            layoutShown = d.strip().layoutJson();
            strip.setLayout(layoutShown, "metric");
        }
        strip.setCells(HeatmapFrame.base64(d.strip().cells()));
        alerts.setItems(d.alerts());
    }

    @Override
    protected void renderError(String message) {
        summary.setText("Cannot read the job: " + message);
    }
}
