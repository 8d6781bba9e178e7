package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

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
        ClassPathScanningCandidateComponentProvider scan = new ClassPathScanningCandidateComponentProvider(false);
        scan.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        List<String> out = new ArrayList<>();
        for (BeanDefinition d : scan.findCandidateComponents("io.vigil.dashboard")) {
            Class<?> c = Class.forName(d.getBeanClassName());
            RequestMapping base = c.getAnnotation(RequestMapping.class);
            String prefix = base == null || base.value().length == 0 ? "" : base.value()[0];
            for (Method m : c.getDeclaredMethods()) {
                if (m.getAnnotation(GetMapping.class) != null) add(out, "GET", prefix, m.getAnnotation(GetMapping.class).value());
                if (m.getAnnotation(PostMapping.class) != null) add(out, "POST", prefix, m.getAnnotation(PostMapping.class).value());
                if (m.getAnnotation(DeleteMapping.class) != null) add(out, "DELETE", prefix, m.getAnnotation(DeleteMapping.class).value());
                if (m.getAnnotation(PutMapping.class) != null) add(out, "PUT", prefix, m.getAnnotation(PutMapping.class).value());
            }
        }
        return out;
    }

    private static void add(List<String> out, String method, String prefix, String[] paths) {
        for (String p : paths.length == 0 ? new String[] {""} : paths) {
            String path = prefix + p;
            java.util.regex.Matcher alt = java.util.regex.Pattern.compile("\\{([^}:]+):([^}]+)}").matcher(path);
            if (alt.find()) {
                for (String a : alt.group(2).split("\\|")) out.add(method + " " + path.replace(alt.group(), a));
            } else {
                out.add(method + " " + path);
            }
        }
    }
}
