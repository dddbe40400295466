package org.flagstate.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package layout of design.md, checked over the compiled classes: arrows point one way. */
class LayoutTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.flagstate");
  }

  @Test
  void noPackageCycles() {
    slices().matching("org.flagstate.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theSharedHttpPackageDependsOnNoFeature() {
    noClasses()
        .that()
        .resideInAPackage("org.flagstate.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.flagstate.index..",
            "org.flagstate.search..",
            "org.flagstate.api..",
            "org.flagstate.front..",
            "org.flagstate.ui..",
            "org.flagstate.webhook..",
            "org.flagstate.crawl..")
        .check(classes);
  }

  /**
   * Except that the JSON API searches with search's one match definition, and the web UI renders
   * what the JSON API reads (noPackageCycles keeps both one-way).
   */
  @Test
  void featuresDoNotDependOnEachOther() {
    slices()
        .matching("org.flagstate.(index|search|api|front|ui|webhook)..")
        .should()
        .notDependOnEachOther()
        .ignoreDependency(
            resideInAPackage("org.flagstate.api.."), resideInAPackage("org.flagstate.search.."))
        .ignoreDependency(
            resideInAPackage("org.flagstate.ui.."),
            resideInAnyPackage("org.flagstate.api..", "org.flagstate.search.."))
        .check(classes);
  }

  @Test
  void onlyTheCrawlerWritesTheIndex() {
    noClasses()
        .that()
        .resideOutsideOfPackages("org.flagstate.crawl..", "org.flagstate")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.flagstate.crawl..")
        .check(classes);
  }
}
