package io.vigil.dashboard.security.ui;

import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.login.LoginForm;
import com.vaadin.flow.component.login.LoginI18n;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.VaadinSession;
import com.vaadin.flow.server.auth.AnonymousAllowed;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.web.WebAttributes;

/** Sign-in: user name and password (the users file), and a link per single-sign-on provider when OIDC is configured. */
@Route("login")
@PageTitle("Sign in · Vigil")
@AnonymousAllowed
public class LoginView extends VerticalLayout implements BeforeEnterObserver {

    private final LoginForm form = new LoginForm();
    private final Paragraph notice = new Paragraph();

    public LoginView(ObjectProvider<ClientRegistrationRepository> oidc) {
        setSizeFull();
        setAlignItems(Alignment.CENTER);
        setJustifyContentMode(JustifyContentMode.CENTER);
        form.setAction("login");
        form.setForgotPasswordButtonVisible(false);
        notice.setId("login-notice");
        add(new H1("Vigil"), form, notice);
        if (oidc.getIfAvailable() instanceof Iterable<?> registrations) {
            Div sso = new Div();
            sso.setId("sso");
            for (Object o : registrations) {
                ClientRegistration r = (ClientRegistration) o;
                Anchor link = new Anchor("oauth2/authorization/" + r.getRegistrationId(), "Sign in with " + r.getClientName());
                link.setRouterIgnore(true);
                sso.add(link);
            }
            add(sso);
        }
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        var params = event.getLocation().getQueryParameters().getParameters();
        if (params.containsKey("error")) {
            form.setError(true);
            Object last = VaadinSession.getCurrent() == null ? null
                    : VaadinSession.getCurrent().getSession().getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
            if (last instanceof LockedException locked) {
                LoginI18n i18n = LoginI18n.createDefault();
                i18n.getErrorMessage().setTitle("Sign-in paused");
                i18n.getErrorMessage().setMessage(locked.getMessage());
                form.setI18n(i18n);
            }
        } else if (params.containsKey("signed-out")) {
            notice.setText("Signed out.");
        }
    }
}
