package org.flagstate.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.testsupport.RawHttp;

/**
 * The rules every answer to bad input keeps, on both listeners: never a 5xx; every 4xx carries a
 * JSON error body (Flagstate's {@code {"error": {"code", "message"}}} or, on the registry-imitating
 * endpoints, docker/distribution's {@code {"errors": [{"code", "message"}]}}), 414 and 431
 * included; and a 2xx of a JSON endpoint is JSON. HEAD and 304 have no body; documented non-JSON
 * success bodies ({@code /metrics}, registry-front content) and the web UI's HTML pages are exempt.
 * Problems are collected, not thrown, so that one run reports every kind it found.
 */
final class ResponseRules {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REPORTED = 15;

  private final long seed;
  private final List<String> problems = new ArrayList<>();
  private int checked;
  private int answered;
  private int htmlErrorPages;

  ResponseRules(long seed) {
    this.seed = seed;
  }

  /**
   * Checks one answer.
   *
   * @param request what was sent, printable, for the report
   * @param head the request was a HEAD (no body expected)
   * @param jsonOnSuccess a 2xx must be JSON (false for /metrics and registry-front content)
   * @param mayStayUnanswered the request was broken after its head, where closing without an answer
   *     is allowed
   * @return the problem, or null
   */
  String check(
      String request,
      RawHttp.Response response,
      boolean head,
      boolean jsonOnSuccess,
      boolean mayStayUnanswered) {
    return check(request, response, head, jsonOnSuccess, false, mayStayUnanswered);
  }

  /**
   * As above; on a page of the web UI ({@code htmlPage}) a 4xx may be the UI's HTML page that tells
   * a person what is wrong (documented: the UI answers people, the API and protocol endpoints
   * answer programs); counted apart.
   */
  String check(
      String request,
      RawHttp.Response response,
      boolean head,
      boolean jsonOnSuccess,
      boolean htmlPage,
      boolean mayStayUnanswered) {
    checked++;
    if (htmlPage && response.status() >= 400 && response.status() < 500 && isWebPage(response)) {
      answered++;
      htmlErrorPages++;
      return null;
    }
    String problem = problem(response, head, jsonOnSuccess, mayStayUnanswered);
    if (response.answered()) {
      answered++;
    }
    if (problem != null) {
      problems.add(
          problem
              + "\n    request: "
              + printable(request)
              + "\n    answer: "
              + printable(response.toString()));
    }
    return problem;
  }

  /** Records a problem found by another check (the database changed, ...). */
  void problem(String request, String problem) {
    problems.add(problem + "\n    request: " + printable(request));
  }

  private static String problem(
      RawHttp.Response response, boolean head, boolean jsonOnSuccess, boolean mayStayUnanswered) {
    if (!response.answered()) {
      return mayStayUnanswered ? null : "no answer: " + response.failure();
    }
    int status = response.status();
    if (status >= 500) {
      return "a " + status;
    }
    if (isWebPage(response)) {
      return null;
    }
    boolean hasBody = !head && status != 204 && status != 304;
    if (status >= 400 && hasBody) {
      return errorBodyProblem(response);
    }
    if (status >= 200 && status < 300 && hasBody && jsonOnSuccess) {
      return parse(response) == null ? "a " + status + " whose body is not JSON" : null;
    }
    return null;
  }

  /**
   * The web UI's pages (and its friendly error pages, for browsers) are HTML by design: they are
   * told by their content type and the strict Content-Security-Policy only the UI sends.
   */
  private static boolean isWebPage(RawHttp.Response response) {
    String type = response.header("Content-Type");
    return type != null
        && type.toLowerCase().startsWith("text/html")
        && response.header("Content-Security-Policy") != null;
  }

  private static String errorBodyProblem(RawHttp.Response response) {
    String type = response.header("Content-Type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      return "a " + response.status() + " without Content-Type application/json (" + type + ")";
    }
    JsonNode body = parse(response);
    if (body == null || !body.isObject()) {
      return "a " + response.status() + " whose body is not a JSON object";
    }
    JsonNode error = body.get("error");
    if (error != null
        && error.isObject()
        && error.path("code").isTextual()
        && error.path("message").isTextual()) {
      return null;
    }
    JsonNode errors = body.get("errors");
    if (errors != null
        && errors.isArray()
        && !errors.isEmpty()
        && errors.get(0).path("code").isTextual()) {
      return null;
    }
    return "a "
        + response.status()
        + " whose JSON is neither {\"error\": {code, message}} nor {\"errors\": [...]}";
  }

  private static JsonNode parse(RawHttp.Response response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      return null;
    }
  }

  int checked() {
    return checked;
  }

  int answered() {
    return answered;
  }

  /** 4xx answers of web UI pages that were the UI's HTML error page. */
  int htmlErrorPages() {
    return htmlErrorPages;
  }

  List<String> problems() {
    return problems;
  }

  /** Fails with the first problems and the seed that reproduces them. */
  void assertNone(String what) {
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder report =
        new StringBuilder(
            problems.size()
                + " of "
                + checked
                + " "
                + what
                + " broke a rule (replay with -Dflagstate.test.seed="
                + seed
                + "):");
    problems.stream().limit(MAX_REPORTED).forEach(p -> report.append("\n  - ").append(p));
    throw new AssertionError(report.toString());
  }

  /** Control characters escaped and long text cut, so a report stays one readable line per item. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    String cut =
        text.length() > 400
            ? text.substring(0, 250)
                + "…("
                + text.length()
                + " chars)…"
                + text.substring(text.length() - 80)
            : text;
    for (char c : cut.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static String printable(byte[] bytes) {
    return printable(new String(bytes, StandardCharsets.ISO_8859_1));
  }
}
