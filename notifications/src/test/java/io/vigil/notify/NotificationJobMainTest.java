package io.vigil.notify;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.config.Settings;
import io.vigil.notify.routing.RoutingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the notification job refuses to start with: a page lost to configuration is found at start-up. */
class NotificationJobMainTest {

    @Test
    void aMissingSecretOrCaFileStopsTheStartWithTheReceiverNamed() {
        RoutingConfig missingCa = RoutingConfig.parse("""
                route: {receiver: site}
                receivers:
                  - name: site
                    webhook_configs:
                      - url: https://hooks.example/vigil
                        http_config: {tls_config: {ca_file: /nonexistent/site-ca.pem}}
                """, "routing.yml");
        assertThatThrownBy(() -> NotificationJobMain.checkSecrets(missingCa, Map.of()))
                .isInstanceOf(Settings.ConfigException.class)
                .hasMessageContaining("receiver 'site' webhook[0]")
                .hasMessageContaining("tls_config.ca_file /nonexistent/site-ca.pem cannot be read");
        RoutingConfig missingKey = RoutingConfig.parse("""
                route: {receiver: pd}
                receivers:
                  - name: pd
                    pagerduty_configs: [{routing_key_env: VIGIL_TEST_NO_SUCH_VARIABLE}]
                """, "routing.yml");
        assertThatThrownBy(() -> NotificationJobMain.checkSecrets(missingKey, Map.of()))
                .isInstanceOf(Settings.ConfigException.class).hasMessageContaining("receiver 'pd'");
    }
}
