package org.flagstate.ui;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both named explicitly so
 * Selenium Manager never runs (and {@code se.offline} set in case it would), each browser with a
 * fresh profile directory. {@code scripts/test} installs {@code chromium} and {@code
 * chromium-driver} when they are missing.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * @param javascript false starts a browser that runs no script at all
   */
  static Browser start(boolean javascript) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException(
          CHROMIUM
              + " or "
              + CHROMEDRIVER
              + " is missing: run scripts/test, which installs chromium and chromium-driver");
    }
    System.setProperty("se.offline", "true");
    System.setProperty("SE_OFFLINE", "true");
    try {
      Path profile = Files.createTempDirectory("flagstate-chromium-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless=new",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-dev-shm-usage",
          "--hide-scrollbars",
          "--user-data-dir=" + profile,
          "--window-size=1440,1000");
      if ("root".equals(System.getProperty("user.name"))) {
        options.addArguments("--no-sandbox");
      }
      if (!javascript) {
        options.setExperimentalOption(
            "prefs", Map.of("profile.managed_default_content_settings.javascript", 2));
      }
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      return new Browser(new ChromeDriver(service, options), profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  WebDriverWait waiting() {
    return new WebDriverWait(driver, Duration.ofSeconds(10));
  }

  void width(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Lets page scripts use the clipboard API (headless Chromium asks no one). */
  void allowClipboard(String origin) {
    driver.executeCdpCommand(
        "Browser.grantPermissions",
        Map.of(
            "origin",
            origin,
            "permissions",
            List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
  }

  /** The whole page as a PNG (beyond the viewport), for looking at. */
  void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Map<String, Object> shot =
          driver.executeCdpCommand(
              "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
      Files.write(file, java.util.Base64.getDecoder().decode((String) shot.get("data")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      File fallback = driver.getScreenshotAs(OutputType.FILE);
      try {
        Files.copy(fallback.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException io) {
        throw new UncheckedIOException(io);
      }
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory left behind is harmless
      }
    }
  }
}
