package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.api.Assertions.fail;

import io.medseg.data.Image;
import io.medseg.io.Json;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.opentest4j.TestAbortedException;
import tools.jackson.databind.JsonNode;

/**
 * The viewer page at {@code GET /} in a real browser: Debian's chromium, headless, driven through chromedriver,
 * against a real {@link ModelServer}. Skipped when either program is missing, unless
 * {@code -Dmedseg.browser.required=true} (set by the {@code require-data} profile), which makes that a failure.
 * {@code -Dmedseg.chromium} and {@code -Dmedseg.chromedriver} name other programs than Debian's.
 */
class ViewerBrowserTest {
    static final String REQUIRED_PROPERTY = "medseg.browser.required";
    private static final Path CHROMEDRIVER =
            Path.of(System.getProperty("medseg.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("medseg.chromium", "/usr/bin/chromium"));
    private static final Path SCREENSHOT = Path.of("target", "viewer-screenshot.png");
    private static final Path ERROR_SCREENSHOT = Path.of("target", "viewer-error-screenshot.png");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;

    private static ModelServer open;
    private static ModelServer secured;
    private static String token;
    private static ChromeDriverService service;
    private static WebDriver driver;
    private static Path dicom;
    /** Why the tests cannot run here (each is then skipped with it), or null. */
    private static String missing;

    @BeforeAll
    static void start() throws Exception {
        missing = missingProgram();
        if (missing != null) {
            if (Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, "false"))) {
                fail(missing + "; required because -D" + REQUIRED_PROPERTY + "=true");
            }
            return;
        }
        Path dicoms;
        try {
            dicoms = SunnybrookTestData.dir().resolve("dicoms");
        } catch (TestAbortedException e) {
            missing = e.getMessage();
            return;
        }
        try (Stream<Path> files = Files.walk(dicoms)) {
            dicom = files.filter(p -> p.toString().endsWith(".dcm")).sorted().findFirst().orElseThrow();
        }
        List<Image> reference = ServingFixtures.phantomImages(8, 128, 1);
        ServingFixtures.registryWithProduction(tmp, 11, reference);
        Path registry = tmp.resolve("registry");
        open = ModelServer.start(ServerConfig.builder(registry, ServingFixtures.NAME).port(0)
                .accessLog(tmp.resolve("open-access.log")).build(), ServingFixtures.backend());
        Path tokens = tmp.resolve("tokens");
        token = TokenFile.issue(tokens, "viewer-test");
        secured = ModelServer.start(ServerConfig.builder(registry, ServingFixtures.NAME).port(0).tokens(tokens)
                .accessLog(tmp.resolve("secured-access.log")).build(), ServingFixtures.backend());
        assertThat(open.awaitReady(60_000)).as("open server ready").isTrue();
        assertThat(secured.awaitReady(60_000)).as("secured server ready").isTrue();

        // the driver's path is given, so Selenium Manager is never asked to find or download anything
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream()).build();
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // the browser's console, to find Content-Security-Policy violations
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1100,1000", "--user-data-dir=" + profile.toAbsolutePath());
        driver = new ChromeDriver(service, options);
    }

    /** What is missing of chromium and chromedriver, or null when both are installed. */
    private static String missingProgram() {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                return p + " is missing: the viewer's browser test needs Debian's chromium and chromium-driver "
                        + "(apt-get install chromium chromium-driver)";
            }
        }
        return null;
    }

    @BeforeEach
    void skipWhenMissing() {
        Assumptions.assumeTrue(missing == null, () -> missing + "; skipping");
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (service != null) {
                service.stop();
            }
            if (open != null) {
                open.close();
            }
            if (secured != null) {
                secured.close();
            }
        }
    }

    @Test
    void showsTheFrameItsContourAndTheModel() throws Exception {
        JsonNode expected = segmentDirectly(open, Files.readAllBytes(dicom), null);
        assertThat(expected.path("contours").size()).as("the fixture model predicts a contour on this frame")
                .isPositive();

        load(open);
        upload(dicom);
        assertThat(waitForResult()).as(text("error")).isEqualTo("done");

        double area = number(text("area"), "([0-9][0-9,]*\\.[0-9]) mm²");
        assertThat(area).isCloseTo(expected.path("lv_area_mm2").asDouble(), offset(0.06));
        JsonNode spacing = expected.path("image").path("pixel_spacing_mm");
        double frameMm2 = expected.path("image").path("height").asInt() * expected.path("image").path("width").asInt()
                * spacing.get(0).asDouble() * spacing.get(1).asDouble();
        assertThat(area).isPositive().isLessThan(frameMm2);
        assertThat(text("version")).isEqualTo("v" + open.servedVersion().orElseThrow());
        assertThat(text("model")).startsWith(ServingFixtures.NAME);
        assertThat(text("precision")).isEqualTo(expected.path("model").path("precision").asString());
        String sha = expected.path("model").path("manifest_sha256").asString();
        assertThat(text("manifest")).isEqualTo(sha.substring(0, 12));
        assertThat(driver.findElement(By.id("manifest")).getDomAttribute("title")).isEqualTo(sha);
        double serverMs = number(text("server-time"), "([0-9][0-9,]*\\.[0-9]) ms");
        double latencyMs = number(text("latency"), "([0-9][0-9,]*) ms");
        assertThat(serverMs).isPositive();
        assertThat(latencyMs).as("the round trip includes the server's time").isGreaterThanOrEqualTo(serverMs - 1);
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();

        // the canvas: the grey frame under red contour pixels that lie where the answer's contours are
        long[] pixels = canvasPixels();
        long width = pixels[0];
        long height = pixels[1];
        long red = pixels[2];
        long grey = pixels[3];
        int imageWidth = expected.path("image").path("width").asInt();
        double scale = (double) width / imageWidth;
        assertThat(height).isEqualTo(Math.round(expected.path("image").path("height").asInt() * scale));
        assertThat(red).as("red contour pixels on the canvas").isGreaterThan(40);
        assertThat(grey).as("grey frame pixels on the canvas").isGreaterThan(width * height / 4);
        // the red pixels span the contours' box widened by the line: same centre (to half a canvas pixel, which a
        // pixel-centre slip of half an image pixel would exceed) and about the same size
        double[] box = contourBox(expected, scale);
        assertThat((pixels[4] + pixels[6] + 1) / 2.0).as("centre of the red pixels, x")
                .isCloseTo((box[0] + box[2]) / 2, offset(0.5));
        assertThat((pixels[5] + pixels[7] + 1) / 2.0).as("centre of the red pixels, y")
                .isCloseTo((box[1] + box[3]) / 2, offset(0.5));
        assertThat((double) pixels[6] + 1 - pixels[4]).as("width of the red pixels")
                .isBetween(box[2] - box[0], box[2] - box[0] + 2 + 2 * scale);
        assertThat((double) pixels[7] + 1 - pixels[5]).as("height of the red pixels")
                .isBetween(box[3] - box[1], box[3] - box[1] + 2 + 2 * scale);

        screenshot(SCREENSHOT);
        assertThat(driver.manage().logs().get(LogType.BROWSER).getAll()).as("the browser console")
                .noneMatch(e -> e.getMessage().contains("Content Security Policy"));

        // the contour can be hidden to see the frame alone, and shown again
        driver.findElement(By.id("overlay")).click();
        assertThat(canvasPixels()[2]).as("red pixels with the contour hidden").isZero();
        driver.findElement(By.id("overlay")).click();
        assertThat(canvasPixels()[2]).isEqualTo(red);
    }

    @Test
    void aTruncatedFileShowsTheReadersMessage() throws Exception {
        byte[] head = Arrays.copyOf(Files.readAllBytes(dicom), 200);
        Path truncated = tmp.resolve("truncated.dcm");
        Files.write(truncated, head);
        String reason = errorDirectly(open, head, null, 400);

        load(open);
        upload(truncated);
        assertThat(waitForResult()).isEqualTo("error");
        assertThat(text("error")).isEqualTo("HTTP 400: " + reason);
        assertThat(text("status")).isEqualTo("truncated.dcm was not segmented.");
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("result")).isDisplayed()).isFalse();
        screenshot(ERROR_SCREENSHOT);
    }

    @Test
    void aWrongTokenShowsThe401AndTheRightOneSegments() throws Exception {
        String reason = errorDirectly(secured, Files.readAllBytes(dicom), "not-a-token", 401);

        load(secured);
        type("token", "not-a-token");
        upload(dicom);
        assertThat(waitForResult()).isEqualTo("error");
        assertThat(text("error")).isEqualTo("HTTP 401: " + reason).contains("token");

        // the token typed is kept for the tab (sessionStorage), and nowhere that outlives it
        load(secured);
        assertThat(driver.findElement(By.id("token")).getDomProperty("value")).as("kept in sessionStorage")
                .isEqualTo("not-a-token");
        assertThat(((JavascriptExecutor) driver).executeScript("return localStorage.length + document.cookie.length"))
                .isEqualTo(0L);
        type("token", token);
        upload(dicom);
        assertThat(waitForResult()).as(text("error")).isEqualTo("done");
        assertThat(text("version")).isEqualTo("v" + secured.servedVersion().orElseThrow());
    }

    // ---- helpers

    private static void load(ModelServer server) {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        assertThat(driver.getTitle()).isEqualTo("medseg viewer");
    }

    private static void type(String id, String value) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private static void upload(Path file) {
        driver.findElement(By.id("file")).sendKeys(file.toAbsolutePath().toString());
    }

    /** Waits for the page to finish the request; returns {@code done} or {@code error}. */
    private static String waitForResult() {
        return new WebDriverWait(driver, WAIT).until(d -> {
            String state = d.findElement(By.tagName("body")).getDomAttribute("data-state");
            return "done".equals(state) || "error".equals(state) ? state : null;
        });
    }

    private static void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private static double number(String shown, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(shown);
        assertThat(m.matches()).as("'%s' matches %s", shown, pattern).isTrue();
        return Double.parseDouble(m.group(1).replace(",", ""));
    }

    /**
     * From the canvas: width, height, the number of red pixels, of grey pixels, and the bounding box of the red
     * ones (left, top, right, bottom).
     */
    private static long[] canvasPixels() {
        Object r = ((JavascriptExecutor) driver).executeScript(
                "const c = document.getElementById('frame');"
                        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "let red = 0, grey = 0, l = c.width, t = c.height, rt = -1, b = -1;"
                        + "for (let i = 0; i < d.length; i += 4) {"
                        + "  const R = d[i], G = d[i + 1], B = d[i + 2], x = (i / 4) % c.width,"
                        + "      y = Math.floor(i / 4 / c.width);"
                        + "  if (R > 170 && G < 110 && B < 110 && R - G > 90) {"
                        + "    red++; l = Math.min(l, x); t = Math.min(t, y); rt = Math.max(rt, x);"
                        + "    b = Math.max(b, y);"
                        + "  } else if (Math.abs(R - G) < 6 && Math.abs(G - B) < 6) { grey++; }"
                        + "}"
                        + "return [c.width, c.height, red, grey, l, t, rt, b];");
        assertThat(r).isInstanceOf(List.class);
        return ((List<?>) r).stream().mapToLong(o -> ((Number) o).longValue()).toArray();
    }

    /** The bounding box (left, top, right, bottom) on the canvas of the answer's contours, at {@code scale}. */
    private static double[] contourBox(JsonNode answer, double scale) {
        double[] box = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (JsonNode c : answer.path("contours")) {
            for (JsonNode p : c.path("pixels")) {
                double x = (p.get(0).asDouble() + 0.5) * scale;
                double y = (p.get(1).asDouble() + 0.5) * scale;
                box[0] = Math.min(box[0], x);
                box[1] = Math.min(box[1], y);
                box[2] = Math.max(box[2], x);
                box[3] = Math.max(box[3], y);
            }
        }
        return box;
    }

    private static HttpResponse<String> post(ModelServer server, byte[] body, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/segment?mask=none")).header("Content-Type", "application/dicom")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode segmentDirectly(ModelServer server, byte[] body, String bearer) throws Exception {
        HttpResponse<String> r = post(server, body, bearer);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.tree(r.body());
    }

    private static String errorDirectly(ModelServer server, byte[] body, String bearer, int status) throws Exception {
        HttpResponse<String> r = post(server, body, bearer);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        String reason = Json.tree(r.body()).path("error").asString();
        assertThat(reason).isNotBlank();
        return reason;
    }
}
