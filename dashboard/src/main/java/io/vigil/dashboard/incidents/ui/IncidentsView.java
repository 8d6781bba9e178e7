package io.vigil.dashboard.incidents.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.layout.FleetLiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.Incident;
import io.vigil.dashboard.security.Role;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One row per incident (a root cause with the alerts it explains), firing first: severity, state, age, what it
 * affects, who acknowledged it. A row opens the incident's page.
 */
@Route(value = "incidents", layout = MainLayout.class)
@PageTitle("Incidents · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class IncidentsView extends FleetLiveView {

    private final Grid<Incident> grid = new Grid<>();
    private final RadioButtonGroup<String> show = new RadioButtonGroup<>();
    private final Span status = new Span();

    public IncidentsView(FleetService fleet) {
        super(fleet);
        setSizeFull();
        show.setItems("Firing", "Last 24 h");
        show.setValue("Firing");
        show.addValueChangeListener(e -> render(fleet.current()));
        grid.setId("incidents-grid");
        grid.addThemeVariants(GridVariant.LUMO_ROW_STRIPES, GridVariant.LUMO_COMPACT);
        grid.addComponentColumn(i -> {
            Span b = new Span(i.severity().toLowerCase());
            b.getElement().getThemeList().add("CRITICAL".equals(i.severity()) ? "badge error primary"
                    : "WARNING".equals(i.severity()) ? "badge contrast" : "badge");
            return b;
        }).setHeader("Severity").setAutoWidth(true).setFlexGrow(0);
        grid.addComponentColumn(i -> {
            Span b = new Span(i.firing() ? "firing" : "resolved");
            b.getElement().getThemeList().add(i.firing() ? "badge error" : "badge success");
            return b;
        }).setHeader("State").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(Incident::type).setHeader("Root cause").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(Incident::summary).setHeader("Summary").setFlexGrow(3);
        grid.addColumn(i -> age(i.startsAt())).setHeader("Age").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(i -> String.valueOf(i.alerts().size())).setHeader("Alerts").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(i -> String.join(", ", i.jobs())).setHeader("Jobs").setFlexGrow(1);
        grid.addColumn(i -> String.join(", ", i.racks())).setHeader("Racks").setFlexGrow(1);
        grid.addColumn(i -> i.acknowledgedBy() == null ? "" : i.acknowledgedBy()).setHeader("Acknowledged by")
                .setAutoWidth(true).setFlexGrow(0);
        grid.addItemClickListener(e -> getUI().ifPresent(ui -> ui.navigate(IncidentView.path(e.getItem().id()))));
        grid.setSizeFull();
        add(new H2("Incidents"), show, status, grid);
    }

    @Override
    protected void render(FleetSnapshot s) {
        boolean firingOnly = "Firing".equals(show.getValue());
        List<Incident> rows = firingOnly ? s.incidents().stream().filter(Incident::firing).toList() : s.incidents();
        grid.setItems(rows);
        status.setText(s.error() != null ? "Cannot read the database: " + s.error()
                : rows.size() + " incident(s) · " + s.firingIncidents() + " firing");
    }

    static String age(Instant since) {
        if (since == null) return "";
        Duration d = Duration.between(since, Instant.now());
        if (d.isNegative()) return "0 s";
        if (d.toMinutes() < 1) return d.toSeconds() + " s";
        if (d.toHours() < 1) return d.toMinutes() + " min";
        if (d.toDays() < 1) return d.toHours() + " h " + d.toMinutesPart() + " min";
        return d.toDays() + " d " + d.toHoursPart() + " h";
    }
}
