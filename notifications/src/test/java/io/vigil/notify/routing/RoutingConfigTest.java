package io.vigil.notify.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingConfigTest {

    static final Path EXAMPLE = Path.of("..", "docs", "notify-routing.example.yml");

    static List<String> receivers(RoutingConfig c, Map<String, String> labels) {
        return c.root().match(labels).stream().map(Route::receiver).toList();
    }

    @Test
    void theExampleFileSendsFacilitiesAndTeamsWhereTheyBelong() {
        RoutingConfig c = RoutingConfig.load(EXAMPLE);
        assertThat(receivers(c, Map.of("type", "COOLING", "severity", "critical"))).containsExactly("facilities");
        assertThat(receivers(c, Map.of("type", "STRAGGLER", "severity", "warning", "team", "ml-research")))
                .containsExactly("site-alertmanager", "ml-research");
        assertThat(receivers(c, Map.of("type", "STRAGGLER", "severity", "info", "team", "ml-research")))
                .containsExactly("ml-research");
        assertThat(receivers(c, Map.of("type", "THERMAL", "severity", "info"))).containsExactly("oncall-default");
        Route vision = c.root().match(Map.of("account", "vision", "severity", "info")).get(0);
        assertThat(vision.receiver()).isEqualTo("vision-team");
        assertThat(vision.groupWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(vision.repeatInterval()).as("inherited").isEqualTo(Duration.ofHours(4));
        assertThat(c.root().match(Map.of("type", "POWER")).get(0).repeatInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(c.receivers().get("site-alertmanager")).singleElement()
                .isInstanceOfSatisfying(ReceiverSpec.Alertmanager.class, am -> assertThat(am.urls()).hasSize(2));
        assertThat(c.receivers().get("facilities")).hasSize(2);
        assertThat(c.runbooks()).containsKey("THERMAL");
    }

    @Test
    void secretsNeverShowInText() {
        RoutingConfig c = RoutingConfig.parse("""
                route: {receiver: s}
                receivers:
                  - name: s
                    slack_configs: [{webhook_url: "https://hooks.slack.test/T000/B000/supersecret"}]
                """, "f.yml");
        assertThat(c.toString()).doesNotContain("supersecret");
    }

    @Test
    void everyProblemNamesItsLine() {
        assertError("""
                route:
                  receiver: pd
                  routes:
                    - matchers: ['team="a"']
                      reciever: pd
                receivers:
                  - name: pd
                    webhook_configs: [{url: "http://x"}]
                """, "f.yml:5: unknown key 'reciever' in a route");
        assertError("""
                route:
                  receiver: nobody
                receivers:
                  - name: pd
                    webhook_configs: [{url: "http://x"}]
                """, "f.yml:2: receiver 'nobody' is not defined");
        assertError("""
                route:
                  receiver: pd
                  routes:
                    - matchers: ['team~"a"']
                receivers:
                  - name: pd
                    webhook_configs: [{url: "http://x"}]
                """, "f.yml:4: not a matcher");
        assertError("""
                route:
                  receiver: pd
                  group_wait: soon
                receivers:
                  - name: pd
                    webhook_configs: [{url: "http://x"}]
                """, "f.yml:3: group_wait must be a duration");
        assertError("""
                route:
                  receiver: pd
                receivers:
                  - name: pd
                    pagerduty_configs: [{}]
                """, "f.yml:5: needs routing_key");
        assertError("""
                route:
                  receiver: pd
                receivers:
                  - name: pd
                    webhook_configs: [{url: "ftp://x"}]
                """, "f.yml:5: url must be an http:// or https:// URL");
        assertError("route: [\n", "f.yml:");
        assertError("", "the routing file is empty");
    }

    @Test
    void continueLetsLaterSiblingsMatchAndTheParentTakesWhatNoChildTakes() {
        RoutingConfig c = RoutingConfig.parse("""
                route:
                  receiver: root
                  routes:
                    - matchers: [severity="critical"]
                      receiver: a
                      continue: true
                    - matchers: [severity="critical"]
                      receiver: b
                    - matchers: [severity="critical"]
                      receiver: never
                receivers:
                  - {name: root, webhook_configs: [{url: "http://r"}]}
                  - {name: a, webhook_configs: [{url: "http://a"}]}
                  - {name: b, webhook_configs: [{url: "http://b"}]}
                  - {name: never, webhook_configs: [{url: "http://n"}]}
                """, "f.yml");
        assertThat(receivers(c, Map.of("severity", "critical"))).containsExactly("a", "b");
        assertThat(receivers(c, Map.of("severity", "info"))).containsExactly("root");
    }

    @Test
    void alertmanagerAndWebhookTargetsTakeBasicOrBearerAuthenticationAsAlertmanagerSaysIt() {
        RoutingConfig c = RoutingConfig.parse("""
                route: {receiver: r}
                receivers:
                  - name: r
                    alertmanager_configs:
                      - urls: ["https://am-1:9093"]
                        http_config: {basic_auth: {username: vigil, password_env: AM_PASSWORD}}
                    webhook_configs:
                      - url: "https://hooks.example/vigil"
                        http_config: {authorization: {credentials: t0ken}, tls_config: {ca_file: /etc/vigil/site-ca.pem}}
                """, "f.yml");
        java.util.List<ReceiverSpec> specs = c.receivers().get("r");
        ReceiverSpec.Alertmanager am = (ReceiverSpec.Alertmanager) specs.get(0);
        assertThat(am.http().header(java.util.Map.of("AM_PASSWORD", "s3cret"))).isEqualTo("Basic "
                + java.util.Base64.getEncoder().encodeToString("vigil:s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ReceiverSpec.Webhook hook = (ReceiverSpec.Webhook) specs.get(1);
        assertThat(hook.http().header(java.util.Map.of())).isEqualTo("Bearer t0ken");
        assertThat(hook.http().caFile()).isEqualTo("/etc/vigil/site-ca.pem");
        assertThat(am.http().caFile()).isNull();
        assertThat(c.toString()).doesNotContain("t0ken");
        assertError("""
                route: {receiver: r}
                receivers:
                  - name: r
                    webhook_configs:
                      - url: "https://h"
                        http_config: {basic_auth: {username: u, password: p}, authorization: {credentials: c}}
                """, "basic_auth or authorization, not both");
    }

    static void assertError(String yaml, String message) {
        assertThatThrownBy(() -> RoutingConfig.parse(yaml, "f.yml"))
                .isInstanceOf(RoutingConfig.RoutingException.class).hasMessageContaining(message);
    }
}
