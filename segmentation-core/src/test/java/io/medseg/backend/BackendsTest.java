package io.medseg.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The core module's test classpath registers no provider, so this is what a user without a backend sees. */
class BackendsTest {

    @Test
    void noProviderOnTheCoreClasspath() {
        assertThat(Backends.available()).isEmpty();
    }

    @Test
    void loadWithoutProviderTellsWhichArtifactToAdd() {
        assertThatThrownBy(Backends::load)
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("no segmentation backend on the classpath")
                .hasMessageContaining("io.medseg:segmentation-tf");
    }

    @Test
    void loadByNameWithoutProviderNamesTheRequestAndTheAvailableOnes() {
        assertThatThrownBy(() -> Backends.load("tensorflow"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("'tensorflow'")
                .hasMessageContaining("available: []");
    }
}
