package io.vigil.dashboard.layout;

import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.vigil.dashboard.alerts.ui.AlertsView;
import io.vigil.dashboard.capacity.ui.CapacityView;
import io.vigil.dashboard.facility.ui.FacilityView;
import io.vigil.dashboard.incidents.ui.IncidentsView;
import io.vigil.dashboard.jobs.ui.JobsView;
import io.vigil.dashboard.notifications.ui.NotificationsView;
import io.vigil.dashboard.overview.ui.OverviewView;
import io.vigil.dashboard.security.AccessApi;
import io.vigil.dashboard.security.ui.AdminView;
import jakarta.annotation.security.PermitAll;
import org.springframework.security.core.context.SecurityContextHolder;

/** The frame around every view: title, navigation, who is signed in and with which role, sign-out. */
@PermitAll
public class MainLayout extends AppLayout {

    public MainLayout(AuthenticationContext auth) {
        H1 title = new H1("Vigil");
        title.addClassName("vigil-title");
        SideNav nav = new SideNav();
        nav.addItem(new SideNavItem("Overview", OverviewView.class));
        nav.addItem(new SideNavItem("Incidents", IncidentsView.class));
        nav.addItem(new SideNavItem("Jobs", JobsView.class));
        nav.addItem(new SideNavItem("Facility", FacilityView.class));
        nav.addItem(new SideNavItem("Capacity", CapacityView.class));
        nav.addItem(new SideNavItem("Notifications", NotificationsView.class));
        nav.addItem(new SideNavItem("Alerts (raw)", AlertsView.class));
        String role = AccessApi.roleOf(SecurityContextHolder.getContext().getAuthentication());
        if ("admin".equals(role)) {
            nav.addItem(new SideNavItem("Users and audit", AdminView.class));
        }
        Span who = new Span(auth.getPrincipalName().orElse("?") + " · " + (role == null ? "no role" : role));
        who.setId("signed-in-as");
        Button signOut = new Button("Sign out", e -> auth.logout());
        signOut.setId("sign-out");
        signOut.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
        HorizontalLayout user = new HorizontalLayout(who, signOut);
        user.setAlignItems(HorizontalLayout.Alignment.CENTER);
        user.getStyle().set("margin-left", "auto").set("margin-right", "var(--lumo-space-m)");
        addToNavbar(new DrawerToggle(), title, user);
        addToDrawer(nav);
    }
}
