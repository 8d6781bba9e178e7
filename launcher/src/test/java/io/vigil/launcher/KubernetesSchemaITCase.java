package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/kubernetes/*.yaml} against the Kubernetes API's OpenAPI schemas and Strimzi's CRD schemas
 * ({@code deploy/kubernetes/validate}: {@code kubernetes-models} from the npm registry, installed once, then offline);
 * and the validator refuses a manifest that breaks its schema, so a green run means something.
 */
class KubernetesSchemaITCase {

    static final Path VALIDATE = Path.of("..", "deploy", "kubernetes", "validate").toAbsolutePath().normalize();

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(VALIDATE.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    static boolean has(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theManifestsMatchTheirSchemasAndABrokenOneIsRefused() throws Exception {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(has("node") && has("npm")).as("node and npm (.ci/run installs them)").isTrue();
        }
        Assumptions.assumeTrue(has("node") && has("npm"), "node and npm are needed");
        if (!Files.isDirectory(VALIDATE.resolve("node_modules"))) {
            String install = run(List.of("npm", "ci", "--no-audit", "--no-fund"));
            assertThat(install).as("npm ci").startsWith("0\n");
        }
        String result = run(List.of("node", "validate.mjs"));
        assertThat(result).as(result).startsWith("0\n").contains(" 0 problems");

        Path broken = Files.createTempDirectory("vigil-k8s-broken");
        String vigil = Files.readString(VALIDATE.resolveSibling("30-vigil.yaml"));
        Files.writeString(broken.resolve("30-vigil.yaml"), vigil.replaceFirst("replicas: 2", "replicas: two")
                .replaceFirst("containerPort: 8080", "containerPort: http-port"));
        String refused = run(List.of("node", "validate.mjs", broken.toString()));
        assertThat(refused).startsWith("1\n").contains("/spec/replicas must be integer", "containerPort");
    }
}
