package org.flagstate.ui;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;

/**
 * For {@code scripts/demo}: runs a real docker-registry with its notifications pointed at
 * Flagstate's webhook, and fills it with {@link UiSamples} through the Registry API.
 *
 * <pre>
 * DemoRegistry serve WEBHOOK_URL TOKEN INFO_FILE   start the registry, write url=… to INFO_FILE, run until SIGTERM
 * DemoRegistry push REGISTRY_URL                   push the sample content, then exit
 * </pre>
 */
public final class DemoRegistry {

  private DemoRegistry() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("serve")) {
      RegistryProcess registry = RegistryProcess.builder().notifications(args[1], args[2]).start();
      Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "demo-registry-close"));
      Path info = Path.of(args[3]);
      Path partial = info.resolveSibling(info.getFileName() + ".partial");
      Files.writeString(
          partial,
          "url=" + registry.baseUrl() + "\nlog=" + registry.logFile() + "\n",
          StandardCharsets.UTF_8);
      Files.move(partial, info, StandardCopyOption.ATOMIC_MOVE);
      Thread.currentThread().join();
    } else if (args.length == 2 && args[0].equals("push")) {
      UiSamples.push(new RegistryPusher(args[1]));
    } else {
      System.err.println(
          "usage: DemoRegistry serve WEBHOOK_URL TOKEN INFO_FILE | push REGISTRY_URL");
      System.exit(2);
    }
  }
}
