package dev.shoestring.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * k8s/image/Dockerfile cannot be built here (no Docker engine), so it is read: the base image is
 * the official Flink image of the build's Flink version, pinned; the jar it copies is the one the
 * build makes; the paths are the ones the manifests use.
 */
class DockerfileTest {
    static final String DOCKERFILE = Repo.read(Repo.K8S.resolve("image/Dockerfile"));
    static final String USRLIB_JAR = "/opt/flink/usrlib/shoestring-jobs.jar";

    static String flinkVersion() {
        Matcher m = Pattern.compile("<flink.version>([^<]+)</flink.version>").matcher(Repo.read(Repo.ROOT.resolve("pom.xml")));
        assertThat(m.find()).as("flink.version in pom.xml").isTrue();
        return m.group(1);
    }

    private static List<String> instructions(String name) {
        return DOCKERFILE.lines().map(String::strip).filter(l -> l.startsWith(name + " ")).toList();
    }

    @Test
    void baseImageIsTheOfficialFlinkImageOfTheBuildPinned() {
        assertThat(instructions("FROM")).containsExactly("FROM flink:" + flinkVersion() + "-java17");
    }

    @Test
    void copiesTheJarTheBuildMakesToUsrlib() {
        assertThat(instructions("COPY")).singleElement().asString()
                .endsWith(" jobs/target/shoestring-jobs.jar " + USRLIB_JAR);
        // jobs/pom.xml names the shaded jar shoestring-jobs(.jar): the path above exists after `mvn package`.
        assertThat(Repo.read(Repo.ROOT.resolve("jobs/pom.xml"))).contains("<finalName>shoestring-jobs</finalName>");
    }

    @Test
    void putsTheS3PluginOfTheSameFlinkIntoPlugins() {
        String jar = "flink-s3-fs-hadoop-" + flinkVersion() + ".jar";
        assertThat(DOCKERFILE).contains("cp /opt/flink/opt/" + jar + " /opt/flink/plugins/s3-fs-hadoop/");
        assertThat(DOCKERFILE).contains("mkdir -p /opt/flink/plugins/s3-fs-hadoop");
    }
}
