package io.vigil.dashboard.layout;

import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.server.auth.AnonymousAllowed;
import io.vigil.dashboard.alerts.ui.AlertsView;
import io.vigil.dashboard.capacity.ui.CapacityView;
import io.vigil.dashboard.notifications.ui.NotificationsView;
import io.vigil.dashboard.overview.ui.OverviewView;

/** The frame around every view: title and navigation. */
@AnonymousAllowed
public class MainLayout extends AppLayout {

    public MainLayout() {
        H1 title = new H1("Vigil");
        title.addClassName("vigil-title");
        SideNav nav = new SideNav();
        nav.addItem(new SideNavItem("Cluster overview", OverviewView.class));
        nav.addItem(new SideNavItem("Alerts", AlertsView.class));
        nav.addItem(new SideNavItem("Notifications", NotificationsView.class));
        nav.addItem(new SideNavItem("Capacity", CapacityView.class));
        addToNavbar(new DrawerToggle(), title);
        addToDrawer(nav);
    }
}
