package io.medseg.mlops;

import io.medseg.io.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown model card of a package, written from the package's own records (model description, provenance,
 * metrics) so it cannot disagree with them: intended use, the model, training data, metrics with the split they
 * came from, and limitations.
 */
final class ModelCard {
    private ModelCard() {
    }

    static String render(Map<String, Object> model, Map<String, Object> provenance, Map<String, Object> metrics) {
        Map<String, Object> spec = Json.getObject(model, "spec");
        Map<String, Object> config = Json.getObject(provenance, "config");
        Map<String, Object> run = Json.getObject(provenance, "run");
        Map<String, Object> env = Json.getObject(provenance, "environment");
        Map<String, Object> data = Json.getObject(provenance, "data");
        Map<String, Object> input = Json.getObject(model, "input");
        StringBuilder md = new StringBuilder();
        md.append("# Model card: ").append(model.get("name")).append("\n\n");

        md.append("## Intended use\n\n");
        md.append("Segmentation of the left-ventricle blood pool in short-axis cine cardiac MRI frames, for research "
                + "and engineering (volumetry pipelines, dataset curation, method comparison). It is not a medical "
                + "device: every contour it produces must be reviewed by a qualified reader before any clinical "
                + "use. Out of scope: other views (long axis), other sequences (late enhancement, perfusion), "
                + "other anatomy, paediatric or congenital hearts unless validated on such data.\n\n");

        md.append("## Model\n\n");
        md.append(String.format(Locale.ROOT, "- U-Net, depth %s, %s base filters, %s upsampling, batch norm %s, "
                + "dropout %s, %s activation.%n", spec.get("depth"), spec.get("baseFilters"),
                String.valueOf(spec.get("upsampling")).toLowerCase(Locale.ROOT).replace('_', '-'),
                spec.get("batchNorm"), spec.get("dropout"), String.valueOf(spec.get("activation"))
                        .toLowerCase(Locale.ROOT)));
        md.append(String.format(Locale.ROOT, "- Input: %s x %s x %s (%s of the image), normalisation %s.%n",
                spec.get("inputHeight"), spec.get("inputWidth"), spec.get("inputChannels"),
                String.valueOf(spec.get("inputFit")).toLowerCase(Locale.ROOT).replace('_', ' '),
                Json.writeCompact(spec.get("normalization"))));
        md.append("- Output classes: ").append(String.join(", ", strings(model.get("class_names")))).append(".\n");
        if (model.get("signature") instanceof Map<?, ?> sig) {
            md.append("- SavedModel tag `").append(sig.get("tag")).append("`, signature `").append(sig.get("key"))
                    .append("`: `").append(sig.get("input")).append("` ").append(sig.get("inputShape"))
                    .append(" float32 -> `").append(sig.get("output")).append("` ").append(sig.get("outputShape"))
                    .append(" softmax probabilities.\n");
        }
        if (input.get("expected_pixel_spacing_mm") instanceof Map<?, ?> sp
                && sp.get("row") instanceof Map<?, ?> row && sp.get("col") instanceof Map<?, ?> col) {
            md.append(String.format(Locale.ROOT, "- Pixel spacing of the training images: %s x %s mm (row x column,"
                    + " median of %s images; rows %s..%s mm, columns %s..%s mm). Images of a very different spacing"
                    + " show the heart at another size than the model learnt.%n", row.get("median"),
                    col.get("median"), sp.get("images_with_spacing"), row.get("min"), row.get("max"), col.get("min"),
                    col.get("max")));
        }
        md.append("\n## How it was made\n\n");
        md.append("- Run ").append(run.get("id")).append(", ").append(run.get("started")).append(" to ")
                .append(run.get("ended")).append(".\n");
        md.append("- ").append(env.get("library")).append(", ").append(env.get("backend_description"))
                .append(", Java ").append(env.get("java_version")).append(", ").append(env.get("os")).append(" ")
                .append(env.get("arch")).append(".\n");
        if (provenance.get("git") instanceof Map<?, ?> git) {
            md.append("- Source: git commit ").append(git.get("commit"))
                    .append(Boolean.TRUE.equals(git.get("dirty")) ? " with uncommitted changes" : "").append(".\n");
        }
        md.append("- Recipe ").append(config.get("recipe")).append(": ").append(config.get("epochs"))
                .append(" epochs, batch ").append(config.get("batch_size")).append(", seed ")
                .append(provenance.get("seed")).append(".\n");
        md.append("- Loss: ").append(config.get("loss")).append(".\n");
        md.append("- Optimiser: ").append(config.get("optimizer")).append(".\n");
        md.append("- Augmentation: ").append(config.get("augmentation")).append(".\n");

        md.append("\n## Training data\n\n");
        md.append("- ").append(config.get("train_frames")).append(" labelled frames of patients ")
                .append(String.join(", ", strings(config.get("train_patients")))).append(", from `")
                .append(data.get("root")).append("`.\n");
        md.append("- Content hash (SHA-256 over ").append(data.get("file_count")).append(" files): `")
                .append(data.get("aggregate_sha256")).append("`; every file with its own hash is listed in "
                        + "`data-manifest.json`.\n");

        md.append("\n## Metrics\n\n");
        Map<String, Object> split = Json.getObject(metrics, "split");
        md.append("Split: **").append(split.get("kind")).append("**: ").append(split.get("description"))
                .append(". Patients ").append(String.join(", ", strings(split.get("patients")))).append(", ")
                .append(split.get("frames")).append(" frames.\n\n");
        md.append("| metric | value |\n|---|---|\n");
        row(md, "Dice, mean per image", metrics.get("dice_mean"));
        row(md, "Dice, global", metrics.get("dice_global"));
        if (metrics.get("evaluation") instanceof Map<?, ?> ev) {
            row(md, "IoU, mean", ev.get("iou_mean"));
            row(md, "HD95 (mm), mean", ev.get("hd95_mm_mean"));
            row(md, "ASSD (mm), mean", ev.get("assd_mm_mean"));
            row(md, "APD (mm), mean", ev.get("apd_mm_mean"));
            row(md, "good contours (%)", ev.get("good_contours_pct"));
        }
        if ("training".equals(split.get("kind"))) {
            md.append("\nThese figures were measured on the training data and overstate accuracy on new patients. "
                    + "Run `segment validate` on held-out patients before relying on the model.\n");
        }

        md.append("\n## Limitations\n\n");
        md.append("- Trained on ").append(strings(config.get("train_patients")).size())
                .append(" patients from one public source; accuracy on other scanners, field strengths and "
                        + "populations is unknown until measured (`segment validate`, `segment drift`).\n");
        md.append("- Small apical slices, where the blood pool is a few pixels across, are the most common "
                + "failure: expect over-segmentation there.\n");
        md.append("- The input is a fixed crop around the image centre; a heart far from the centre of the field of "
                + "view can be cut off.\n");
        md.append("- Intensities are normalised per image, so a global intensity scale does not matter, but a "
                + "different contrast (another sequence) does.\n");
        md.append("- Metrics from a handful of patients are a small sample: treat them as an estimate with wide "
                + "uncertainty.\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String name, Object value) {
        if (value instanceof Number n) {
            md.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%.4f", n.doubleValue()))
                    .append(" |\n");
        }
    }

    private static List<String> strings(Object o) {
        if (o instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
