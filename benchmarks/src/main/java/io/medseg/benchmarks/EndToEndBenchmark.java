package io.medseg.benchmarks;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.viz.MaskPng;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A DICOM frame in, a mask PNG out, as a service would run it with the default cardiac recipe: decode the DICOM
 * ({@link DicomReader}), {@code Segmenter.predictBatch} with the recipe's post-processing (largest component,
 * holes filled) on the saved and loaded model, and encode each mask as a PNG in memory ({@link MaskPng#toImage},
 * written by {@code ImageIO} as {@code MaskPng.write} does).
 *
 * <p>The DICOM bytes are read once in the setup from the real Sunnybrook files ({@code -Dmedseg.data=DIR}) and
 * written to a temporary folder, because {@code DicomReader} reads from a path: the decode then reads them from the
 * page cache, never from the disk. Going round all 56 frames, a batch per call. The model is as in
 * {@link SegmenterThroughputBenchmark} (random seeded weights, or {@code -Dmedseg.bench.model=DIR}), and so is the
 * caveat on post-processing with random weights.
 *
 * <p><b>Reading the result:</b> the primary score is batches per second, {@code :images} frames per second and
 * {@code :gflop} the network's GFLOP per second. Divided by {@link RawTensorFlowBenchmark}'s images/s ({@code
 * network=cardiac}, same batch, fp32) it is the share of raw TensorFlow speed left once everything a request needs
 * is counted.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EndToEnd}.
 */
public class EndToEndBenchmark extends ThroughputSettings {

    /** Frames per network call. */
    @Param({"1", "8"})
    int batch;

    /** {@code fp32}, or {@code bf16} (oneDNN's bf16 rewrite). */
    @Param({"fp32", "bf16"})
    String precision;

    private SegmentationModel model;
    private Segmenter segmenter;
    private Path dicoms;
    private List<List<Path>> batches;
    private double gflopPerImage;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        try {
            prepare();
        } catch (RuntimeException | IOException e) {
            tearDown();
            throw e;
        }
    }

    private void prepare() throws IOException {
        List<Sample> frames = Networks.frames();
        Path root = Networks.dataDir();
        dicoms = Files.createTempDirectory("medseg-bench-dicom-");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            byte[] bytes = Files.readAllBytes(SunnybrookDataset.dicomFile(root, frames.get(i).id()));
            Path f = dicoms.resolve(i + ".dcm");
            Files.write(f, bytes);
            files.add(f);
        }
        batches = Networks.batches(files, batch);
        model = Networks.servingModel(Networks.CARDIAC, Networks.precision(precision),
                Networks.firstImages(frames, batch));
        segmenter = CardiacRecipe.defaults().segmenter(model);
        gflopPerImage = Flops.unetGflop(model.spec());
        // the decoded frame is the dataset's, and the PNG decodes back to the mask
        Image decoded = DicomReader.read(files.get(0)).toImage();
        if (!Arrays.equals(decoded.toArray(), frames.get(0).image().toArray())) {
            throw new IllegalStateException("the DICOM copy " + files.get(0) + " does not decode to the frame "
                    + frames.get(0).id());
        }
        Mask mask = segmenter.predict(decoded);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png(mask)));
        if (back == null || !samePixels(MaskPng.toImage(mask), back)) {
            throw new IllegalStateException("the mask PNG does not decode back to the mask");
        }
    }

    private static boolean samePixels(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRaster().getSample(x, y, 0) != b.getRaster().getSample(x, y, 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The mask as PNG bytes, as {@code MaskPng.write} would write them. */
    static byte[] png(Mask mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            if (!ImageIO.write(MaskPng.toImage(mask), "png", out)) {
                throw new IllegalStateException("no PNG writer for a grayscale image");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Benchmark
    public List<byte[]> dicomToPng(Work work) throws IOException {
        List<Path> files = batches.get(next);
        next = (next + 1) % batches.size();
        List<Image> images = new ArrayList<>(files.size());
        for (Path f : files) {
            images.add(DicomReader.read(f).toImage());
        }
        List<Prediction> predictions = segmenter.predictBatch(images);
        List<byte[]> pngs = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            pngs.add(png(p.mask()));
        }
        work.add(files.size(), gflopPerImage);
        return pngs;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (model != null) {
            model.close();
            model = null;
        }
        Networks.deleteQuietly(dicoms);
    }
}
