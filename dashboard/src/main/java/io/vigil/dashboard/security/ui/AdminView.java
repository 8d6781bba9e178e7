package io.vigil.dashboard.security.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.security.Role;
import io.vigil.dashboard.security.UserDirectory;
import io.vigil.dashboard.security.UsersFile;
import io.vigil.storage.query.AuditQueries;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** For admins: who may sign in (names and roles; the users file is edited with ./vigil user) and the audit log. */
@Route(value = "admin", layout = MainLayout.class)
@PageTitle("Users and audit · Vigil")
@RolesAllowed(Role.ADMIN_NAME)
public class AdminView extends LiveView<AdminView.Data> {

    record Data(List<UsersFile.Entry> users, List<AuditQueries.AuditEvent> audit) {}

    private final UserDirectory users;
    private final AuditQueries audit;
    private final Grid<UsersFile.Entry> userGrid = new Grid<>();
    private final Grid<AuditQueries.AuditEvent> auditGrid = new Grid<>();
    private final Paragraph file = new Paragraph();

    public AdminView(UserDirectory users, AuditQueries audit, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(5));
        this.users = users;
        this.audit = audit;
        setSizeFull();
        userGrid.setId("admin-users");
        userGrid.addThemeVariants(GridVariant.LUMO_COMPACT);
        userGrid.addColumn(e -> e.kind().name().toLowerCase()).setHeader("Kind").setAutoWidth(true).setFlexGrow(0);
        userGrid.addColumn(UsersFile.Entry::name).setHeader("Name").setAutoWidth(true).setFlexGrow(0);
        userGrid.addColumn(e -> e.role().label()).setHeader("Role").setAutoWidth(true).setFlexGrow(0);
        userGrid.setAllRowsVisible(true);
        auditGrid.setId("admin-audit");
        auditGrid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        auditGrid.addColumn(e -> e.at().toString()).setHeader("At").setAutoWidth(true).setFlexGrow(0);
        auditGrid.addColumn(AuditQueries.AuditEvent::actor).setHeader("Who").setAutoWidth(true).setFlexGrow(0);
        auditGrid.addColumn(AuditQueries.AuditEvent::action).setHeader("Action").setAutoWidth(true).setFlexGrow(0);
        auditGrid.addColumn(e -> e.target() == null ? "" : e.target()).setHeader("On").setFlexGrow(1);
        auditGrid.addColumn(AuditQueries.AuditEvent::outcome).setHeader("Outcome").setAutoWidth(true).setFlexGrow(0);
        auditGrid.addColumn(e -> e.remoteAddr() == null ? "" : e.remoteAddr()).setHeader("From").setAutoWidth(true)
                .setFlexGrow(0);
        auditGrid.addColumn(e -> e.detail() == null ? "" : e.detail()).setHeader("Detail").setFlexGrow(2);
        add(new H2("Users and audit"), file, userGrid, new H3("Audit log (newest first)"), auditGrid);
    }

    @Override
    protected Data load() throws Exception {
        return new Data(users.entries(), audit.list(null, 500));
    }

    @Override
    protected void render(Data d) {
        file.setText("Users file: " + (users.file() == null ? "none (only the built-in admin)" : users.file())
                + (users.lastError() == null ? "" : " · NOT LOADED: " + users.lastError())
                + " · add users with ./vigil user add NAME --role viewer|operator|admin");
        userGrid.setItems(d.users());
        auditGrid.setItems(d.audit());
    }

    @Override
    protected void renderError(String message) {
        file.setText("Cannot read the audit log: " + message);
    }
}
