package dev.shoestring.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.fs.s3.common.AbstractS3FileSystemFactory;
import org.apache.flink.fs.s3hadoop.S3FileSystemFactory;
import org.apache.flink.fs.s3hadoop.common.HadoopConfigLoader;
import org.junit.jupiter.api.Test;

/**
 * The S3 keys reach Flink without being written anywhere: the FlinkDeployments say
 * {@code s3.access-key: ${env.AWS_ACCESS_KEY_ID}} and the pods get AWS_ACCESS_KEY_ID from the
 * bucket claim's Secret. This runs the manifests' flinkConfiguration through the S3 plugin the
 * image loads (flink-s3-fs-hadoop) with the environment a pod would have (set by the surefire
 * configuration in k8s/pom.xml) and reads back what S3A would use.
 */
class S3CredentialsWiringTest {
    @Test
    void theS3PluginResolvesTheClaimsEndpointAndKeysFromTheEnvironment() throws Exception {
        assumeTrue(System.getenv("BUCKET_HOST") != null, "needs the environment of k8s/pom.xml's surefire configuration");
        assertThat(Manifests.rendered("FlinkDeployment")).isNotEmpty();
        for (Manifests.Obj d : Manifests.rendered("FlinkDeployment")) {
            org.apache.hadoop.conf.Configuration s3a = hadoopConfig(Manifests.flinkConfiguration(d.node()));
            assertThat(s3a.get("fs.s3a.endpoint")).as(d + ": fs.s3a.endpoint")
                    .isEqualTo("http://" + System.getenv("BUCKET_HOST") + ":" + System.getenv("BUCKET_PORT"));
            assertThat(s3a.get("fs.s3a.access.key")).as(d + ": fs.s3a.access.key").isEqualTo(System.getenv("AWS_ACCESS_KEY_ID"));
            assertThat(s3a.get("fs.s3a.secret.key")).as(d + ": fs.s3a.secret.key").isEqualTo(System.getenv("AWS_SECRET_ACCESS_KEY"));
            assertThat(s3a.get("fs.s3a.path.style.access")).as(d + ": path-style access (RGW)").isEqualTo("true");
            // The one credentials provider, and it exists in the plugin: no instance-metadata lookups.
            String provider = s3a.get("fs.s3a.aws.credentials.provider");
            assertThat(provider).isEqualTo("org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            Class.forName(provider);
        }
    }

    /** The Hadoop configuration the S3 plugin builds from a Flink configuration. */
    private static org.apache.hadoop.conf.Configuration hadoopConfig(Map<String, String> flinkConf) throws Exception {
        S3FileSystemFactory factory = new S3FileSystemFactory();
        factory.configure(Configuration.fromMap(flinkConf));
        Field loader = AbstractS3FileSystemFactory.class.getDeclaredField("hadoopConfigLoader");
        loader.setAccessible(true);
        return ((HadoopConfigLoader) loader.get(factory)).getOrLoadHadoopConfig();
    }
}
