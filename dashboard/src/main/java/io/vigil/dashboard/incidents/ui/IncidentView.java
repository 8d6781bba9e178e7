package io.vigil.dashboard.incidents.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.orderedlayout.FlexLayout;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.treegrid.TreeGrid;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.gpu.ui.GpuView;
import io.vigil.dashboard.incidents.IncidentEvidence;
import io.vigil.dashboard.jobs.ui.JobView;
import io.vigil.dashboard.layout.Chart;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.layout.TimeSeriesChart;
import io.vigil.dashboard.notifications.OperatorActions;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.Incident;
import io.vigil.dashboard.security.Role;
import io.vigil.model.LabelMatcher;
import io.vigil.model.Silence;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.HistoryQueries;
import io.vigil.storage.query.NotificationQueries;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One incident ({@code /incidents/{id}}, where notifications link): the root and its attached alerts as a tree, a
 * timeline, evidence charts around the fault, the notifications sent, and — for operators — acknowledge, silence
 * and maintenance. Refreshes every 5 s while open.
 */
@Route(value = "incidents/:id", layout = MainLayout.class)
@PageTitle("Incident · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class IncidentView extends LiveView<IncidentView.Data> implements BeforeEnterObserver {

    record Data(Incident incident, List<IncidentEvidence.Figure> figures, List<NotificationQueries.Attempt> sent,
                Instant to) {}

    /** One line of the timeline. */
    public record Moment(Instant at, String what) {}

    private final FleetService fleet;
    private final IncidentEvidence evidence;
    private final NotificationQueries notifications;
    private final OperatorActions actions;
    private final H2 title = new H2("Incident");
    private final Span state = new Span();
    private final Span affects = new Span();
    private final TreeGrid<AlertRow> tree = new TreeGrid<>();
    private final Grid<Moment> timeline = new Grid<>();
    private final FlexLayout charts = new FlexLayout();
    private final Grid<NotificationQueries.Attempt> sent = new Grid<>();
    private final Button ack = new Button("Acknowledge");
    private final Button silence = new Button("Silence 2 h");
    private final Button maintenance = new Button("Maintenance 4 h");
    private volatile String id;
    private Incident shown;

    public IncidentView(FleetService fleet, HistoryQueries history, NotificationQueries notifications,
                        OperatorActions actions, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(5));
        this.fleet = fleet;
        this.evidence = new IncidentEvidence(history);
        this.notifications = notifications;
        this.actions = actions;
        setWidthFull();
        state.setId("incident-state");
        affects.setId("incident-affects");
        ack.setId("incident-ack");
        silence.setId("incident-silence");
        maintenance.setId("incident-maintenance");
        ack.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        ack.addClickListener(e -> act("Acknowledged", () -> actions.acknowledge(id, null)));
        silence.addClickListener(e -> act("Silenced for 2 h", () -> actions.silence(Silence.Kind.SILENCE,
                matchers(shown, false), Instant.now(), Instant.now().plus(Duration.ofHours(2)),
                "from incident " + id)));
        maintenance.addClickListener(e -> act("Maintenance for 4 h", () -> actions.silence(Silence.Kind.MAINTENANCE,
                matchers(shown, true), Instant.now(), Instant.now().plus(Duration.ofHours(4)),
                "from incident " + id)));
        boolean operator = OperatorActions.allowed();
        for (Button b : List.of(ack, silence, maintenance)) {
            b.setVisible(operator);
            b.setEnabled(actions.available());
        }
        tree.setId("incident-tree");
        tree.addThemeVariants(GridVariant.LUMO_COMPACT);
        tree.addHierarchyColumn(a -> a.type() + (a.fingerprint().equals(id) ? " (root)" : "")).setHeader("Alert")
                .setAutoWidth(true).setFlexGrow(0);
        tree.addColumn(AlertRow::state).setHeader("State").setAutoWidth(true).setFlexGrow(0);
        tree.addColumn(AlertRow::severity).setHeader("Severity").setAutoWidth(true).setFlexGrow(0);
        tree.addColumn(AlertRow::summary).setHeader("Summary").setFlexGrow(3);
        tree.addComponentColumn(a -> {
            Map<String, String> l = a.labels();
            if (l.get("host") != null && l.get("gpu") != null && l.get("cluster") != null) {
                return new Anchor(GpuView.path(l.get("cluster"), l.get("host"), Integer.parseInt(l.get("gpu"))),
                        l.get("host") + "/gpu" + l.get("gpu"));
            }
            return new Span(l.getOrDefault("device", l.getOrDefault("rack", l.getOrDefault("job", ""))));
        }).setHeader("On").setAutoWidth(true).setFlexGrow(0);
        tree.setAllRowsVisible(true);
        timeline.setId("incident-timeline");
        timeline.addThemeVariants(GridVariant.LUMO_COMPACT);
        timeline.addColumn(m -> m.at().toString()).setHeader("When").setAutoWidth(true).setFlexGrow(0);
        timeline.addColumn(Moment::what).setHeader("What").setFlexGrow(1);
        timeline.setAllRowsVisible(true);
        charts.setId("incident-evidence");
        charts.setFlexWrap(FlexLayout.FlexWrap.WRAP);
        charts.setWidthFull();
        sent.setId("incident-notifications");
        sent.addThemeVariants(GridVariant.LUMO_COMPACT);
        sent.addColumn(a -> a.at().toString()).setHeader("At").setAutoWidth(true).setFlexGrow(0);
        sent.addColumn(NotificationQueries.Attempt::receiver).setHeader("Receiver").setAutoWidth(true).setFlexGrow(0);
        sent.addColumn(a -> a.action().toLowerCase()).setHeader("Action").setAutoWidth(true).setFlexGrow(0);
        sent.addColumn(a -> a.outcome().toLowerCase()).setHeader("Outcome").setAutoWidth(true).setFlexGrow(0);
        sent.addColumn(a -> a.error() == null ? "" : a.error()).setHeader("Error").setFlexGrow(1);
        sent.setAllRowsVisible(true);
        add(title, state, affects, new HorizontalLayout(ack, silence, maintenance), new H3("Evidence"), charts,
                new H3("Root and attached alerts"), tree, new H3("Timeline"), timeline,
                new H3("Notifications sent"), sent);
    }

    /** The deep link of an incident. */
    public static String path(String id) {
        return "incidents/" + id;
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        id = event.getRouteParameters().get("id").orElse("");
        title.setText("Incident " + id);
    }

    @Override
    protected Data load() throws Exception {
        Incident i = fleet.incident(id).orElse(null);
        if (i == null) return new Data(null, List.of(), List.of(), Instant.now());
        Instant now = Instant.now();
        return new Data(i, evidence.figures(i, 8, now), notifications.attempts(id, 200), IncidentEvidence.to(i, now));
    }

    @Override
    protected void render(Data d) {
        Incident i = d.incident();
        if (i == null) {
            state.setText("No incident " + id + " (it may be older than the alert history kept).");
            return;
        }
        shown = i;
        title.setText(i.summary());
        state.setText(String.format("%s · %s · root cause %s · since %s%s%s", i.severity().toLowerCase(),
                i.firing() ? "firing" : "resolved at " + i.endsAt(), i.type(), i.startsAt(),
                i.acknowledgedBy() == null ? " · not acknowledged" : " · acknowledged by " + i.acknowledgedBy()
                        + " at " + i.acknowledgedAt(),
                i.occurrences() > 1 ? " · occurrence " + i.occurrences() + " of this fault" : ""));
        affects.removeAll();
        affects.add(new Span("Affects: "));
        for (String job : i.jobs()) affects.add(new Anchor(JobView.path(job), "job " + job), new Span(" "));
        if (!i.racks().isEmpty()) affects.add(new Span("racks " + String.join(", ", i.racks())));
        if (i.jobs().isEmpty() && i.racks().isEmpty()) affects.add(new Span("no job or rack named"));
        ack.setEnabled(actions.available() && i.firing() && i.acknowledgedBy() == null);
        AlertRow top = i.root() != null ? i.root() : i.alerts().get(0);
        tree.setItems(List.of(top), a -> a == top
                ? i.alerts().stream().filter(x -> x != top).toList() : List.of());
        tree.expand(top);
        timeline.setItems(timeline(i, d.sent()));
        charts.removeAll();
        for (IncidentEvidence.Figure f : d.figures()) {
            Chart c = new Chart();
            c.setWidth("48%");
            c.setMinWidth("380px");
            c.setHeight("260px");
            c.setOption(TimeSeriesChart.option(f.title(), f.unit(), f.lines(), i.alerts().stream()
                    .filter(a -> a == top).toList(), d.to()));
            charts.add(c);
        }
        sent.setItems(d.sent());
    }

    @Override
    protected void renderError(String message) {
        state.setText("Cannot read the incident: " + message);
    }

    static List<Moment> timeline(Incident i, List<NotificationQueries.Attempt> sent) {
        List<Moment> out = new ArrayList<>();
        for (AlertRow a : i.alerts()) {
            out.add(new Moment(a.startsAt(), a.type() + " fired: " + a.summary()));
            if (a.endsAt() != null) out.add(new Moment(a.endsAt(), a.type() + " resolved"));
        }
        for (NotificationQueries.Attempt a : sent) {
            out.add(new Moment(a.at(), a.action().toLowerCase() + " to " + a.receiver() + ": " + a.outcome().toLowerCase()));
        }
        if (i.acknowledgedAt() != null) out.add(new Moment(i.acknowledgedAt(), "acknowledged by " + i.acknowledgedBy()));
        out.sort(Comparator.comparing(Moment::at));
        return out;
    }

    /** What a silence from this page covers: the root's own labels; a maintenance window covers its rack or device. */
    static List<LabelMatcher> matchers(Incident i, boolean wholeRack) {
        AlertRow top = i.root() != null ? i.root() : i.alerts().get(0);
        Map<String, String> l = top.labels();
        List<LabelMatcher> m = new ArrayList<>();
        if (l.get("cluster") != null) m.add(new LabelMatcher("cluster", "=", l.get("cluster")));
        if (wholeRack && l.get("rack") != null) {
            m.add(new LabelMatcher("rack", "=", l.get("rack")));
            return m;
        }
        for (String k : List.of("device", "rack", "host", "gpu", "job")) {
            if (l.get(k) != null) m.add(new LabelMatcher(k, "=", l.get(k)));
        }
        return m;
    }

    private interface Action {
        Object run() throws Exception;
    }

    private void act(String done, Action a) {
        try {
            a.run();
            Notification.show(done + ": " + id);
            refreshNow();
        } catch (Exception e) {
            Notification.show("Could not do it: " + e.getMessage());
        }
    }
}
