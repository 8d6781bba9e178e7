package io.vigil.dashboard;

import com.vaadin.flow.component.page.AppShellConfigurator;
import com.vaadin.flow.component.page.Push;
import com.vaadin.flow.server.PWA;
import com.vaadin.flow.theme.Theme;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Vigil's operator console and HTTP API. Reads PostgreSQL only; views update by server push. */
@SpringBootApplication
@Push
@Theme("vigil")
@PWA(name = "Vigil", shortName = "Vigil")
public class DashboardApplication implements AppShellConfigurator {

    public static void main(String[] args) {
        SpringApplication.run(DashboardApplication.class, args);
    }
}
