package io.vigil.dashboard.alerts.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.security.Role;
import jakarta.annotation.security.RolesAllowed;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.model.AlertEvent;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/** Alert episodes, newest first, firing ones highlighted; filter by state. */
@Route(value = "alerts", layout = MainLayout.class)
@PageTitle("Alerts · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class AlertsView extends LiveView<List<AlertRow>> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final AlertQueries alerts;
    private final RadioButtonGroup<String> filter = new RadioButtonGroup<>();
    private final Grid<AlertRow> grid = new Grid<>();
    private final Span status = new Span();
    /** The filter's value, readable from the refresh thread without the UI lock. */
    private volatile String selected = "Firing";

    public AlertsView(AlertQueries alerts, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(2));
        this.alerts = alerts;
        setSizeFull();
        filter.setItems("Firing", "Resolved", "All");
        filter.setValue("Firing");
        filter.addValueChangeListener(e -> {
            selected = e.getValue();
            status.setText("Loading…");
        });
        grid.addThemeVariants(GridVariant.LUMO_ROW_STRIPES, GridVariant.LUMO_COMPACT);
        grid.addComponentColumn(r -> {
            Span badge = new Span(r.state());
            badge.getElement().getThemeList().add("FIRING".equals(r.state()) ? "badge error primary" : "badge success");
            return badge;
        }).setHeader("State").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(AlertRow::severity).setHeader("Severity").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(AlertRow::type).setHeader("Type").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(r -> entity(r.labels())).setHeader("Entity").setWidth("22em").setFlexGrow(1);
        grid.addColumn(AlertRow::summary).setHeader("Summary").setWidth("28em").setFlexGrow(3);
        grid.addColumn(r -> TIME.format(r.startsAt())).setHeader("Since").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(r -> r.endsAt() == null ? "" : TIME.format(r.endsAt())).setHeader("Resolved at")
                .setAutoWidth(true).setFlexGrow(0);
        grid.setItemDetailsRenderer(new com.vaadin.flow.data.renderer.ComponentRenderer<>(r -> new Span(
                "Evidence: " + r.evidence().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")) + " · fingerprint " + r.fingerprint())));
        grid.setSizeFull();
        add(new H2("Alerts"), filter, status, grid);
    }

    static String entity(Map<String, String> labels) {
        StringBuilder b = new StringBuilder();
        for (String key : List.of("job", "rack", "host", "gpu", "rank")) {
            String v = labels.get(key);
            if (v != null) {
                if (!b.isEmpty()) b.append(' ');
                b.append(key).append('=').append(v);
            }
        }
        return b.toString();
    }

    @Override
    protected List<AlertRow> load() throws Exception {
        String f = selected;
        AlertEvent.State state = "Firing".equals(f) ? AlertEvent.State.FIRING
                : "Resolved".equals(f) ? AlertEvent.State.RESOLVED : null;
        return alerts.list(state, 500);
    }

    @Override
    protected void render(List<AlertRow> rows) {
        grid.setItems(rows);
        status.setText(rows.size() + " alert(s) · updated " + TIME.format(Instant.now()));
    }

    @Override
    protected void renderError(String message) {
        status.setText("Cannot read alerts: " + message);
    }
}
