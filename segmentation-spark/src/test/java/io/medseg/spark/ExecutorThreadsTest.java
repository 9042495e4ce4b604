package io.medseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorThreadsTest {
    @Test
    void theThreadsAreTheExecutorsCoresOrTheLocalMastersN() {
        assertThat(ExecutorThreads.localCores("local[2]", 16)).isEqualTo(2);
        assertThat(ExecutorThreads.localCores("local[*]", 16)).isEqualTo(16);
        assertThat(ExecutorThreads.localCores("local[3,2]", 16)).isEqualTo(3);
        assertThat(ExecutorThreads.localCores("local", 16)).isEqualTo(1);
        assertThat(ExecutorThreads.localCores("spark://host:7077", 16)).isEqualTo(16);
        assertThat(ExecutorThreads.cores(new SparkConf(false).set("spark.executor.cores", "4")
                .set("spark.master", "local[2]"))).isEqualTo(4);
        assertThat(ExecutorThreads.cores(new SparkConf(false).set("spark.master", "local[2]"))).isEqualTo(2);
    }

    @Test
    void aRegistryCopysVersionIsTheFolderAboveThePackage() {
        assertThat(ModelCache.version(java.nio.file.Path.of("/r/cardiac-lv/3/package"))).isEqualTo("3");
        assertThat(ModelCache.version(java.nio.file.Path.of("/packages/lv"))).isNull();
    }
}
