package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/openapi.yaml} is valid OpenAPI 3.0 (swagger-parser, the validator of the OpenAPI tools), and it
 * documents exactly the API the controllers serve: every endpoint in the code is in the document, every operation
 * in the document is in the code.
 */
class OpenApiDocumentTest {

    static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml");

    @Test
    void theDocumentIsValidOpenApi() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(DOCUMENT), null, options);
        assertThat(result.getMessages()).as("validation messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.0");
    }

    @Test
    void theDocumentAndTheControllersNameTheSameOperations() throws Exception {
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(DOCUMENT), null, new ParseOptions());
        TreeSet<String> documented = new TreeSet<>();
        result.getOpenAPI().getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> documented.add(method.name() + " " + path)));
        TreeSet<String> served = new TreeSet<>(served());
        assertThat(served).hasSizeGreaterThan(15);
        assertThat(new TreeSet<>(served)).as("served but not in docs/openapi.yaml")
                .satisfies(s -> s.removeAll(documented)).isEmpty();
        assertThat(new TreeSet<>(documented)).as("in docs/openapi.yaml but not served")
                .satisfies(d -> d.removeAll(served)).isEmpty();
    }

    /** "METHOD /path/{param}" of every controller method; {@code {x:a|b}} gives one path per alternative. */
    static List<String> served() throws Exception {
        List<String> out = new ArrayList<>();
        for (AccessRulesTest.Endpoint e : AccessRulesTest.declared()) {
            java.util.regex.Matcher alt = java.util.regex.Pattern.compile("\\{([^}:]+):([^}]+)}").matcher(e.path());
            if (alt.find()) {
                for (String a : alt.group(2).split("\\|")) out.add(e.method() + " " + e.path().replace(alt.group(), a));
            } else {
                out.add(e.method() + " " + e.path());
            }
        }
        return out;
    }
}
