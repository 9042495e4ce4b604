package io.medseg.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The README's consumer {@code pom.xml} asks for this project's artifacts by their coordinates and version, the
 * SLF4J and compiler release of the build, and the plugin versions the build pins (its program is compiled and run
 * by {@link DocSnippetsTest}).
 */
class ReadmeConsumerPomTest {
    private static final Pattern XML_BLOCK = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL);

    private static Path repository() {
        return Path.of(System.getProperty("medseg.repository.dir", "..")).toAbsolutePath().normalize();
    }

    @Test
    void namesThisProjectsCoordinatesVersionsAndPinnedPlugins() throws Exception {
        String readme = Files.readString(repository().resolve("README.md"), StandardCharsets.UTF_8);
        Matcher m = XML_BLOCK.matcher(readme);
        List<String> poms = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).contains("<project")) {
                poms.add(m.group(1));
            }
        }
        assertThat(poms).as("the README's pom.xml blocks").hasSize(1);
        Element consumer = parse(poms.get(0));
        Element parent = parse(Files.readString(repository().resolve("pom.xml"), StandardCharsets.UTF_8));
        String version = text(child(parent, "version"));
        Map<String, String> parentProperties = children(child(parent, "properties"));

        assertThat(children(child(consumer, "properties"))).containsEntry("maven.compiler.release",
                parentProperties.get("maven.compiler.release"));
        Map<String, String> dependencies = new LinkedHashMap<>();
        for (Element d : elements(child(consumer, "dependencies"), "dependency")) {
            dependencies.put(text(child(d, "groupId")) + ":" + text(child(d, "artifactId")), text(child(d, "version")));
        }
        assertThat(dependencies).containsExactly(Map.entry("io.medseg:segmentation-core", version),
                Map.entry("io.medseg:segmentation-tf", version),
                Map.entry("org.slf4j:slf4j-simple", parentProperties.get("slf4j.version")));
        for (String module : List.of("segmentation-core", "segmentation-tf")) {
            Element pom = parse(Files.readString(repository().resolve(module).resolve("pom.xml"),
                    StandardCharsets.UTF_8));
            assertThat(text(child(pom, "artifactId"))).isEqualTo(module);
            assertThat(text(child(child(pom, "parent"), "groupId"))).isEqualTo("io.medseg");
            assertThat(text(child(child(pom, "parent"), "version"))).isEqualTo(version);
        }

        Map<String, String> pinned = new LinkedHashMap<>();
        for (Element p : elements(child(child(child(parent, "build"), "pluginManagement"), "plugins"), "plugin")) {
            pinned.put(text(child(p, "artifactId")), text(child(p, "version")));
        }
        List<Element> plugins = elements(child(child(consumer, "build"), "plugins"), "plugin");
        assertThat(plugins).isNotEmpty();
        for (Element p : plugins) {
            String artifact = text(child(p, "artifactId"));
            assertThat(pinned).as("the project pins %s", artifact).containsKey(artifact);
            assertThat(text(child(p, "version"))).as(artifact).isEqualTo(pinned.get(artifact));
        }
        assertThat(readme).contains("src/main/java/example/SegmentLv.java").contains("example.SegmentLv ");
    }

    private static Element parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
    }

    private static List<Element> elements(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = elements(parent, name);
        assertThat(found).as("<%s> in <%s>", name, parent.getTagName()).hasSize(1);
        return found.get(0);
    }

    private static Map<String, String> children(Element parent) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Element e : elements(parent, null)) {
            out.put(e.getTagName(), text(e));
        }
        return out;
    }

    private static String text(Element e) {
        return e.getTextContent().strip();
    }

}
