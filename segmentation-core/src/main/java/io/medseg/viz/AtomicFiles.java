package io.medseg.viz;

import io.medseg.io.AtomicFile;
import java.nio.file.Path;
import java.awt.image.RenderedImage;
import java.io.IOException;
import javax.imageio.ImageIO;

/** PNG writes that either complete or leave nothing behind under the target name. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static void writePng(RenderedImage image, Path target) throws IOException {
        AtomicFile.write(target, os -> {
            if (!ImageIO.write(image, "png", os)) {
                throw new IOException(target + ": no PNG writer available for this image type");
            }
        });
    }
}
